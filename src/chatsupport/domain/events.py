"""Events the processes tell each other through the broker.

The database has already recorded whatever an event announces; an event that is lost is
recovered by reading the database (see docs/protocol.md, delivery guarantees).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from chatsupport.domain.chat import Author, ChatState, EndReason, Sender
from chatsupport.domain.debrief import DebriefChanged
from chatsupport.domain.roles import Role
from chatsupport.domain.support import (
    BackupJoined,
    ChatEscalated,
    ChatHandedOver,
    HolderBack,
    HolderGone,
    NotePosted,
    StandInAnswered,
    SupportAsked,
    TransferChanged,
)


class _Event(BaseModel):
    model_config = ConfigDict(frozen=True)


class ChatWaiting(_Event):
    """A chat started waiting, or (``reminder``) is still waiting after the reminder interval."""

    kind: Literal["waiting"] = "waiting"
    chat_id: str
    lang: str
    waiting_since: datetime
    reminder: bool = False
    youth_urgent: bool = False  # opened with "I need help now"


class ChatClaimed(_Event):
    kind: Literal["claimed"] = "claimed"
    chat_id: str
    responder_id: int
    responder_role: Role
    responder_name: str


class MessagePosted(_Event):
    kind: Literal["message"] = "message"
    chat_id: str
    seq: int
    sender: Sender
    client_id: str
    text: str
    at: datetime
    author: Author | None = None  # a responder's message: who wrote it


class TypingChanged(_Event):
    kind: Literal["typing"] = "typing"
    chat_id: str
    sender: Sender
    active: bool


class ChatEnded(_Event):
    kind: Literal["ended"] = "ended"
    chat_id: str
    state: ChatState
    reason: EndReason
    forgotten: bool = False  # the youth had the messages deleted at once


class LangChanged(_Event):
    """The youth chose another language mid-chat: tags and the holder's card show it, and the
    diary records the language the youth chose last (DOMAIN.md 4.2)."""

    kind: Literal["lang"] = "lang"
    chat_id: str
    lang: str


class QueueChanged(_Event):
    """Waiting youth should be told their new place."""

    kind: Literal["queue"] = "queue"


Event = Annotated[
    ChatWaiting
    | ChatClaimed
    | MessagePosted
    | TypingChanged
    | ChatEnded
    | LangChanged
    | QueueChanged
    # the backup rule, escalation and transfer (domain/support.py)
    | SupportAsked
    | StandInAnswered
    | NotePosted
    | BackupJoined
    | ChatHandedOver
    | TransferChanged
    | ChatEscalated
    | HolderGone
    | HolderBack
    # debriefs after a heavy chat (domain/debrief.py)
    | DebriefChanged,
    Field(discriminator="kind"),
]
EVENTS: TypeAdapter[Event] = TypeAdapter(Event)
SUPPORT_EVENTS = (
    SupportAsked,
    StandInAnswered,
    NotePosted,
    BackupJoined,
    ChatHandedOver,
    TransferChanged,
    ChatEscalated,
    HolderGone,
    HolderBack,
)


def encode(event: Event) -> bytes:
    """The event's own serializer: the same JSON as ``EVENTS.dump_json`` without the union's
    search for the event's type (about half the time, and one encode per message stored)."""
    return event.__pydantic_serializer__.to_json(event)


def decode(data: bytes) -> Event:
    return EVENTS.validate_json(data)
