"""Wire frames, protocol version 1 (docs/protocol.md). The JSON Schema is generated from here.

Client frames are validated strictly (unknown fields refused). Server frames are built as
plain dicts on the hot path by the helpers at the bottom; the models here are their schema,
and the tests validate every frame the server sends against them.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import asdict
from datetime import datetime
from typing import Annotated, Any, Literal

import orjson
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from chatsupport.domain.chat import Message
from chatsupport.domain.debrief import Debrief
from chatsupport.domain.support import SupportReason

PROTOCOL_VERSION = 1
MAX_JSON_DEPTH = 8

Lang = Literal["fi", "sv", "en"]
ChatId = Annotated[str, Field(min_length=1, max_length=64)]
ClientId = Annotated[str, Field(min_length=1, max_length=64)]
Text = Annotated[str, Field(min_length=1)]


class _ClientFrame(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    v: Literal[1] = 1


#: When a sender gets ``ack`` (docs/protocol.md, "Acknowledgements"): ``all`` for every
#: ``send``; ``resends`` only for a resend of a stored message, a new one being acknowledged by
#: the sender's own copy (one frame less per message).
AckMode = Literal["all", "resends"]


class PingFrame(_ClientFrame):
    """Either endpoint: "are you there?" A client that has heard nothing for a while sends it;
    ``pong`` comes back through the same outbound queue as every other frame, so its arrival
    shows the whole path works. No answer means a dead socket (docs/protocol.md, "Heartbeat")."""

    type: Literal["ping"]


# --- youth -> server ---------------------------------------------------------------------


class OpenFrame(_ClientFrame):
    type: Literal["open"]
    lang: Lang = "fi"
    acks: AckMode = "all"
    #: the young person answered "Onko sinulla nyt hätä?" with yes (DOMAIN.md 3.4)
    urgent: bool = False


class ResumeFrame(_ClientFrame):
    type: Literal["resume"]
    token: str = Field(min_length=16, max_length=128)
    last_seq: int = Field(default=0, ge=0, le=2**31)
    acks: AckMode = "all"


class YouthSendFrame(_ClientFrame):
    type: Literal["send"]
    client_id: ClientId
    text: Text


class YouthTypingFrame(_ClientFrame):
    type: Literal["typing"]
    active: bool


class YouthEndFrame(_ClientFrame):
    type: Literal["end"]
    quick_exit: bool = False
    forget: bool = False  # delete the messages now instead of after the retention window


class YouthLangFrame(_ClientFrame):
    """The youth switched the page's language mid-chat."""

    type: Literal["lang"]
    lang: Lang


YouthFrame = Annotated[
    OpenFrame
    | ResumeFrame
    | YouthSendFrame
    | YouthTypingFrame
    | YouthEndFrame
    | YouthLangFrame
    | PingFrame,
    Field(discriminator="type"),
]

# --- responder -> server -----------------------------------------------------------------


class HelloFrame(_ClientFrame):
    type: Literal["hello"]
    resume: dict[ChatId, Annotated[int, Field(ge=0, le=2**31)]] = Field(
        default_factory=dict, max_length=50
    )
    acks: AckMode = "all"


class ClaimFrame(_ClientFrame):
    type: Literal["claim"]
    chat_id: ChatId


class ResponderSendFrame(_ClientFrame):
    type: Literal["send"]
    chat_id: ChatId
    client_id: ClientId
    text: Text


class ResponderTypingFrame(_ClientFrame):
    type: Literal["typing"]
    chat_id: ChatId
    active: bool


class ResponderEndFrame(_ClientFrame):
    type: Literal["end"]
    chat_id: ChatId


class BlockFrame(_ClientFrame):
    """End an abusive chat and keep its network from opening chats for a while."""

    type: Literal["block"]
    chat_id: ChatId


# backup support and transfer (docs/protocol.md, "Backup, escalation and transfer")


class SupportFrame(_ClientFrame):
    """The expert asks the backup of their shift for support in one of their chats."""

    type: Literal["support"]
    chat_id: ChatId


class StandInFrame(_ClientFrame):
    """A professional answers an expert's request for a stand-in: they become its backup."""

    type: Literal["stand_in"]
    chat_id: ChatId


class WatchFrame(_ClientFrame):
    """The backup opens a chat it was asked about: history, notes and live messages."""

    type: Literal["watch"]
    chat_id: ChatId


class NoteFrame(_ClientFrame):
    """A note only the chat's holder and its backup see; never the youth."""

    type: Literal["note"]
    chat_id: ChatId
    text: Text


