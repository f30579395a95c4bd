"""Debrief (purku) after a heavy chat: when an experience expert needs one, who may answer.

DOMAIN.md 3.1 step 6: for experience experts a debrief with a professional is mandatory after
any level-2/3 chat; 3.5: the expert is never left alone. A debrief request says that the expert
needs a talk, never what the chat was about: no chat id, no level, no text travels with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict

from chatsupport.domain.chat import Author
from chatsupport.domain.diary import DiaryForm
from chatsupport.domain.errors import Conflict, Forbidden
from chatsupport.domain.roles import Role
from chatsupport.domain.taxonomy import NONE

#: The purge deletes a request this long after it was made.
KEEP_FOR = timedelta(days=30)
#: An expert's console lists their own requests of this long ago (answered ones included).
SHOWN_TO_EXPERT_FOR = timedelta(hours=24)

DEBRIEF_NOT_EXPERT = "debrief.not_expert"
DEBRIEF_NOT_FOUND = "debrief.not_found"
DEBRIEF_NOT_YOURS = "debrief.not_yours"
DEBRIEF_ANSWERED = "debrief.answered"


class DebriefReason(StrEnum):
    HEAVY_CHAT = "heavy_chat"  # an expert's record of concern level 2-3 or with an emergency action
    ASKED = "asked"  # the expert asked


@dataclass(frozen=True, slots=True)
class Debrief:
    id: int
    expert: Author
    reason: DebriefReason
    requested_at: datetime
    backup: Author | None  # the professional asked; None: any professional may answer
    answered_by: Author | None = None
    answered_at: datetime | None = None


def debrief_due(role: Role, form: DiaryForm) -> bool:
    """Does filing this record ask for a debrief? Only an experience expert's heavy chat."""
    if role is not Role.EXPERIENCE_EXPERT:
        return False
    emergency = any(action != NONE for action in form.emergency_actions)
    return (form.concern_level or 0) >= 2 or emergency


def check_may_ask(role: Role) -> None:
    if role is not Role.EXPERIENCE_EXPERT:
        raise Forbidden("Only an experience expert asks for a debrief.", code=DEBRIEF_NOT_EXPERT)


def check_may_answer(debrief: Debrief, *, responder_id: int, role: Role) -> None:
    """The professional asked answers; when nobody in particular was asked, any professional."""
    asked = debrief.backup
    mine = asked.id == responder_id if asked is not None else role is Role.PROFESSIONAL
    if role is not Role.PROFESSIONAL or not mine:
        raise Forbidden("This debrief was not asked of you.", code=DEBRIEF_NOT_YOURS)
    if debrief.answered_at is not None:
        raise Conflict("Someone has already answered this debrief.", code=DEBRIEF_ANSWERED)


def sees_to_answer(debrief: Debrief, *, responder_id: int, role: Role) -> bool:
    """Is this unanswered request one for this responder to answer?"""
    if role is not Role.PROFESSIONAL or debrief.answered_at is not None:
        return False
    return debrief.backup is None or debrief.backup.id == responder_id


class DebriefChanged(BaseModel):
    """A debrief was asked or answered (broker event; the database has it already)."""

    model_config = ConfigDict(frozen=True)
    kind: Literal["debrief"] = "debrief"
    debrief: Debrief
