"""Who may read an ended chat, and delete it once documented (docs/architecture.md, "Reading an
ended chat"). DOMAIN.md 2.4: only professionals read transcripts; an experience expert sees
only their own active chat. A professional reads the chats they held at the end, or were the
backup (or stand-in) asked in. Nothing here does I/O.
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


def may_read(role: Role, responder_id: int, chat: EndedChat) -> bool:
    """A professional who held the chat at its end, or was the backup asked in it."""
    if role is not Role.PROFESSIONAL:
        return False
    return responder_id in (chat.holder_id, chat.backup_id)