class JoinFrame(_ClientFrame):
    type: Literal["join"]
    chat_id: ChatId


class TakeOverFrame(_ClientFrame):
    type: Literal["take_over"]
    chat_id: ChatId


class TransferFrame(_ClientFrame):
    type: Literal["transfer"]
    chat_id: ChatId
    to: int = Field(ge=1, le=2**31)


class TransferAnswerFrame(_ClientFrame):
    type: Literal["transfer_answer"]
    chat_id: ChatId
    accept: bool


SUPPORT_FRAMES = (
    SupportFrame,
    StandInFrame,
    WatchFrame,
    NoteFrame,
    JoinFrame,
    TakeOverFrame,
    TransferFrame,
    TransferAnswerFrame,
)

ResponderFrame = Annotated[
    HelloFrame
    | ClaimFrame
    | ResponderSendFrame
    | ResponderTypingFrame
    | ResponderEndFrame
    | BlockFrame
    | SupportFrame
    | StandInFrame
    | WatchFrame
    | NoteFrame
    | JoinFrame
    | TakeOverFrame
    | TransferFrame
    | TransferAnswerFrame
    | PingFrame,
    Field(discriminator="type"),
]

YOUTH_FRAMES: TypeAdapter[YouthFrame] = TypeAdapter(YouthFrame)
RESPONDER_FRAMES: TypeAdapter[ResponderFrame] = TypeAdapter(ResponderFrame)
YOUTH_TYPES = frozenset({"open", "resume", "send", "typing", "end", "lang", "ping"})
RESPONDER_TYPES = frozenset(
    {"hello", "claim", "send", "typing", "end", "block", "ping"}
    | {"support", "stand_in", "watch", "note", "join", "take_over", "transfer", "transfer_answer"}
)

# --- server -> client (schema) -----------------------------------------------------------


class _ServerFrame(BaseModel):
    model_config = ConfigDict(extra="forbid")
    v: Literal[1] = 1


class ResponderInfo(BaseModel):
    role: Literal["professional", "experience_expert", "coordinator"]
    name: str


class MessageAuthor(BaseModel):
    """Who wrote a responder's message; ``id`` only to consoles (to tell their own)."""

    id: int | None = None
    role: Literal["professional", "experience_expert", "coordinator"]
    name: str


class MessageOut(BaseModel):
    model_config = ConfigDict(extra="forbid")
    seq: int
    sender: Literal["youth", "responder"]
    text: str
    at: datetime
    client_id: str | None = None
    chat_id: str | None = None
    #: a responder's message: who wrote it (an expert and the backup may both write)
    author: MessageAuthor | None = None


class OpenedOut(_ServerFrame):
    type: Literal["opened"]
    token: str
    state: Literal["waiting"]


class QueueOut(_ServerFrame):
    type: Literal["queue"]
    position: int
    waiting: int
    estimate_secs: int | None


class ResumedOut(_ServerFrame):
    type: Literal["resumed"]
    state: Literal["waiting", "active"]
    responder: ResponderInfo | None
    #: the expert's backup who joined and writes beside the responder (else null)
    joined: ResponderInfo | None = None
    messages: list[MessageOut]
    last_seq: int


class WelcomeOut(_ServerFrame):
    type: Literal["welcome"]
    responder: dict[str, Any]
    cap: int
    on_duty: bool
    shift_ends_at: datetime | None = None
    #: experience experts on a shift: is the backup's console connected now (else null)
    backup_present: bool | None = None
    #: professionals: the experts whose running shift they back now, ``{role, name, ends_at}``
    #: (such a shift is open only while the backup's console is)
    backing: list[dict[str, str]] = Field(default_factory=list)


class TagOut(_ServerFrame):
    type: Literal["tag"]
    chat_id: str
    waiting_since: datetime
    lang: str
    reminder: bool
    #: the chat waited past CHATSUPPORT_ESCALATE_AFTER_SECS (escalated once)
    urgent: bool = False
    #: the young person opened it with "I need help now" (every tag of the chat says so)
    youth_urgent: bool = False
    #: an active chat whose responder is gone: ``claim`` takes it over
    holder_gone: bool = False


class TakenOut(_ServerFrame):
    type: Literal["taken"]
    chat_id: str
    #: claimed by someone, the youth left, or (a chat whose responder was gone) they came back
    reason: Literal["claimed", "left", "back"]


class ClaimedOut(_ServerFrame):
    """To the winning responder (chat_id, messages, last_seq) or the youth (responder)."""

    type: Literal["claimed"]
    chat_id: str | None = None
    messages: list[MessageOut] | None = None
    last_seq: int | None = None
    responder: ResponderInfo | None = None


