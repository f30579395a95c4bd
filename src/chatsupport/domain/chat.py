"""The chat state machine.

waiting ──claim──► active ──end / youth gone past grace──► ended
   └──youth ends / youth gone past grace──► missed   (a missed contact)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from chatsupport.domain.errors import CHAT_NOT_ACTIVE, Conflict


class ChatState(StrEnum):
    WAITING = "waiting"
    ACTIVE = "active"
    ENDED = "ended"
    MISSED = "missed"


class EndReason(StrEnum):
    YOUTH_ENDED = "youth_ended"
    RESPONDER_ENDED = "responder_ended"
    YOUTH_LEFT = "youth_left"  # connection gone past the resume grace window
    YOUTH_QUICK_EXIT = "youth_quick_exit"  # the youth pressed "leave quickly"


class Sender(StrEnum):
    YOUTH = "youth"
    RESPONDER = "responder"


OPEN_STATES: frozenset[ChatState] = frozenset({ChatState.WAITING, ChatState.ACTIVE})

_ALLOWED: dict[ChatState, frozenset[ChatState]] = {
    ChatState.WAITING: frozenset({ChatState.ACTIVE, ChatState.MISSED}),
    ChatState.ACTIVE: frozenset({ChatState.ENDED}),
    ChatState.ENDED: frozenset(),
    ChatState.MISSED: frozenset(),
}


def can_transition(current: ChatState, target: ChatState) -> bool:
    return target in _ALLOWED[current]


def state_after_leaving(current: ChatState) -> ChatState:
    """Where a chat goes when the youth leaves or ends it: a waiting chat becomes missed."""
    if current is ChatState.WAITING:
        return ChatState.MISSED
    if current is ChatState.ACTIVE:
        return ChatState.ENDED
    raise Conflict("The chat has already ended.", code=CHAT_NOT_ACTIVE)


@dataclass(frozen=True, slots=True)
class Chat:
    id: str
    state: ChatState
    lang: str
    responder_id: int | None
    last_seq: int
    created_at: datetime
    claimed_at: datetime | None
    end_reason: EndReason | None
    youth_urgent: bool = False  # opened with "I need help now" (DOMAIN.md 3.4)


@dataclass(frozen=True, slots=True)
class Author:
    """The responder who wrote a message: with a backup in the chat there may be two."""

    id: int
    role: str
    name: str  # display name, as the youth is told who answers


@dataclass(frozen=True, slots=True)
class Message:
    chat_id: str
    seq: int
    sender: Sender
    client_id: str
    text: str
    at: datetime
    author: Author | None = None  # a responder's message; None for the youth's


class ClaimOutcome(StrEnum):
    WON = "won"
    TAKEN = "taken"  # another responder won
    NOT_WAITING = "not_waiting"  # the youth left, or the chat is over
    CAP_REACHED = "cap_reached"
    NOT_FOUND = "not_found"


LANGUAGES: frozenset[str] = frozenset({"fi", "sv", "en"})
