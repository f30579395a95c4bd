"""Chat use cases: persist first, then publish.

Every function here changes the database first and only then announces the change through the
broker, so a lost announcement can always be recovered from the database.
"""

from __future__ import annotations

import contextlib
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import overload
from zoneinfo import ZoneInfo

from chatsupport import metrics
from chatsupport.auth.tokens import new_token, token_hash
from chatsupport.broker import Broker
from chatsupport.domain import events
from chatsupport.domain.accounts import Responder
from chatsupport.domain.chat import (
    OPEN_STATES,
    Author,
    Chat,
    ChatState,
    ClaimOutcome,
    EndReason,
    Message,
    Sender,
    state_after_leaving,
)
from chatsupport.domain.clock import Clock
from chatsupport.domain.errors import (
    CHAT_CAP_REACHED,
    CHAT_NOT_ACTIVE,
    CHAT_NOT_FOUND,
    CHAT_NOT_WAITING,
    CHAT_TAKEN,
    Conflict,
    Forbidden,
    NotFound,
)
from chatsupport.domain.message_batch import Outcome, PostRequest
from chatsupport.domain.queue import estimate_wait_secs
from chatsupport.services.message_writer import MessageWriter
from chatsupport.storage import chats, diary, retention
from chatsupport.storage import support as support_store
from chatsupport.storage.database import Database
from chatsupport.storage.message_batches import store_batch

log = logging.getLogger("chatsupport.chats")

EVENTS_CHANNEL = "events"
DEFAULT_ZONE = ZoneInfo("Europe/Helsinki")


def _secs(start: datetime | None, end: datetime | None) -> float:
    return (end - start).total_seconds() if start and end else 0.0


def _posted(message: Message) -> events.MessagePosted:
    return events.MessagePosted(
        chat_id=message.chat_id,
        seq=message.seq,
        sender=message.sender,
        client_id=message.client_id,
        text=message.text,
        at=message.at,
        author=message.author,
    )


def _observe_end(chat: Chat, target: ChatState, now: datetime) -> None:
    if target is ChatState.MISSED:
        metrics.missed_contacts.inc()
    elif chat.claimed_at is not None:
        metrics.chat_duration_seconds.observe(_secs(chat.claimed_at, now))


_CLAIM_ERRORS = {
    ClaimOutcome.TAKEN: (CHAT_TAKEN, "Another responder already took this chat."),
    ClaimOutcome.NOT_WAITING: (CHAT_NOT_WAITING, "The chat is no longer waiting."),
    ClaimOutcome.CAP_REACHED: (CHAT_CAP_REACHED, "You already hold as many chats as allowed."),
    ClaimOutcome.NOT_FOUND: (CHAT_NOT_FOUND, "No such chat."),
}


@dataclass(frozen=True, slots=True)
class ChatLimits:
    responder_chat_cap: int
    resume_grace: timedelta
    reminder_interval: timedelta
    zone: ZoneInfo = DEFAULT_ZONE  # local date/hour of diary records


@dataclass(frozen=True, slots=True)
class QueueView:
    """Where each waiting chat stands: ``positions[chat_id]`` is 1 for the next one."""

    positions: dict[str, int]
    estimates: dict[str, int | None]


