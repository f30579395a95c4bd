"""What a responder's backup-support and transfer frames do (see ``services.support`` for
who may do what; refusals come back as ``error`` frames with stable codes)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chatsupport.domain.audit import TRANSCRIPT_READ
from chatsupport.domain.errors import ChatSupportError
from chatsupport.domain.support import SupportReason
from chatsupport.hub import frames
from chatsupport.hub.support_events import watching_job

if TYPE_CHECKING:
    from chatsupport.hub.connection import ResponderConnection
    from chatsupport.hub.hub import Hub


async def handle(hub: Hub, conn: ResponderConnection, frame: object) -> None:
    """Handle one of ``frames.SUPPORT_FRAMES`` from a greeted responder."""
    me = conn.responder
    service = hub.support
    if isinstance(frame, frames.SupportFrame):
        backup = await service.ask(expert=me, chat_id=frame.chat_id)
        names = await hub.chats.responder_names([backup] if backup else [])
        role, name = names.get(backup or 0, ("", ""))
        person = {"role": role, "name": name} if role else None
        conn.send(
            "support_requested",
            chat_id=frame.chat_id,
            stand_in=backup is None,
            backup=person,
            reason=SupportReason.ASKED.value,
        )
    elif isinstance(frame, frames.StandInFrame):
        await service.stand_in(professional=me, chat_id=frame.chat_id)
    elif isinstance(frame, frames.WatchFrame):
        await service.as_backup(responder_id=me.id, chat_id=frame.chat_id)
        await _audit_read(hub, conn, frame.chat_id)
        watch(hub, conn, frame.chat_id)
    elif isinstance(frame, frames.NoteFrame):
        if len(frame.text) > hub.settings.max_message_chars:
            raise ChatSupportError(
                f"text: at most {hub.settings.max_message_chars} characters",
                code="message.too_long",
            )
        await service.note(author=me, chat_id=frame.chat_id, text=frame.text)
    elif isinstance(frame, frames.JoinFrame):
        if frame.chat_id not in conn.watching:
            await service.as_backup(responder_id=me.id, chat_id=frame.chat_id)
            await _audit_read(hub, conn, frame.chat_id)
            watch(hub, conn, frame.chat_id)
        await service.join(backup=me, chat_id=frame.chat_id)
    elif isinstance(frame, frames.TakeOverFrame):
        await service.take_over(backup=me, chat_id=frame.chat_id)
    elif isinstance(frame, frames.TransferFrame):
        await service.offer(holder=me, chat_id=frame.chat_id, to_id=frame.to)
    elif isinstance(frame, frames.TransferAnswerFrame):
        await service.answer(responder=me, chat_id=frame.chat_id, accept=frame.accept)


async def _audit_read(hub: Hub, conn: ResponderConnection, chat_id: str) -> None:
    """A backup opening someone else's chat reads its transcript: that is audited."""
    if hub.audit is not None and chat_id not in conn.watching:
        await hub.audit.record(
            actor=conn.responder, action=TRANSCRIPT_READ, target=f"chat_id={chat_id}"
        )


def rejoin(hub: Hub, conn: ResponderConnection, chat_id: str) -> None:
    """A backup who had joined reconnects: read and write again, as before the reload (the
    youth and the expert were never told the backup left)."""
    conn.joined.add(chat_id)
    watch(hub, conn, chat_id)


def watch(hub: Hub, conn: ResponderConnection, chat_id: str) -> None:
    """Follow the chat read-only: the history and notes first, then live messages."""
    if chat_id in conn.chats:
        return
    hub.follow(conn, chat_id, after_seq=0)
    conn.chats.discard(chat_id)  # follow() assumed a holder: reading gives no write rights
    conn.watching.add(chat_id)
    conn.push(watching_job(hub, chat_id))