class ChatOut(_ServerFrame):
    type: Literal["chat"]
    chat_id: str
    state: Literal["active"]
    lang: str
    messages: list[MessageOut]
    last_seq: int
    #: the expert's backup who joined and writes beside the holder (else null)
    joined: ResponderInfo | None = None
    #: the expert asked the backup for support (the console's button stays "asked")
    support_asked: bool = False
    #: the notes between the expert and the backup so far (``note`` frames), oldest first
    notes: list[NoteOut] = Field(default_factory=list)
    #: opened with "I need help now"
    youth_urgent: bool = False
    #: the backup asked in this chat, or the stand-in who answered (null: none yet)
    support_backup: ResponderInfo | None = None
    #: why support was asked (``asked``, ``backup_left``); null when it was not
    support_reason: SupportReason | None = None


class AckOut(_ServerFrame):
    type: Literal["ack"]
    client_id: str
    seq: int
    chat_id: str | None = None


class MessageFrameOut(MessageOut):
    v: Literal[1] = 1
    type: Literal["message"]


class TypingOut(_ServerFrame):
    type: Literal["typing"]
    active: bool
    chat_id: str | None = None


class EndedOut(_ServerFrame):
    type: Literal["ended"]
    reason: Literal["youth_ended", "responder_ended", "youth_left", "youth_quick_exit"]
    state: Literal["ended", "missed"]
    chat_id: str | None = None
    #: to consoles: the youth had the messages deleted at once
    forgotten: bool | None = None


class SupportRequestedOut(_ServerFrame):
    """To the expert: the backup has been alerted (``stand_in``: the backup is not there, the
    professionals connected now were asked instead)."""

    type: Literal["support_requested"]
    chat_id: str
    stand_in: bool = False
    #: the backup alerted (null: the professionals connected now were asked as stand-ins)
    backup: ResponderInfo | None = None
    #: ``asked``: the expert asked; ``backup_left``: the server asked, the backup left
    reason: SupportReason = SupportReason.ASKED


class SupportAlertOut(_ServerFrame):
    """To every console of the backup: the expert asks for support in ``chat_id``; with
    ``stand_in``, to every professional's: the backup is not there, can you stand in?"""

    type: Literal["support_alert"]
    chat_id: str
    expert: ResponderInfo
    lang: str
    stand_in: bool = False
    #: of the request that made the chat's backup, or that is open now
    reason: SupportReason = SupportReason.ASKED


class StandInOut(_ServerFrame):
    """To the expert: ``backup`` answered the request as the stand-in backup."""

    type: Literal["stand_in"]
    chat_id: str
    backup: ResponderInfo


class SupportTakenOut(_ServerFrame):
    """To the other professionals asked as stand-ins: someone answered; withdraw the alert."""

    type: Literal["support_taken"]
    chat_id: str


class NoteOut(_ServerFrame):
    """A private note (to the holder's and the backup's consoles only)."""

    type: Literal["note"]
    chat_id: str
    id: int
    author: ResponderInfo
    text: str
    at: datetime


class WatchingOut(_ServerFrame):
    """To the backup: the chat so far (messages after 0, notes); live messages follow."""

    type: Literal["watching"]
    chat_id: str
    lang: str
    messages: list[MessageOut]
    notes: list[NoteOut]
    last_seq: int
    joined: bool = False  # the backup had joined (after a reload: may write again)


class JoinedOut(_ServerFrame):
    """Another worker joined or took over (youth: no chat_id; responders: chat_id)."""

    type: Literal["joined"]
    responder: ResponderInfo
    chat_id: str | None = None


class HandedOverOut(_ServerFrame):
    """To the former holder: the chat is no longer yours."""

    type: Literal["handed_over"]
    chat_id: str
    to: ResponderInfo
    reason: Literal["take_over", "transfer", "holder_gone"]


class TransferOut(_ServerFrame):
    """A transfer offer and what became of it (to the offerer and the one offered)."""

    type: Literal["transfer"]
    chat_id: str
    status: Literal["offered", "accepted", "declined", "expired"]
    offered_by: ResponderInfo | None = None
    expires_at: datetime | None = None
    lang: str | None = None  # with offered_by: the chat's language
    youth_urgent: bool | None = None  # with offered_by: the youth said they need help now


class BackupOut(_ServerFrame):
    """To an experience expert: whether their backup's console is connected changed."""

    type: Literal["backup"]
    present: bool


