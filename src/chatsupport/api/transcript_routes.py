"""A professional's ended chats (docs/architecture.md, "Reading an ended chat"): the list, one
chat's messages and notes, and deleting its text once documented in the official system.

Refusals: 403 ``auth.forbidden`` (not a professional), 404 ``transcript.not_found`` (unknown,
still open, past retention, or not theirs). Reads and deletions are audited by route.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel

from chatsupport.api.deps import RuntimeDep, StaffDep
from chatsupport.domain.transcripts import EndedChat, role_in_chat
from chatsupport.hub.frames import MessageOut, ResponderInfo, message_out

router = APIRouter(prefix="/api/transcripts", tags=["transcripts"])
ChatIdPath = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[0-9a-f]+$")]


class EndedChatOut(BaseModel):
    chat_id: str
    lang: str
    opened_at: datetime
    ended_at: datetime
    #: how it ended (``youth_ended``, ``youth_quick_exit``, ``responder_ended``, ``youth_left``)
    end_reason: str | None
    #: messages still stored (0 once deleted, by the young person or after documenting)
    messages: int
    #: a message was ever written: with ``messages`` 0, they were deleted; without, none was
    had_messages: bool
    #: ``holder`` (held the chat at its end), ``backup`` (asked to back the expert up) or
    #: ``before`` (answered in it before a transfer or take-over)
    role_in_chat: str


class NoteOut(BaseModel):
    author: ResponderInfo
    text: str
    at: datetime


class TranscriptOut(BaseModel):
    chat: EndedChatOut
    messages: list[MessageOut]
    notes: list[NoteOut]


class DeletedOut(BaseModel):
    deleted_messages: int


@router.get("")
async def ended_chats(staff: StaffDep, rt: RuntimeDep) -> list[EndedChatOut]:
    """The ended chats you held or backed up, still within the retention window."""
    me = staff.responder
    return [_ended(c, me.id) for c in await rt.transcripts.ended(responder=me)]


@router.get("/{chat_id}")
async def transcript(chat_id: ChatIdPath, staff: StaffDep, rt: RuntimeDep) -> TranscriptOut:
    me = staff.responder
    chat, messages, notes = await rt.transcripts.read(responder=me, chat_id=chat_id)
    return TranscriptOut(
        chat=_ended(chat, me.id),
        messages=[
            MessageOut.model_validate(message_out(m, own_side=False, to_console=True))
            for m in messages
        ],
        notes=[
            NoteOut(author=ResponderInfo(role=role, name=name), text=n.text, at=n.at)
            for n, role, name in notes
        ],
    )


@router.delete("/{chat_id}")
async def delete_transcript(chat_id: ChatIdPath, staff: StaffDep, rt: RuntimeDep) -> DeletedOut:
    """Documented in the official system: delete the messages and notes now."""
    deleted = await rt.transcripts.delete_text(responder=staff.responder, chat_id=chat_id)
    return DeletedOut(deleted_messages=deleted)


def _ended(chat: EndedChat, me: int) -> EndedChatOut:
    return EndedChatOut(
        chat_id=chat.chat_id,
        lang=chat.lang,
        opened_at=chat.opened_at,
        ended_at=chat.ended_at,
        end_reason=chat.end_reason,
        messages=chat.messages,
        had_messages=chat.had_messages,
        role_in_chat=role_in_chat(me, chat),
    )
