"""What a youth's frames do. One instance per connection; frames are handled in order."""

from __future__ import annotations

import time

from chatsupport.domain.chat import ChatState, Sender
from chatsupport.domain.errors import ChatSupportError
from chatsupport.hub import frames
from chatsupport.hub.connection import YouthConnection
from chatsupport.hub.hub import Hub
from chatsupport.services.limits import AbuseLimits
from chatsupport.services.rota import ServiceClosed

OPEN_WINDOW_SECS = 60.0


class YouthSession:
    def __init__(self, hub: Hub, conn: YouthConnection, *, limits: AbuseLimits, key: str) -> None:
        self.hub = hub
        self.conn = conn
        self.limits = limits
        self.key = key  # the day's keyed hash of the client's network; never the address
        self.greeted = False  # a valid frame arrived (ends the handshake window)

    async def handle_text(self, raw: str) -> None:
        try:
            frame = frames.parse(raw, frames.YOUTH_FRAMES, frames.YOUTH_TYPES)
        except frames.FrameError as exc:
            self.conn.error(exc.code, exc.message)
            return
        if isinstance(frame, frames.PingFrame):  # not a greeting: it opens nothing
            self.conn.send("pong")
            return
        self.greeted = True
        try:
            await self._handle(frame)
        except ChatSupportError as exc:
            self.conn.error(exc.code, exc.message, getattr(frame, "client_id", None))

    async def _handle(self, frame: object) -> None:
        if isinstance(frame, frames.OpenFrame):
            await self._open(frame)
        elif isinstance(frame, frames.ResumeFrame):
            await self._resume(frame)
        elif self.conn.chat_id is None:
            ref = getattr(frame, "client_id", None)
            self.conn.error("chat.none", "Open or resume a chat first.", ref)
        elif isinstance(frame, frames.YouthSendFrame):
            await self._send(self.conn.chat_id, frame)
        elif isinstance(frame, frames.YouthTypingFrame):
            await self.hub.chats.typing(
                chat_id=self.conn.chat_id, sender=Sender.YOUTH, active=frame.active
            )
        elif isinstance(frame, frames.YouthLangFrame):
            await self.hub.chats.change_lang(chat_id=self.conn.chat_id, lang=frame.lang)
        elif isinstance(frame, frames.YouthEndFrame):
            await self.hub.chats.youth_leaves(
                self.conn.chat_id, quick_exit=frame.quick_exit, forget=frame.forget
            )

    def _too_many_opens(self) -> bool:
        now = time.monotonic()
        recent = [t for t in self.conn.open_times if now - t < OPEN_WINDOW_SECS]
        self.conn.open_times = recent
        return len(recent) >= self.hub.settings.opens_per_minute

    async def _open(self, frame: frames.OpenFrame) -> None:
        if self.conn.chat_id is not None:
            self.conn.error("chat.already_open", "This connection already has a chat.")
            return
        if self._too_many_opens():
            self.conn.error("rate.too_many_chats", "Too many chats opened; wait a minute.")
            return
        self.conn.open_times.append(time.monotonic())
        self.conn.acks_every_send = frame.acks == "all"
        try:  # closed, or too close to closing: refused with when to come back, not queued
            await self.hub.rota.admit_new_chat(frame.lang)
        except ServiceClosed as exc:
            self.conn.send("error", code=exc.code, message=exc.message, closed=exc.opening.view())
            return
        await self.limits.check_open(self.key)
        created = await self.hub.chats.create_chat(
            lang=frame.lang,
            max_waiting=self.limits.settings.max_waiting_chats,
            youth_urgent=frame.urgent,
        )
        if created is None:
            await self.limits.queue_full(self.key)
        chat, token = created
        await self.limits.remember_chat(self.key, chat.id)
        self.hub.follow(self.conn, chat.id, after_seq=0)
        self.conn.send("opened", token=token, state=chat.state.value)
        await self.hub.chats.announce_opened(chat)
        self.hub.queue_changed()
        if chat.youth_urgent:
            await self.hub.support.escalate_now(chat)

    async def _resume(self, frame: frames.ResumeFrame) -> None:
        if self.conn.chat_id is not None:
            self.conn.error("chat.already_open", "This connection already has a chat.")
            return
        chat = await self.hub.chats.chat_for_token(frame.token)
        self.conn.acks_every_send = frame.acks == "all"
        self.hub.follow(self.conn, chat.id, after_seq=frame.last_seq)
        self.conn.push(self._resumed_job(chat.id))
        self.hub.queue_changed()

    def _resumed_job(self, chat_id: str):  # type: ignore[no-untyped-def]
        hub = self.hub

        async def job(conn: YouthConnection) -> None:
            chat = await hub.chats.get(chat_id)
            if chat is None or chat.state not in (ChatState.WAITING, ChatState.ACTIVE):
                return  # the ended event follows in the outbox
            responder = None
            if chat.responder_id is not None:
                names = await hub.chats.responder_names([chat.responder_id])
                role, name = names[chat.responder_id]
                responder = {"role": role, "name": name}
            _, beside = await hub.support.state_of(chat)
            joined = {"role": beside[0], "name": beside[1]} if beside else None
            messages = await hub.chats.messages_after(
                chat_id=chat_id, after_seq=conn.delivered.get(chat_id, 0)
            )
            out = conn.messages_out(messages)
            await conn.write_now(
                frames.frame(
                    "resumed",
                    state=chat.state.value,
                    responder=responder,
                    joined=joined,
                    messages=out,
                    last_seq=conn.delivered.get(chat_id, 0),
                )
            )
            gone = await hub.support.gone_chats() if chat.state is ChatState.ACTIVE else []
            if chat.id in {c.id for c in gone}:
                await conn.write_now(frames.frame("holder_away"))  # still true after a reload

        return job

    async def _send(self, chat_id: str, frame: frames.YouthSendFrame) -> None:
        if len(frame.text) > self.hub.settings.max_message_chars:
            self.conn.error(
                "message.too_long",
                f"text: at most {self.hub.settings.max_message_chars} characters",
                frame.client_id,
            )
            return
        await self.limits.check_message(chat_id)
        message, new = await self.hub.chats.post(
            chat_id=chat_id, sender=Sender.YOUTH, client_id=frame.client_id, text=frame.text
        )
        if self.conn.wants_ack(chat_id, new):
            self.conn.send("ack", client_id=frame.client_id, seq=message.seq)
