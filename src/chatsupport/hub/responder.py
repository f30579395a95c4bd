"""What a responder's frames do. One instance per connection; frames are handled in order."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from chatsupport.domain.chat import ChatState, Sender
from chatsupport.domain.errors import ChatSupportError
from chatsupport.domain.roles import Role
from chatsupport.domain.support import HandOver, SupportReason
from chatsupport.hub import frames, support
from chatsupport.hub.connection import Connection, ResponderConnection
from chatsupport.hub.duty_events import duty_view
from chatsupport.hub.hub import Hub, tag_gone, tag_waiting
from chatsupport.services.limits import AbuseLimits


class ResponderSession:
    def __init__(self, hub: Hub, conn: ResponderConnection, *, limits: AbuseLimits) -> None:
        self.hub = hub
        self.conn = conn
        self.limits = limits

    async def handle_text(self, raw: str) -> None:
        try:
            frame = frames.parse(raw, frames.RESPONDER_FRAMES, frames.RESPONDER_TYPES)
        except frames.FrameError as exc:
            self.conn.error(exc.code, exc.message)
            return
        if isinstance(frame, frames.PingFrame):  # answered before hello too: it reveals nothing
            self.conn.send("pong")
            return
        ref = getattr(frame, "client_id", None) or getattr(frame, "chat_id", None)
        try:
            await self._handle(frame)
        except ChatSupportError as exc:
            self.conn.error(exc.code, exc.message, ref)

    async def _handle(self, frame: object) -> None:
        if isinstance(frame, frames.HelloFrame):
            await self._hello(frame)
        elif not self.conn.greeted:
            self.conn.error("frame.hello_first", "Send hello first.")
        elif isinstance(frame, frames.ClaimFrame):
            await self._claim(frame.chat_id)
        elif isinstance(frame, frames.ResponderSendFrame):
            await self._send(frame)
        elif isinstance(frame, frames.ResponderTypingFrame):
            self._require_own(frame.chat_id)
            await self.hub.chats.typing(
                chat_id=frame.chat_id, sender=Sender.RESPONDER, active=frame.active
            )
        elif isinstance(frame, frames.SUPPORT_FRAMES):
            await support.handle(self.hub, self.conn, frame)
        elif isinstance(frame, frames.ResponderEndFrame):
            self._require_own(frame.chat_id)
            await self.hub.chats.responder_ends(
                responder_id=self.conn.responder.id, chat_id=frame.chat_id
            )
        elif isinstance(frame, frames.BlockFrame):
            await self._block(frame.chat_id)

    async def _block(self, chat_id: str) -> None:
        """End an abusive chat the responder holds and block its network; reveal nothing."""
        await self.hub.chats.responder_chat(responder_id=self.conn.responder.id, chat_id=chat_id)
        await self.limits.block_chat(chat_id)
        await self.hub.chats.responder_blocks(responder_id=self.conn.responder.id, chat_id=chat_id)

    def _require_own(self, chat_id: str) -> None:
        if chat_id not in self.conn.chats and chat_id not in self.conn.joined:
            raise ChatSupportError("This is not one of your active chats.", code="chat.not_yours")

    async def _hello(self, frame: frames.HelloFrame) -> None:
        if self.conn.greeted:
            self.conn.error("frame.hello_again", "Already greeted on this connection.")
            return
        self.conn.greeted = True
        self.conn.acks_every_send = frame.acks == "all"
        await self.hub.register_responder(self.conn)
        active = await self.hub.chats.active_for(self.conn.responder.id)
        for chat in active:
            self.hub.follow(self.conn, chat.id, after_seq=frame.resume.get(chat.id, 0))
        held = [c.id for c in active]
        # A console shows at most the cap of chats: more entries are not looked up.
        cap = self.hub.chats.limits.responder_chat_cap
        lost = [chat_id for chat_id in frame.resume if chat_id not in held][:cap]
        self.conn.push(self._welcome_job(held, lost))

    def _welcome_job(
        self, active: list[str], lost: list[str]
    ) -> Callable[[Connection], Awaitable[None]]:
        """``active``: the chats this responder holds; ``lost``: chats the console still
        showed (``resume``) that ended or changed hands while it was away."""
        hub = self.hub

        async def job(conn: Connection) -> None:
            assert isinstance(conn, ResponderConnection)
            who = conn.responder
            duty = await duty_view(hub, who)
            on_duty = duty["on_duty"]
            conn.duty_shown = duty
            if who.role is Role.EXPERIENCE_EXPERT:
                conn.backup_present = await hub.support.backup_present(who.id)
            await conn.write_now(
                frames.frame(
                    "welcome",
                    responder={"id": who.id, "role": who.role.value, "name": who.display_name},
                    cap=hub.chats.limits.responder_chat_cap,
                    backup_present=conn.backup_present,
                    **duty,
                )
            )
            for asked in await hub.support.asked_of(who.id):  # alerts missed while away
                await conn.write_now(await support_alert(hub, asked.id, asked.responder_id))
                if await hub.support.joined_backup(asked.id) == who.id:
                    support.rejoin(hub, conn, asked.id)  # a reload keeps the backup beside
            if who.role is Role.PROFESSIONAL:  # experts still waiting for a stand-in
                for asked, _ in await hub.support.asking_stand_ins():
                    frame = await support_alert(hub, asked.id, asked.responder_id, stand_in=True)
                    await conn.write_now(frame)
            if on_duty:  # a chat that opened meanwhile may be tagged already (by its event)
                for chat in await hub.waiting_now():
                    if chat.id not in conn.tagged:
                        tag_waiting(conn, chat)
            if active:  # this responder's chats marked gone are theirs again
                await hub.support.holder_back(who.id)
            if on_duty or who.role is Role.PROFESSIONAL:
                await _tag_chats_with_holder_gone(hub, conn)
            await _tell_what_changed_while_away(hub, conn, lost)
            for chat_id in active:
                await hub.chat_job(chat_id)(conn)

        return job

    async def _claim(self, chat_id: str) -> None:
        if chat_id not in self.conn.tagged:
            on_duty = self.conn.responder.id in await self.hub.on_duty()
            if not on_duty:
                raise ChatSupportError("You are not on duty now.", code="chat.not_on_duty")
        chat = await self.hub.chats.get(chat_id)
        if chat is not None and chat.state is ChatState.ACTIVE:
            # Someone holds it: only a chat whose holder is gone can be taken over. The
            # hand-over's announcement brings this console the chat (docs/protocol.md).
            await self.hub.support.adopt(responder=self.conn.responder, chat_id=chat_id)
            return
        await self.hub.chats.claim(responder=self.conn.responder, chat_id=chat_id)
        self.hub.follow(self.conn, chat_id, after_seq=0)
        self.conn.push(self._claimed_job(chat_id))

    def _claimed_job(self, chat_id: str) -> Callable[[Connection], Awaitable[None]]:
        hub = self.hub

        async def job(conn: Connection) -> None:
            messages = await hub.chats.messages_after(chat_id=chat_id, after_seq=0)
            out = conn.messages_out(messages)
            await conn.write_now(
                frames.frame(
                    "claimed",
                    chat_id=chat_id,
                    messages=out,
                    last_seq=conn.delivered.get(chat_id, 0),
                )
            )

        return job

    async def _send(self, frame: frames.ResponderSendFrame) -> None:
        self._require_own(frame.chat_id)
        if len(frame.text) > self.hub.settings.max_message_chars:
            raise ChatSupportError(
                f"text: at most {self.hub.settings.max_message_chars} characters",
                code="message.too_long",
            )
        message, new = await self.hub.chats.post(
            chat_id=frame.chat_id,
            sender=Sender.RESPONDER,
            client_id=frame.client_id,
            text=frame.text,
            author=self.conn.author,
        )
        if self.conn.wants_ack(frame.chat_id, new):
            self.conn.send("ack", client_id=frame.client_id, seq=message.seq, chat_id=frame.chat_id)


async def _tag_chats_with_holder_gone(hub: Hub, conn: ResponderConnection) -> None:
    """A console that connects while a chat's responder is gone gets that chat's tag."""
    for chat in await hub.support.gone_chats():
        if chat.responder_id != conn.responder.id and chat.id not in conn.tagged:
            tag_gone(conn, chat.id, chat.lang, chat.created_at, chat.youth_urgent)


async def _tell_what_changed_while_away(
    hub: Hub, conn: ResponderConnection, chat_ids: list[str]
) -> None:
    """Chats the console still showed but this responder no longer holds: ``ended`` (only a
    chat they held to its end), or ``handed_over`` when someone else holds it now (taken over
    while the console was away; the holder's role and name are what the console's colleagues
    see in their own lists anyway, and a chat id is a random 128-bit value)."""
    me = conn.responder.id
    for chat_id in chat_ids:
        chat = await hub.chats.get(chat_id)
        if chat is None:
            continue
        if chat.state is ChatState.ACTIVE and chat.responder_id is not None:
            names = await hub.chats.responder_names([chat.responder_id])
            role, name = names.get(chat.responder_id, ("professional", ""))
            await conn.write_now(
                frames.frame(
                    "handed_over",
                    chat_id=chat_id,
                    to={"role": role, "name": name},
                    reason=HandOver.HOLDER_GONE.value,
                )
            )
        elif chat.state not in (ChatState.WAITING, ChatState.ACTIVE) and chat.responder_id == me:
            reason = chat.end_reason.value if chat.end_reason else "youth_left"
            await conn.write_now(
                frames.frame("ended", chat_id=chat_id, reason=reason, state=chat.state.value)
            )


async def support_alert(
    hub: Hub, chat_id: str, expert_id: int | None, *, stand_in: bool = False
) -> dict[str, object]:
    """The ``support_alert`` frame, re-derived from the database for a reconnecting backup
    (``stand_in``: for a professional, while the expert waits for a stand-in)."""
    names = await hub.chats.responder_names([expert_id] if expert_id else [])
    role, name = names.get(expert_id or 0, ("experience_expert", ""))
    chat = await hub.chats.get(chat_id)
    lang = chat.lang if chat else "fi"
    reason = await hub.support.asked_reason(chat_id) or SupportReason.ASKED
    return frames.frame(
        "support_alert",
        chat_id=chat_id,
        expert={"role": role, "name": name},
        lang=lang,
        stand_in=stand_in,
        reason=reason.value,
    )
