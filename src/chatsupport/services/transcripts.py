"""A professional reads an ended chat again, or deletes its text once documented (docs/
architecture.md, "Reading an ended chat"). Who may is ``domain.transcripts``; the audit trail
records each read and deletion (``api.audit_middleware``, by route)."""

from __future__ import annotations

from typing import Any

from chatsupport.domain.accounts import Responder
from chatsupport.domain.chat import Message
from chatsupport.domain.errors import Forbidden, NotFound
from chatsupport.domain.roles import Role
from chatsupport.domain.support import Note
from chatsupport.domain.transcripts import TRANSCRIPT_NOT_FOUND, EndedChat, may_read
from chatsupport.storage import chats as chat_store
from chatsupport.storage import retention
from chatsupport.storage import support as support_store
from chatsupport.storage import transcripts as store
from chatsupport.storage.database import Database

Notes = list[tuple[Note, str, str]]  # each note with its author's (role, name)


class TranscriptService:
    def __init__(self, *, db: Database) -> None:
        self._db = db

    async def ended(self, *, responder: Responder) -> list[EndedChat]:
        _professional_only(responder)
        async with self._db.read() as s:
            return await store.ended_for(s, responder_id=responder.id)

    async def read(
        self, *, responder: Responder, chat_id: str
    ) -> tuple[EndedChat, list[Message], Notes]:
        async with self._db.read() as s:
            chat = await _readable(s, responder, chat_id)
            messages = await chat_store.messages_after(s, chat_id=chat_id, after_seq=0)
            notes = await support_store.notes(s, chat_id=chat_id)
            ids = [n.author_id for n in notes if n.author_id is not None]
            names = await chat_store.responder_names(s, responder_ids=ids)
        unknown = ("professional", "")
        return chat, messages, [(n, *names.get(n.author_id or 0, unknown)) for n in notes]

    async def delete_text(self, *, responder: Responder, chat_id: str) -> int:
        """Documented in the official system: the messages and notes go now."""
        async with self._db.write() as s:
            await _readable(s, responder, chat_id)
            return await retention.forget_transcript(s, chat_id=chat_id)


def _professional_only(responder: Responder) -> None:
    if responder.role is not Role.PROFESSIONAL:
        raise Forbidden("Only a professional reads ended chats.")


async def _readable(s: Any, responder: Responder, chat_id: str) -> EndedChat:
    _professional_only(responder)
    chat = await store.ended_chat(s, chat_id=chat_id)
    if chat is None or not may_read(responder.role, responder.id, chat):
        raise NotFound("No ended chat of yours has this id.", code=TRANSCRIPT_NOT_FOUND)
    return chat