class ClosedNowOut(_ServerFrame):
    """To a youth whose chat still waits when the service closes: when it opens next and
    the always-open services (the ``closed`` object of ``service.closed``)."""

    type: Literal["closed_now"]
    closed: dict[str, Any]


class OpenAgainOut(_ServerFrame):
    """To a youth told ``closed_now`` whose chat still waits: the service opened again."""

    type: Literal["open_again"]


class StillWaitingOut(_ServerFrame):
    """To a youth waiting past the escalation time: services open right now."""

    type: Literal["still_waiting"]
    services: str


class HolderAwayOut(_ServerFrame):
    """To the youth: the responder's console has been gone a while; others were asked."""

    type: Literal["holder_away"]


class HolderBackOut(_ServerFrame):
    """To the youth: that responder is back."""

    type: Literal["holder_back"]


class DebriefPerson(BaseModel):
    id: int
    role: Literal["professional", "experience_expert", "coordinator"]
    name: str


class DebriefInfo(BaseModel):
    """An experience expert's debrief request: no chat id, no level, no text (by design)."""

    model_config = ConfigDict(extra="forbid")
    id: int
    expert: DebriefPerson
    reason: Literal["heavy_chat", "asked"]
    requested_at: datetime
    backup: DebriefPerson | None  # the professional asked; null: any professional
    answered_by: DebriefPerson | None
    answered_at: datetime | None


class DebriefOut(_ServerFrame):
    """To the expert and the professionals asked: a debrief was asked or answered."""

    type: Literal["debrief"]
    debrief: DebriefInfo


class TimeSpan(BaseModel):
    opens: datetime
    closes: datetime


class OpeningTexts(BaseModel):
    opening: str
    closed: str
    emergency: str


class ClosedInfo(BaseModel):
    """Opening hours as ``GET /api/public/opening`` gives them; local times with offset."""

    open: bool
    accepts_new_chats: bool
    now: datetime
    time_zone: str
    today: list[TimeSpan]
    closes_at: datetime | None
    new_chats_until: datetime | None
    next_opens_at: datetime | None
    answered_by: list[Literal["professional", "experience_expert"]]
    #: languages the responders on an open shift now answer in (empty when closed)
    languages_now: list[Lang]
    lang: Literal["fi", "sv", "en"]
    texts: OpeningTexts


class LangOut(_ServerFrame):
    """To consoles with the chat tagged or open: the youth chose another language."""

    type: Literal["lang"]
    chat_id: str
    lang: Lang


class DutyOut(_ServerFrame):
    """The console's duty changed while it was connected (fields as in ``welcome``)."""

    type: Literal["duty"]
    on_duty: bool
    shift_ends_at: datetime | None = None
    backing: list[dict[str, str]] = Field(default_factory=list)


class PongOut(_ServerFrame):
    type: Literal["pong"]


class ErrorOut(_ServerFrame):
    type: Literal["error"]
    code: str
    message: str
    ref: str | None = None
    closed: ClosedInfo | None = None


ServerFrame = Annotated[
    OpenedOut
    | QueueOut
    | ResumedOut
    | WelcomeOut
    | TagOut
    | TakenOut
    | ClaimedOut
    | ChatOut
    | AckOut
    | MessageFrameOut
    | TypingOut
    | EndedOut
    | ErrorOut
    | SupportRequestedOut
    | SupportAlertOut
    | StandInOut
    | SupportTakenOut
    | NoteOut
    | WatchingOut
    | JoinedOut
    | HandedOverOut
    | TransferOut
    | BackupOut
    | StillWaitingOut
    | HolderAwayOut
    | HolderBackOut
    | ClosedNowOut
    | OpenAgainOut
    | DebriefOut
    | LangOut
    | DutyOut
    | PongOut,
    Field(discriminator="type"),
]
SERVER_FRAMES: TypeAdapter[ServerFrame] = TypeAdapter(ServerFrame)


