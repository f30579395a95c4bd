"""The backup rule in a chat, unanswered-chat escalation and transfers: values and codes.

An experience expert is never left alone (DOMAIN.md 3.5): in a chat they can ask the backup
professional of their shift for support; the backup reads the chat, writes notes that only the
two of them see, joins or takes over. When that backup is not there, the professionals
connected now are asked instead, and the first who answers stands in as the chat's backup. A
chat nobody answers in time is escalated once; a responder can hand a chat to a colleague who
accepts it. Nothing here does I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict

from chatsupport.domain.roles import Role
from chatsupport.domain.rota import ShiftRole
from chatsupport.domain.rota_schedule import RotaStatus

# Stable codes (docs/protocol.md, "Error codes").
SUPPORT_NOT_EXPERT = "support.not_expert"
SUPPORT_NO_BACKUP = "support.no_backup"
SUPPORT_NOT_BACKUP = "support.not_backup"
SUPPORT_TAKEN = "support.taken"
TRANSFER_TARGET_OFF_DUTY = "transfer.target_off_duty"
TRANSFER_SELF = "transfer.self"
TRANSFER_NOT_OFFERED = "transfer.not_offered"


class HandOver(StrEnum):
    """Why a chat changed responder: the backup took it over, or a transfer was accepted."""

    TAKE_OVER = "take_over"
    TRANSFER = "transfer"
    HOLDER_GONE = "holder_gone"  # claimed from a responder whose console was gone


class SupportReason(StrEnum):
    """Why the stand-ins or the backup were asked: the expert pressed "Pyydä tukea", or the
    server asked because the backup of the expert's shift left while the chat went on."""

    ASKED = "asked"
    BACKUP_LEFT = "backup_left"


class TransferStatus(StrEnum):
    OFFERED = "offered"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    EXPIRED = "expired"


@dataclass(frozen=True, slots=True)
class Note:
    """A private note in a chat; its text is kept only as long as the chat's transcript."""

    id: int
    chat_id: str
    author_id: int | None
    text: str
    at: datetime


@dataclass(frozen=True, slots=True)
class TransferOffer:
    chat_id: str
    from_id: int
    to_id: int
    expires_at: datetime


def escalation_targets(status: RotaStatus, connected: frozenset[int]) -> frozenset[int]:
    """Who is alerted about an unanswered chat: every responder of an open professional
    shift, and the backup of every running experience-expert shift; only those connected."""
    professionals = {
        rid
        for o in status.open_shifts
        if o.shift.role is ShiftRole.PROFESSIONAL
        for rid in o.shift.responder_ids
    }
    backups = {o.shift.backup_id for o in status.active if o.shift.backup_id is not None}
    return frozenset((professionals | backups) & connected)


def holder_gone_targets(
    status: RotaStatus,
    roles: Mapping[int, Role],
    connected: frozenset[int],
    *,
    holder_id: int | None,
) -> frozenset[int]:
    """Who is asked to continue a chat whose responder is gone: everyone on an open shift, the
    backups of running expert shifts and every professional; only those connected, not the
    holder (docs/protocol.md, "A chat whose responder is gone")."""
    on_shift = {rid for o in status.open_shifts for rid in o.shift.responder_ids}
    wanted = (on_shift & connected) | escalation_targets(status, connected)
    return frozenset((wanted | stand_ins(roles, connected)) - {holder_id})


def stand_ins(roles: Mapping[int, Role], connected: frozenset[int]) -> frozenset[int]:
    """Who is asked when the expert's backup is not there: every professional connected now,
    on duty or not (DOMAIN.md 3.5: the backup's stand-in is alerted)."""
    return frozenset(rid for rid in connected if roles.get(rid) is Role.PROFESSIONAL)


@dataclass(frozen=True, slots=True)
class OnDuty:
    id: int
    role: str
    name: str
    connected: bool


@dataclass(frozen=True, slots=True)
class BackupAway:
    """An experience-expert shift that runs but does not open: its backup is not connected."""

    experts: tuple[str, ...]
    backup: str


@dataclass(frozen=True, slots=True)
class Situation:
    """The service right now, for the coordinator: counts and names, no chat ids or text."""

    open: bool
    accepts_new_chats: bool
    waiting: int
    waiting_escalated: int
    active: int
    active_holder_gone: int  # of the active chats, those whose responder is gone
    on_duty: tuple[OnDuty, ...]
    backups_away: tuple[BackupAway, ...]


# --- events the processes tell each other (part of ``domain.events.Event``) ----------------


class _SupportEvent(BaseModel):
    model_config = ConfigDict(frozen=True)


class SupportAsked(_SupportEvent):
    """The expert holding ``chat_id`` asked ``backup_id`` for support; or, with no
    ``backup_id``, asked the professionals ``stand_in_ids`` because the backup is not there."""

    kind: Literal["support_asked"] = "support_asked"
    chat_id: str
    backup_id: int | None
    expert_name: str
    lang: str
    stand_in_ids: list[int] = []
    reason: SupportReason = SupportReason.ASKED
    #: with ``BACKUP_LEFT`` the expert did not ask: their consoles are told (any process)
    expert_id: int | None = None


class StandInAnswered(_SupportEvent):
    """``backup_id`` answered first as the stand-in and is now the chat's backup."""

    kind: Literal["stand_in"] = "stand_in"
    chat_id: str
    backup_id: int
    backup_name: str
    expert_id: int | None
    expert_name: str
    lang: str
    reason: SupportReason = SupportReason.ASKED  # of the request the stand-in answered


class NotePosted(_SupportEvent):
    """A private note: delivered only to responder consoles following the chat."""

    kind: Literal["note"] = "note"
    chat_id: str
    note_id: int
    author_role: Role
    author_name: str
    text: str
    at: datetime


class BackupJoined(_SupportEvent):
    kind: Literal["backup_joined"] = "backup_joined"
    chat_id: str
    backup_id: int
    role: Role
    name: str


class ChatHandedOver(_SupportEvent):
    kind: Literal["handed_over"] = "handed_over"
    chat_id: str
    from_id: int
    to_id: int
    to_role: Role
    to_name: str
    reason: HandOver
    #: the former holder's backup (asked, stood in or joined), whose alert and view end
    former_backup_id: int | None = None
    #: the former holder's stand-ins were still being asked: their alerts end
    stand_ins_asked: bool = False


class HolderGone(_SupportEvent):
    """The responder holding ``chat_id`` has been gone too long: ``responder_ids`` get its tag
    again (``holder_gone``), the youth is told."""

    kind: Literal["holder_gone"] = "holder_gone"
    chat_id: str
    lang: str
    waiting_since: datetime
    youth_urgent: bool = False
    responder_ids: list[int]


class HolderBack(_SupportEvent):
    """The gone responder came back before anyone claimed the chat: tags withdrawn."""

    kind: Literal["holder_back"] = "holder_back"
    chat_id: str


class TransferChanged(_SupportEvent):
    kind: Literal["transfer"] = "transfer"
    chat_id: str
    status: TransferStatus
    from_id: int
    to_id: int
    from_name: str
    from_role: Role
    expires_at: datetime
    lang: str = "fi"  # what the one offered decides with: the chat's language, and
    youth_urgent: bool = False  # whether the young person said they need help now


class ChatEscalated(_SupportEvent):
    """A chat waited past the escalation time, or opened with "I need help now";
    ``responder_ids`` are alerted (see ``escalation_targets``)."""

    kind: Literal["escalated"] = "escalated"
    chat_id: str
    lang: str
    waiting_since: datetime
    responder_ids: list[int]
    youth_urgent: bool = False  # escalated at once: the young person said they need help now
