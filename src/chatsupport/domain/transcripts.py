"""Who may read an ended chat, and delete it once documented (docs/architecture.md, "Reading an
ended chat"). DOMAIN.md 2.4: only professionals read transcripts; an experience expert sees
only their own active chat. A professional reads the chats they held at the end, were the
backup (or stand-in) asked in, or answered in before a hand-over. Nothing here does I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from chatsupport.domain.roles import Role

# Unknown, still open, past retention or not yours: one answer, so an id reveals nothing.
TRANSCRIPT_NOT_FOUND = "transcript.not_found"
#: The most ended chats a professional's list shows (newest first).
LIST_LIMIT = 50


@dataclass(frozen=True, slots=True)
class EndedChat:
    """An ended chat as its list shows it: no text, no youth data (there is none)."""

    chat_id: str
    lang: str
    opened_at: datetime
    ended_at: datetime
    end_reason: str | None
    holder_id: int | None
    backup_id: int | None
    messages: int
    #: a message was ever written (``messages`` is 0 also once they were deleted)
    had_messages: bool = False
    #: responders who wrote in it: one who answered before a transfer or take-over too
    authors: frozenset[int] = frozenset()


def may_read(role: Role, responder_id: int, chat: EndedChat) -> bool:
    """A professional who held the chat at its end, was the backup asked in it, or answered
    in it before it changed hands (who heard a disclosure may have a report to write)."""
    if role is not Role.PROFESSIONAL:
        return False
    return responder_id in (chat.holder_id, chat.backup_id) or responder_id in chat.authors


def role_in_chat(responder_id: int, chat: EndedChat) -> str:
    """``holder`` (held it at its end), ``backup`` (asked to back it up), or ``before`` (answered
    in it before it changed hands)."""
    if chat.holder_id == responder_id:
        return "holder"
    return "backup" if chat.backup_id == responder_id else "before"