def json_schema() -> dict[str, Any]:
    """The protocol as JSON Schema: client frames per endpoint, and server frames."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": f"chatsupport wire protocol v{PROTOCOL_VERSION}",
        "description": "See docs/protocol.md for the meaning and delivery guarantees.",
        "$defs": {
            "youth_to_server": YOUTH_FRAMES.json_schema(),
            "responder_to_server": RESPONDER_FRAMES.json_schema(),
            "server_to_client": SERVER_FRAMES.json_schema(mode="serialization"),
        },
    }


# --- parsing -----------------------------------------------------------------------------


class FrameError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _depth(value: object, level: int = 0) -> int:
    if level > MAX_JSON_DEPTH:
        return level
    if isinstance(value, dict):
        return max((_depth(v, level + 1) for v in value.values()), default=level + 1)
    if isinstance(value, list):
        return max((_depth(v, level + 1) for v in value), default=level + 1)
    return level


def parse(raw: str, adapter: TypeAdapter[Any], known_types: frozenset[str]) -> Any:
    """Parse one client frame or raise ``FrameError`` with a stable code (never echoing input).

    A valid frame takes one pass of pydantic's own JSON parser; only a frame that fails it is
    parsed again step by step, to name what is wrong (that path is also what keeps deep nesting
    out: a frame that validates is at most three levels deep).
    """
    with contextlib.suppress(ValidationError):
        return adapter.validate_json(raw)
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        raise FrameError("frame.invalid", "expected one JSON object") from None
    if not isinstance(data, dict):
        raise FrameError("frame.invalid", "expected one JSON object")
    if _depth(data) > MAX_JSON_DEPTH:
        raise FrameError("frame.invalid", "the frame is nested too deeply")
    if data.get("v", PROTOCOL_VERSION) != PROTOCOL_VERSION:
        raise FrameError("protocol.unsupported_version", f"expected v={PROTOCOL_VERSION}")
    kind = data.get("type")
    if not isinstance(kind, str) or kind not in known_types:  # a list or dict is unhashable
        raise FrameError(
            "frame.unknown_type", "type: expected one of " + ", ".join(sorted(known_types))
        )
    try:
        return adapter.validate_python(data)
    except ValidationError as exc:
        raise FrameError("frame.invalid", _describe(exc)) from None


def _client_field_names() -> frozenset[str]:
    models = [*_ClientFrame.__subclasses__()]
    return frozenset(name for model in models for name in model.model_fields)


#: Field names a client may send. An error names only these: a name the client made up
#: (an unknown field, a key in ``resume``) is client text and is never echoed back.
CLIENT_FIELD_NAMES = _client_field_names()


def _describe(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors()[:3]:
        location = ".".join(_safe_part(p) for p in err["loc"][1:])  # drop the union tag
        problem = "unknown field" if err["type"] == "extra_forbidden" else err["msg"]
        parts.append(f"{location or 'frame'}: {problem}")
    return "; ".join(parts)


def _safe_part(part: str | int) -> str:
    return str(part) if isinstance(part, int) or part in CLIENT_FIELD_NAMES else "*"


# --- building server frames (hot path: plain dicts) --------------------------------------


def frame(kind: str, **fields: Any) -> dict[str, Any]:
    return {"v": PROTOCOL_VERSION, "type": kind, **fields}


def encode(data: dict[str, Any]) -> str:
    """A frame as the text sent on the socket: compact JSON, non-ASCII text as UTF-8.

    orjson, not ``json``: the standard encoder was 5 % of the event loop's CPU under load,
    one call per frame sent (bench/README.md, "fifth session")."""
    return orjson.dumps(data).decode()


def message_out(message: Message, *, own_side: bool, to_console: bool) -> dict[str, Any]:
    """A message as frames carry it. ``at`` stays a datetime: ``encode`` (orjson) writes it as
    ``isoformat`` would, without a Python call per message and connection."""
    out: dict[str, Any] = {
        "seq": message.seq,
        "sender": message.sender.value,
        "text": message.text,
        "at": message.at,
    }
    if own_side:
        out["client_id"] = message.client_id
    if to_console:  # a console may hold several chats
        out["chat_id"] = message.chat_id
    author = message.author
    if author is not None:
        # to a console with the id (its own messages are told apart by it); the youth is told
        # the role and name only, as when someone answers or joins
        out["author"] = (
            {"id": author.id, "role": author.role, "name": author.name}
            if to_console
            else {"role": author.role, "name": author.name}
        )
    return out


def error(code: str, message: str, ref: str | None = None) -> dict[str, Any]:
    return frame("error", code=code, message=message, ref=ref)


def debrief_view(debrief: Debrief) -> dict[str, Any]:
    """The JSON of a debrief, as the ``debrief`` frame and ``GET /api/debriefs`` give it."""
    return {
        "id": debrief.id,
        "expert": asdict(debrief.expert),
        "reason": debrief.reason.value,
        "requested_at": debrief.requested_at.isoformat(),
        "backup": asdict(debrief.backup) if debrief.backup else None,
        "answered_by": asdict(debrief.answered_by) if debrief.answered_by else None,
        "answered_at": debrief.answered_at.isoformat() if debrief.answered_at else None,
    }
