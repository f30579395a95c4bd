"""Backup support, unanswered-chat escalation and transfer, as use cases.

Like ``ChatService``: change the database first (every race decided there, see
``storage.support``), then announce through the broker. Who may do what:

* ``ask``: only an experience expert, on a chat they hold (``support.not_expert``,
  ``chat.not_yours``); it goes to the backup of their running shift if that backup's console is
  connected, else to every professional connected now, as stand-ins (``support.no_backup``
  when there is none);
* ``stand_in``: only a professional, first of all, while the expert's request for a stand-in
  is open (``support.not_backup``, ``support.taken``): they become the chat's backup;
* ``watch``/``join``/``take_over``: only the backup the expert asked, or the stand-in who
  answered (``support.not_backup``);
* ``note``: only the chat's holder or that backup; notes never reach the youth;
* ``offer``: only the holder, to another responder on duty and connected now; ``answer``:
  only the responder offered, before the offer expires (``transfer.not_offered``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from chatsupport import metrics
from chatsupport.domain.accounts import Responder
from chatsupport.domain.chat import Chat, ChatState
from chatsupport.domain.clock import Clock
from chatsupport.domain.errors import (
    CHAT_CAP_REACHED,
    CHAT_NOT_ACTIVE,
    CHAT_TAKEN,
    Conflict,
    Forbidden,
)
from chatsupport.domain.roles import Role
from chatsupport.domain.rota import ShiftRole
from chatsupport.domain.support import (
    SUPPORT_NO_BACKUP,
    SUPPORT_NOT_BACKUP,
    SUPPORT_NOT_EXPERT,
    SUPPORT_TAKEN,
    TRANSFER_NOT_OFFERED,
    TRANSFER_SELF,
    TRANSFER_TARGET_OFF_DUTY,
    BackupAway,
    BackupJoined,
    ChatEscalated,
    ChatHandedOver,
    HandOver,
    HolderBack,
    HolderGone,
    Note,
    NotePosted,
    OnDuty,
    Situation,
    StandInAnswered,
    SupportAsked,
    SupportReason,
    TransferChanged,
    TransferOffer,
    TransferStatus,
    escalation_targets,
    holder_gone_targets,
    stand_ins,
)
from chatsupport.services.chats import ChatService
from chatsupport.services.rota import RotaService
from chatsupport.storage import chat_counts
from chatsupport.storage import chats as chat_store
from chatsupport.storage import responders as responders_store
from chatsupport.storage import rota as rota_store
from chatsupport.storage import support as store
from chatsupport.storage.database import Database


@dataclass(frozen=True, slots=True)
class SupportSettings:
    #: A chat waiting this long is escalated (once).
    escalate_after: timedelta
    #: An unanswered transfer offer lapses after this long.
    transfer_offer: timedelta
    #: A chat's responder with no console connected this long is gone: others are asked.
    holder_gone: timedelta = timedelta(seconds=60)


class SupportService:
    def __init__(
        self,
        *,
        db: Database,
        clock: Clock,
        chats: ChatService,
        rota: RotaService,
        settings: SupportSettings,
    ) -> None:
        self._db = db
        self._clock = clock
        self._chats = chats
        self._rota = rota
        self.settings = settings

    # --- who is around ---------------------------------------------------------------------

    async def connected_now(self) -> frozenset[int]:
        """Responders whose console is connected now, on any process."""
        return await self._connected()

    async def _connected(self) -> frozenset[int]:
        since = self._clock.now() - self._rota.settings.presence_window
        async with self._db.read() as s:
            return await rota_store.present_since(s, since=since)

    async def backup_of_expert(self, expert_id: int) -> int | None:
        """The backup of a running experience-expert shift of ``expert_id`` (open or not)."""
        for occurrence in (await self._rota.status()).active:
            shift = occurrence.shift
            if expert_id in shift.responder_ids and shift.backup_id is not None:
                return shift.backup_id
        return None

    async def experts_backed_by(self, backup_id: int) -> list[tuple[int, datetime]]:
        """The running experience-expert shifts ``backup_id`` backs now: (expert, shift end).
        Such a shift is open only while this backup's console is (docs/architecture.md)."""
        return [
            (expert, occurrence.ends_at)
            for occurrence in (await self._rota.status()).active
            if occurrence.shift.backup_id == backup_id
            for expert in sorted(occurrence.shift.responder_ids)
        ]

    async def backup_present(self, expert_id: int) -> bool | None:
        """Is the expert's backup's console connected? None when no such shift runs now."""
        backup = await self.backup_of_expert(expert_id)
        return None if backup is None else backup in await self._connected()

    # --- the expert's backup ---------------------------------------------------------------

    async def ask(self, *, expert: Responder, chat_id: str) -> int | None:
        """Alert the backup of the expert's shift (its id is returned), or, when that backup is
        not there, every professional connected now (None: stand-ins were asked). The chat
        counts as "backup involved"."""
        if expert.role is not Role.EXPERIENCE_EXPERT:
            raise Forbidden("Only an experience expert asks for support.", code=SUPPORT_NOT_EXPERT)
        chat = await self._chats.responder_chat(responder_id=expert.id, chat_id=chat_id)
        connected = await self._connected()
        async with self._db.read() as s:
            # Asked again: the professional already backing this chat (a stand-in who
            # answered, say) is alerted again rather than replaced, if still connected.
            backup = await store.backup_of_chat(s, chat_id=chat_id)
        if backup is None or backup not in connected:
            backup = await self.backup_of_expert(expert.id)
        asked: list[int] = []
        if backup is None or backup not in connected:
            roles = await self._chats.responder_names(sorted(connected))
            asked = sorted(stand_ins({rid: Role(r) for rid, (r, _) in roles.items()}, connected))
            if not asked:
                raise Conflict(
                    "Your backup is not here and no professional is connected now.",
                    code=SUPPORT_NO_BACKUP,
                )
            backup = None
        async with self._db.write() as s:
            await store.mark_asked(s, chat_id=chat_id, backup_id=backup, now=self._clock.now())
        await self._chats.publish(
            SupportAsked(
                chat_id=chat_id,
                backup_id=backup,
                expert_name=expert.display_name,
                lang=chat.lang,
                stand_in_ids=asked,
            )
        )
        return backup

    async def stand_in(self, *, professional: Responder, chat_id: str) -> None:
        """The first professional to answer an expert's request for a stand-in becomes the
        chat's backup (one conditional update); anyone later is refused."""
        if professional.role is not Role.PROFESSIONAL:
            raise Forbidden("Only a professional backs up an expert.", code=SUPPORT_NOT_BACKUP)
        async with self._db.write() as s:
            won = await store.take_stand_in(s, chat_id=chat_id, backup_id=professional.id)
            chat = await chat_store.get(s, chat_id=chat_id) if won else None
            reason = await store.asked_reason(s, chat_id=chat_id) if won else None
        if chat is None:
            raise Conflict("Someone else answered, or the chat ended.", code=SUPPORT_TAKEN)
        expert = chat.responder_id
        names = await self._chats.responder_names([expert] if expert else [])
        await self._chats.publish(
            StandInAnswered(
                chat_id=chat_id,
                backup_id=professional.id,
                backup_name=professional.display_name,
                expert_id=expert,
                expert_name=names[expert][1] if expert in names else "",
                lang=chat.lang,
                reason=reason or SupportReason.ASKED,
            )
        )

    async def ask_while_backup_away(self, expert: Responder) -> list[str]:
        """DOMAIN.md 3.5: the backup of the expert's shift is not connected while the expert
        holds chats. Each chat with nobody backing it is put to the professionals connected
        now as stand-ins, as if the expert had asked (``SupportReason.BACKUP_LEFT``). Safe to
        call every sweep, on every process: a chat is asked once (``ask_stand_ins_once``).
        Returns the chats asked now; none while no professional is connected."""
        chats = await self._chats.active_for(expert.id)
        if not chats:
            return []
        connected = await self._connected()
        roles = await self._chats.responder_names(sorted(connected))
        asked = sorted(stand_ins({rid: Role(r) for rid, (r, _) in roles.items()}, connected))
        if not asked:
            return []
        now = self._clock.now()
        won: list[Chat] = []
        for chat in chats:
            async with self._db.write() as s:
                if await store.ask_stand_ins_once(
                    s, chat_id=chat.id, expert_id=expert.id, connected=connected, now=now
                ):
                    won.append(chat)
        for chat in won:
            await self._chats.publish(
                SupportAsked(
                    chat_id=chat.id,
                    backup_id=None,
                    expert_name=expert.display_name,
                    lang=chat.lang,
                    stand_in_ids=asked,
                    reason=SupportReason.BACKUP_LEFT,
                    expert_id=expert.id,
                )
            )
        return [chat.id for chat in won]

    async def asking_stand_ins(self) -> list[tuple[Chat, SupportReason]]:
        """Active chats whose expert still waits for a stand-in, and why (re-sent on reconnect)."""
        async with self._db.read() as s:
            return await store.asking_stand_ins(s)

    async def asked_reason(self, chat_id: str) -> SupportReason | None:
        """Why the chat's backup or stand-ins were last asked; None when nobody was."""
        async with self._db.read() as s:
            return await store.asked_reason(s, chat_id=chat_id)

    async def as_backup(self, *, responder_id: int, chat_id: str) -> Chat:
        """The active chat, if ``responder_id`` is the backup its expert asked for support."""
        async with self._db.read() as s:
            chat = await chat_store.get(s, chat_id=chat_id)
            backup = await store.backup_of_chat(s, chat_id=chat_id)
        if chat is None or backup != responder_id:
            raise Forbidden("You are not this chat's backup.", code=SUPPORT_NOT_BACKUP)
        if chat.state is not ChatState.ACTIVE:
            raise Conflict("The chat is not active.", code=CHAT_NOT_ACTIVE)
        return chat

    async def state_of(self, chat: Chat) -> tuple[bool, tuple[str, str] | None]:
        """For a reconnecting youth or holder: whether support was asked, and (role, name) of
        the backup who joined and writes beside the holder — None if nobody joined, or the
        backup has taken the chat over since (then they hold it)."""
        async with self._db.read() as s:
            asked, backup = await store.asked_and_joined(s, chat_id=chat.id)
            if backup is None or backup == chat.responder_id:
                return asked, None
            names = await chat_store.responder_names(s, responder_ids=[backup])
        return asked, names.get(backup)

    async def joined_backup(self, chat_id: str) -> int | None:
        """The backup who joined the chat and writes beside its holder, if one did."""
        async with self._db.read() as s:
            return (await store.asked_and_joined(s, chat_id=chat_id))[1]

    async def asked_backup(self, chat_id: str) -> tuple[str, str] | None:
        """(role, name) of the backup asked in the chat, or of the stand-in who answered."""
        async with self._db.read() as s:
            backup = await store.backup_of_chat(s, chat_id=chat_id)
            if backup is None:
                return None
            names = await chat_store.responder_names(s, responder_ids=[backup])
        return names.get(backup)

    async def asked_of(self, backup_id: int) -> list[Chat]:
        async with self._db.read() as s:
            return await store.asked_of(s, backup_id=backup_id)

    async def join(self, *, backup: Responder, chat_id: str) -> None:
        await self.as_backup(responder_id=backup.id, chat_id=chat_id)
        async with self._db.write() as s:
            await store.mark_joined(s, chat_id=chat_id, now=self._clock.now())
        await self._chats.publish(
            BackupJoined(
                chat_id=chat_id, backup_id=backup.id, role=backup.role, name=backup.display_name
            )
        )

    async def take_over(self, *, backup: Responder, chat_id: str) -> None:
        """The backup becomes the chat's responder (one conditional update)."""
        chat = await self.as_backup(responder_id=backup.id, chat_id=chat_id)
        if chat.responder_id is None or chat.responder_id == backup.id:
            raise Conflict("The chat is already yours.", code=CHAT_NOT_ACTIVE)
        async with self._db.write() as s:
            if not await store.hand_over(
                s, chat_id=chat_id, from_id=chat.responder_id, to_id=backup.id
            ):
                raise Conflict("The chat changed hands or ended.", code=CHAT_NOT_ACTIVE)
            await store.mark_involved(s, chat_id=chat_id)
        await self._announce_hand_over(chat_id, chat.responder_id, backup, HandOver.TAKE_OVER)

    async def _announce_hand_over(
        self, chat_id: str, from_id: int, to: Responder, reason: HandOver
    ) -> None:
        """The support asked by the former holder ends with the hand-over (after it: a crash
        between the two leaves the request standing, as before this step existed)."""
        async with self._db.write() as s:
            former_backup, stand_ins_asked = await store.end_support(s, chat_id=chat_id)
        await self._chats.publish(
            ChatHandedOver(
                chat_id=chat_id,
                from_id=from_id,
                to_id=to.id,
                to_role=to.role,
                to_name=to.display_name,
                reason=reason,
                former_backup_id=former_backup if former_backup != to.id else None,
                stand_ins_asked=stand_ins_asked,
            )
        )

    # --- notes -------------------------------------------------------------------------------

    async def note(self, *, author: Responder, chat_id: str, text: str) -> Note:
        """Store a note from the holder or the backup; announced to consoles only."""
        chat = await self._chats.get(chat_id)
        if chat is None or chat.responder_id != author.id:
            await self.as_backup(responder_id=author.id, chat_id=chat_id)
        elif chat.state is not ChatState.ACTIVE:
            raise Conflict("The chat is not active.", code=CHAT_NOT_ACTIVE)
        async with self._db.write() as s:
            note = await store.add_note(
                s, chat_id=chat_id, author_id=author.id, text=text, now=self._clock.now()
            )
        await self._chats.publish(
            NotePosted(
                chat_id=chat_id,
                note_id=note.id,
                author_role=author.role,
                author_name=author.display_name,
                text=text,
                at=note.at,
            )
        )
        return note

    async def notes(self, chat_id: str) -> list[tuple[Note, str, str]]:
        """The chat's notes with their authors' (role, name), oldest first."""
        async with self._db.read() as s:
            found = await store.notes(s, chat_id=chat_id)
            ids = [n.author_id for n in found if n.author_id is not None]
            names = await chat_store.responder_names(s, responder_ids=ids)
        unknown = ("professional", "")
        return [(n, *names.get(n.author_id or 0, unknown)) for n in found]

    # --- transfer ----------------------------------------------------------------------------

    async def offer(self, *, holder: Responder, chat_id: str, to_id: int) -> TransferOffer:
        """Offer the holder's chat to a colleague on duty and connected now."""
        chat = await self._chats.responder_chat(responder_id=holder.id, chat_id=chat_id)
        if to_id == holder.id:
            raise Conflict("The chat is already yours.", code=TRANSFER_SELF)
        available = await self._rota.on_duty_now() & await self._connected()
        if to_id not in available:
            raise Conflict("That responder is not on duty now.", code=TRANSFER_TARGET_OFF_DUTY)
        offer = TransferOffer(
            chat_id, holder.id, to_id, self._clock.now() + self.settings.transfer_offer
        )
        async with self._db.write() as s:
            await store.put_offer(s, offer=offer)
        await self._announce_offer(
            offer, TransferStatus.OFFERED, holder.role, holder.display_name, chat=chat
        )
        return offer

    async def _announce_offer(
        self,
        offer: TransferOffer,
        status: TransferStatus,
        role: Role,
        name: str,
        *,
        chat: Chat | None = None,
    ) -> None:
        await self._chats.publish(
            TransferChanged(
                chat_id=offer.chat_id,
                status=status,
                from_id=offer.from_id,
                to_id=offer.to_id,
                from_role=role,
                from_name=name,
                expires_at=offer.expires_at,
                lang=chat.lang if chat else "fi",
                youth_urgent=chat.youth_urgent if chat else False,
            )
        )

    async def answer(self, *, responder: Responder, chat_id: str, accept: bool) -> None:
        """Accept (the chat changes hands atomically) or decline a live offer."""
        cap = self._chats.limits.responder_chat_cap
        async with self._db.write() as s:
            offer = await store.take_offer(
                s, chat_id=chat_id, to_id=responder.id, now=self._clock.now()
            )
            if offer is None:
                raise Conflict(
                    "No live transfer offer of this chat to you.", code=TRANSFER_NOT_OFFERED
                )
            if accept and len(await chat_store.active_for(s, responder_id=responder.id)) >= cap:
                raise Conflict("You already hold as many chats as allowed.", code=CHAT_CAP_REACHED)
            if accept and not await store.hand_over(
                s, chat_id=chat_id, from_id=offer.from_id, to_id=responder.id
            ):
                raise Conflict("The chat changed hands or ended.", code=CHAT_NOT_ACTIVE)
        status = TransferStatus.ACCEPTED if accept else TransferStatus.DECLINED
        await self._announce_offer(offer, status, responder.role, responder.display_name)
        if accept:
            await self._announce_hand_over(chat_id, offer.from_id, responder, HandOver.TRANSFER)

    # --- a chat whose responder is gone ------------------------------------------------------

    async def adopt(self, *, responder: Responder, chat_id: str) -> None:
        """Claim an active chat whose holder is gone: it changes hands once (the gone mark is
        cleared by one conditional update, then the hand-over), within the claimer's cap."""
        try:
            gone = await self._adopt(responder, chat_id)
        except Conflict as exc:
            if exc.code == CHAT_TAKEN:  # counted like any claim someone else won
                metrics.observe_claim(won=False)
            raise
        metrics.observe_claim(won=True, wait_secs=None)
        await self._announce_hand_over(chat_id, gone, responder, HandOver.HOLDER_GONE)

    async def _adopt(self, responder: Responder, chat_id: str) -> int:
        cap = self._chats.limits.responder_chat_cap
        async with self._db.write() as s:
            chat = await chat_store.get(s, chat_id=chat_id)
            if chat is None or chat.responder_id is None or chat.responder_id == responder.id:
                raise Conflict("Someone else took the chat.", code=CHAT_TAKEN)
            if not await store.clear_holder_gone(s, chat_id=chat_id):
                raise Conflict(
                    "Someone else took the chat, or its responder is back.", code=CHAT_TAKEN
                )
            if len(await chat_store.active_for(s, responder_id=responder.id)) >= cap:
                raise Conflict("You already hold as many chats as allowed.", code=CHAT_CAP_REACHED)
            gone = chat.responder_id
            if not await store.hand_over(s, chat_id=chat_id, from_id=gone, to_id=responder.id):
                raise Conflict("The chat ended or changed hands.", code=CHAT_TAKEN)
        return gone

    async def holder_back(self, responder_id: int) -> None:
        """The responder's console is back: chats of theirs marked gone are theirs again (each
        unless someone claimed it first); the tags are withdrawn, the youth told."""
        await self.holders_back(frozenset({responder_id}))

    async def holders_back(self, responder_ids: frozenset[int]) -> None:
        """``holder_back`` for each of ``responder_ids`` (the sweep: consoles on this process)."""
        if not responder_ids:
            return
        async with self._db.read() as s:
            gone = [c for c in await store.gone_chats(s) if c.responder_id in responder_ids]
        for chat in gone:
            async with self._db.write() as s:
                back = await store.clear_holder_gone(s, chat_id=chat.id)
            if back:
                await self._chats.publish(HolderBack(chat_id=chat.id))

    async def gone_chats(self) -> list[Chat]:
        """Active chats whose holder is gone (tags for a console that connects)."""
        async with self._db.read() as s:
            return await store.gone_chats(s)

    async def _mark_holders_gone(self, now: datetime, connected_here: frozenset[int]) -> None:
        since = now - self.settings.holder_gone
        async with self._db.read() as s:
            present = await rota_store.seen_since(s, since=since) | connected_here
            gone = await store.holders_gone(s, present=present)
        await self._mark_gone(gone, now)

    async def holder_logged_out(self, responder_id: int) -> None:
        """The responder signed out with chats open (the console asked first): each is a chat
        whose responder is gone now, not after ``CHATSUPPORT_HOLDER_GONE_SECS``: the youth
        is told and colleagues are tagged at once."""
        async with self._db.read() as s:
            held = await chat_store.active_for(s, responder_id=responder_id)
        await self._mark_gone(held, self._clock.now())

    async def _mark_gone(self, chats: list[Chat], now: datetime) -> None:
        """Mark each chat's holder gone and announce it, once per chat on any process; a chat
        with a backup who joined and is here goes to her instead (``_to_joined_backup``)."""
        connected = await self._connected() if chats else frozenset()
        for chat in chats:
            if await self._to_joined_backup(chat, connected):
                continue
            async with self._db.write() as s:
                won = await store.mark_holder_gone(
                    s, chat_id=chat.id, holder_id=chat.responder_id or 0, now=now
                )
            if won:
                await self._announce_holder_gone(chat)

    async def _to_joined_backup(self, chat: Chat, connected: frozenset[int]) -> bool:
        """The backup who joined the chat is writing in it and her console is here: she is
        the one to go on, so the chat is hers at once (one conditional update) rather than
        "the adult's connection was lost" to the youth and a race among colleagues."""
        holder = chat.responder_id
        async with self._db.write() as s:
            _, joined = await store.asked_and_joined(s, chat_id=chat.id)
            if joined is None or joined not in connected or holder is None:
                return False
            if not await store.hand_over(s, chat_id=chat.id, from_id=holder, to_id=joined):
                return False
            backup = await responders_store.get(s, responder_id=joined)
        await self._announce_hand_over(chat.id, holder, backup, HandOver.HOLDER_GONE)
        return True

    async def _announce_holder_gone(self, chat: Chat) -> None:
        connected = await self._connected()
        roles = await self._chats.responder_names(sorted(connected))
        targets = holder_gone_targets(
            await self._rota.status(),
            {rid: Role(r) for rid, (r, _) in roles.items()},
            connected,
            holder_id=chat.responder_id,
        )
        await self._chats.publish(
            HolderGone(
                chat_id=chat.id,
                lang=chat.lang,
                waiting_since=chat.created_at,
                youth_urgent=chat.youth_urgent,
                responder_ids=sorted(targets),
            )
        )

    # --- housekeeping (every process; conditional updates make it safe) ---------------------

    async def sweep(self, connected_here: frozenset[int] = frozenset()) -> None:
        """Lapse expired offers, escalate chats waiting past the escalation time, and mark the
        chats whose responder is gone (never one with a console on this process,
        ``connected_here``, whatever the presence table says)."""
        now = self._clock.now()
        async with self._db.read() as s:
            expired = await store.expired_offers(s, now=now)
            overdue = await store.waiting_unescalated(s, cutoff=now - self.settings.escalate_after)
        for offer in expired:
            async with self._db.write() as s:
                dropped = await store.drop_offer(s, offer=offer)
            if dropped:
                await self._announce_offer(offer, TransferStatus.EXPIRED, Role.PROFESSIONAL, "")
        for chat in overdue:
            await self._escalate(chat)
        await self._mark_holders_gone(now, connected_here)

    async def escalate_now(self, chat: Chat) -> None:
        """A chat opened with "I need help now": escalated at once, not after the wait."""
        await self._escalate(chat)

    async def _escalate(self, chat: Chat) -> None:
        async with self._db.write() as s:
            won = await store.take_escalation(s, chat_id=chat.id, now=self._clock.now())
        if not won:
            return
        targets = escalation_targets(await self._rota.status(), await self._connected())
        await self._chats.publish(
            ChatEscalated(
                chat_id=chat.id,
                lang=chat.lang,
                waiting_since=chat.created_at,
                responder_ids=sorted(targets),
                youth_urgent=chat.youth_urgent,
            )
        )

    async def colleagues(self, *, exclude: int) -> list[tuple[int, str, str]]:
        """``(id, role, name)`` of responders on duty and connected now, but ``exclude``."""
        ids = (await self._rota.on_duty_now() & await self._connected()) - {exclude}
        names = await self._chats.responder_names(sorted(ids))
        return [(rid, *names[rid]) for rid in sorted(names)]

    async def situation(self) -> Situation:
        """Open or not, the queue and chats under way, who is on duty and connected, and the
        expert shifts that do not open because their backup is away."""
        status = await self._rota.status()
        connected = await self._connected()
        async with self._db.read() as s:
            by_state = await chat_counts.open_by_state(s)
            escalated = await store.escalated_waiting(s)
            gone = len(await store.gone_chats(s))
        experts = [o.shift for o in status.active if o.shift.role is ShiftRole.EXPERIENCE_EXPERT]
        away = [sh for sh in experts if sh.backup_id is not None and sh.backup_id not in connected]
        people = set(status.on_duty) | {r for sh in away for r in sh.responder_ids}
        people |= {sh.backup_id for sh in away if sh.backup_id is not None}
        names = await self._chats.responder_names(sorted(people))
        return Situation(
            open=status.open,
            accepts_new_chats=status.accepts_new_chats(self._rota.settings.intake_cutoff),
            waiting=by_state.get(ChatState.WAITING.value, 0),
            waiting_escalated=escalated,
            active=by_state.get(ChatState.ACTIVE.value, 0),
            active_holder_gone=gone,
            on_duty=tuple(
                OnDuty(rid, *names.get(rid, ("professional", "")), rid in connected)
                for rid in sorted(status.on_duty)
            ),
            backups_away=tuple(
                BackupAway(
                    tuple(names.get(r, ("", ""))[1] for r in sorted(sh.responder_ids)),
                    names.get(sh.backup_id or 0, ("", ""))[1],
                )
                for sh in away
            ),
        )

    async def escalated_waiting(self) -> int:
        async with self._db.read() as s:
            return await store.escalated_waiting(s)