class ChatService:
    def __init__(self, *, db: Database, broker: Broker, clock: Clock, limits: ChatLimits) -> None:
        self._db = db
        self._broker = broker
        self._clock = clock
        self.limits = limits
        self._writer = MessageWriter(self._store_batch, on_batch=metrics.message_batch.observe)

    async def close(self) -> None:
        """Store the messages still queued for the writer (call before the database closes)."""
        await self._writer.close()

    async def publish(self, event: events.Event) -> None:
        await self._broker.publish(EVENTS_CHANNEL, events.encode(event))

    # --- youth ---------------------------------------------------------------------------

    @overload
    async def create_chat(
        self, *, lang: str, max_waiting: None = None, youth_urgent: bool = False
    ) -> tuple[Chat, str]: ...

    @overload
    async def create_chat(
        self, *, lang: str, max_waiting: int, youth_urgent: bool = False
    ) -> tuple[Chat, str] | None: ...

    async def create_chat(
        self, *, lang: str, max_waiting: int | None = None, youth_urgent: bool = False
    ) -> tuple[Chat, str] | None:
        """Create a waiting chat; returns it with the resume token (shown once, stored hashed),
        or None when ``max_waiting`` is given and that many chats already wait.

        The caller starts following the chat, then calls ``announce_opened`` so that it cannot
        miss the claim that the announcement may trigger.
        """
        token, chat_id, now = new_token(), secrets.token_hex(16), self._clock.now()
        chat = await self._db.run_write(
            lambda conn: chats.create_row(
                conn,
                chat_id=chat_id,
                token_hash=token_hash(token),
                lang=lang,
                now=now,
                max_waiting=max_waiting,
                youth_urgent=youth_urgent,
            )
        )
        return None if chat is None else (chat, token)

    async def announce_opened(self, chat: Chat) -> None:
        await self.publish(
            events.ChatWaiting(
                chat_id=chat.id,
                lang=chat.lang,
                waiting_since=chat.created_at,
                youth_urgent=chat.youth_urgent,
            )
        )
        await self.publish(events.QueueChanged())

    async def chat_for_token(self, token: str) -> Chat:
        """The open chat of a resume token; ended chats and unknown tokens are refused alike."""
        now = self._clock.now()
        async with self._db.write() as s:
            chat = await chats.find_open_by_token(s, token_hash=token_hash(token))
            if chat is None:
                raise NotFound("This chat has ended or does not exist.", code=CHAT_NOT_FOUND)
            await chats.touch_youth(s, chat_ids=[chat.id], now=now)
        return chat

    async def youth_leaves(
        self, chat_id: str, *, quick_exit: bool = False, forget: bool = False
    ) -> None:
        """The youth ended the chat (perhaps by quick exit): a waiting chat becomes missed.

        ``forget``: the youth asked for the conversation to be deleted at once rather than
        kept for the retention window; its messages go now, the anonymous diary record stays.
        """
        reason = EndReason.YOUTH_QUICK_EXIT if quick_exit else EndReason.YOUTH_ENDED
        await self._finish(chat_id, reason, forget=forget)

    # --- responders ----------------------------------------------------------------------

    async def claim(self, *, responder: Responder, chat_id: str) -> Chat:
        """First claim wins, decided by one conditional UPDATE; raises Conflict otherwise."""
        async with self._db.write() as s:
            outcome = await chats.claim(
                s,
                chat_id=chat_id,
                responder_id=responder.id,
                now=self._clock.now(),
                cap=self.limits.responder_chat_cap,
            )
            chat = await chats.get(s, chat_id=chat_id)
        if outcome is not ClaimOutcome.WON or chat is None:
            metrics.observe_claim(won=False)
            code, message = _CLAIM_ERRORS[outcome]
            raise Conflict(message, code=code)
        metrics.observe_claim(won=True, wait_secs=_secs(chat.created_at, chat.claimed_at))
        await self.publish(
            events.ChatClaimed(
                chat_id=chat_id,
                responder_id=responder.id,
                responder_role=responder.role,
                responder_name=responder.display_name,
            )
        )
        await self.publish(events.QueueChanged())
        return chat

    async def responder_chat(self, *, responder_id: int, chat_id: str) -> Chat:
        """The chat, if this responder holds it and it is active."""
        async with self._db.read() as s:
            chat = await chats.get(s, chat_id=chat_id)
        if chat is None or chat.responder_id != responder_id:
            raise Forbidden("This is not your chat.", code="chat.not_yours")
        if chat.state is not ChatState.ACTIVE:
            raise Conflict("The chat is not active.", code=CHAT_NOT_ACTIVE)
        return chat

    async def responder_ends(self, *, responder_id: int, chat_id: str) -> None:
        await self.responder_chat(responder_id=responder_id, chat_id=chat_id)
        await self._finish(chat_id, EndReason.RESPONDER_ENDED)

    async def responder_blocks(self, *, responder_id: int, chat_id: str) -> None:
        """End an abusive chat. The youth sees an ordinary ``responder_ended``; the diary
        record is stored already marked ``ABUSIVE`` / ``RESPONDER_ENDED_ABUSE``."""
        await self.responder_chat(responder_id=responder_id, chat_id=chat_id)
        await self._finish(chat_id, EndReason.RESPONDER_ENDED, abusive=True)

    # --- both sides ----------------------------------------------------------------------

    async def post(
        self,
        *,
        chat_id: str,
        sender: Sender,
        client_id: str,
        text: str,
        author: Author | None = None,
    ) -> tuple[Message, bool]:
        """Store (group-committed with other posts) and announce; returns once both are done,
        with the message and whether this call stored it. A resent ``client_id`` is answered
        with the stored message (``False``) and announced no more.
        A responder's message needs its ``author``: stored only if they hold the chat or are
        its expert's backup, as the database has it when the message is stored."""
        request = PostRequest(chat_id, sender, client_id, text, author)
        stored = await self._writer.post(request)
        if stored is None:
            raise Conflict("The chat is not open for messages.", code=CHAT_NOT_ACTIVE)
        return stored

    async def _store_batch(self, requests: list[PostRequest]) -> list[Outcome]:
        """One transaction for the batch, then its new messages announced in one go (Redis:
        one pipelined round trip), in seq order, before any caller is answered."""
        now = self._clock.now()
        plan = await store_batch(self._db, requests, now)
        for message in plan.new_messages:
            metrics.messages_by_sender[message.sender.value].inc()
        try:
            await self._broker.publish_many(
                EVENTS_CHANNEL, [events.encode(_posted(m)) for m in plan.new_messages]
            )
        except Exception as exc:  # stored all the same; readers catch up from the database
            failed = type(exc).__name__
            log.error("announcing %d messages failed: %s", len(plan.new_messages), failed)
        return plan.outcomes

    async def typing(self, *, chat_id: str, sender: Sender, active: bool) -> None:
        """Ephemeral: announced, never stored."""
        await self.publish(events.TypingChanged(chat_id=chat_id, sender=sender, active=active))

    async def change_lang(self, *, chat_id: str, lang: str) -> None:
        """Record the youth's new language; announced only when it changed."""
        async with self._db.write() as s:
            changed = await chats.change_lang(s, chat_id=chat_id, lang=lang)
        if changed:
            await self.publish(events.LangChanged(chat_id=chat_id, lang=lang))

    async def messages_after(self, *, chat_id: str, after_seq: int) -> list[Message]:
        async with self._db.read() as s:
            return await chats.messages_after(s, chat_id=chat_id, after_seq=after_seq)

    async def get(self, chat_id: str) -> Chat | None:
        async with self._db.read() as s:
            return await chats.get(s, chat_id=chat_id)

    async def waiting(self) -> list[Chat]:
        async with self._db.read() as s:
            return await chats.waiting(s)

    async def active_for(self, responder_id: int) -> list[Chat]:
        async with self._db.read() as s:
            return await chats.active_for(s, responder_id=responder_id)

    async def responder_names(self, responder_ids: list[int]) -> dict[int, tuple[str, str]]:
        async with self._db.read() as s:
            return await chats.responder_names(s, responder_ids=responder_ids)

    async def queue_view(self, *, responders_on_duty: int) -> QueueView:
        async with self._db.read() as s:
            queue = await chats.waiting(s)
            waits = await chats.recent_wait_secs(s)
        positions = {chat.id: i for i, chat in enumerate(queue, start=1)}
        estimates = {
            chat_id: estimate_wait_secs(
                position=pos, recent_waits_secs=waits, responders_on_duty=responders_on_duty
            )
            for chat_id, pos in positions.items()
        }
        return QueueView(positions, estimates)

    # --- housekeeping (every process runs it; conditional updates make it safe) ----------

    async def touch_youth(self, chat_ids: list[str]) -> None:
        if chat_ids:
            now = self._clock.now()
            await self._db.run_write(lambda conn: chats.touch_youth_rows(conn, chat_ids, now))

    async def sweep(self) -> None:
        """End chats whose youth is gone past the grace window; send due reminders."""
        now = self._clock.now()
        async with self._db.read() as s:
            gone = await chats.youth_gone_since(s, cutoff=now - self.limits.resume_grace)
            queue = await chats.waiting(s)
        for chat in gone:
            with contextlib.suppress(Conflict):  # ended meanwhile, here or on another process
                await self._finish(chat.id, EndReason.YOUTH_LEFT)
        for chat in queue:
            if chat.id not in {g.id for g in gone}:
                await self._remind_if_due(chat, now)

    async def _remind_if_due(self, chat: Chat, now: datetime) -> None:
        async with self._db.write() as s:
            due = await chats.take_due_reminder(
                s, chat_id=chat.id, cutoff=now - self.limits.reminder_interval, now=now
            )
        if due:
            await self.publish(
                events.ChatWaiting(
                    chat_id=chat.id,
                    lang=chat.lang,
                    waiting_since=chat.created_at,
                    reminder=True,
                    youth_urgent=chat.youth_urgent,
                )
            )

    async def _finish(
        self, chat_id: str, reason: EndReason, abusive: bool = False, *, forget: bool = False
    ) -> None:
        """End (or mark missed) an open chat, whatever state a racing claim left it in.

        ``forget`` deletes its messages in the same transaction, before anyone is told.
        """
        for _ in range(3):  # a claim may move it waiting -> active between our read and write
            async with self._db.write() as s:
                chat = await chats.get(s, chat_id=chat_id)
                if chat is None or chat.state not in OPEN_STATES:
                    raise Conflict("The chat has already ended.", code=CHAT_NOT_ACTIVE)
                target = state_after_leaving(chat.state)
                moved = await chats.finish(
                    s,
                    chat_id=chat_id,
                    from_state=chat.state,
                    to_state=target,
                    reason=reason,
                    now=self._clock.now(),
                )
                if moved:  # the diary record is stored in the same transaction as the end
                    await diary.record_chat_end(
                        s,
                        chat_id=chat_id,
                        zone=self.limits.zone,
                        now=self._clock.now(),
                        backup_involved=await support_store.backup_involved(s, chat_id=chat_id),
                        abusive=abusive,
                    )
                if moved and forget:
                    await retention.forget_transcript(s, chat_id=chat_id)
            if moved:
                _observe_end(chat, target, self._clock.now())
                await self.publish(
                    events.ChatEnded(chat_id=chat_id, state=target, reason=reason, forgotten=forget)
                )
                if chat.state is ChatState.WAITING:
                    await self.publish(events.QueueChanged())
                return
        raise Conflict("The chat changed while ending it; try again.", code=CHAT_NOT_ACTIVE)
