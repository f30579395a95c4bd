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
#: Asked of a backup who has not answered in this long, any professional may answer: the
#: backup may have gone home, and the expert must not be left waiting alone.
OPEN_TO_ALL_AFTER = timedelta(minutes=15)

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


def heavy(form: DiaryForm) -> bool:
    """A chat of concern level 2-3, or one that needed an emergency action."""
    emergency = any(action != NONE for action in form.emergency_actions)
    return (form.concern_level or 0) >= 2 or emergency


def debrief_due(role: Role, form: DiaryForm) -> bool:
    """Does filing this record ask for a debrief for the one who files it? Only an
    experience expert's heavy chat (``experts_to_debrief`` covers the experts who were in a
    chat someone else files)."""
    return role is Role.EXPERIENCE_EXPERT and heavy(form)


def experts_to_debrief(filer_id: int, experts_in_chat: set[int], form: DiaryForm) -> set[int]:
    """The experience experts who wrote in a heavy chat that someone else files: the chat
    left them (a take-over, a transfer, a colleague continuing when their console was gone),
    but what they heard in it still calls for a debrief (DOMAIN.md 3.1 step 6)."""
    return experts_in_chat - {filer_id} if heavy(form) else set()


def whom_to_ask(candidates: list[int | None], connected: frozenset[int]) -> int | None:
    """The first candidate (the professional who backed the chat, then the backup of the
    expert's shift) whose console is connected now; None (any professional may answer) when
    none is: a request must not wait for someone who has gone home."""
    return next((c for c in candidates if c is not None and c in connected), None)


def check_may_ask(role: Role) -> None:
    if role is not Role.EXPERIENCE_EXPERT:
        raise Forbidden("Only an experience expert asks for a debrief.", code=DEBRIEF_NOT_EXPERT)


def asked_of(debrief: Debrief, *, responder_id: int, role: Role, now: datetime) -> bool:
    """The professional asked; any professional when nobody in particular was asked, or once
    the one asked has let ``OPEN_TO_ALL_AFTER`` pass."""
    if role is not Role.PROFESSIONAL:
        return False
    asked = debrief.backup
    overdue = now - debrief.requested_at >= OPEN_TO_ALL_AFTER
    return asked is None or asked.id == responder_id or overdue


def check_may_answer(debrief: Debrief, *, responder_id: int, role: Role, now: datetime) -> None:
    if not asked_of(debrief, responder_id=responder_id, role=role, now=now):
        raise Forbidden("This debrief was not asked of you.", code=DEBRIEF_NOT_YOURS)
    if debrief.answered_at is not None:
        raise Conflict("Someone has already answered this debrief.", code=DEBRIEF_ANSWERED)


def sees_to_answer(debrief: Debrief, *, responder_id: int, role: Role, now: datetime) -> bool:
    """Is this unanswered request one for this responder to answer now?"""
    return debrief.answered_at is None and asked_of(
        debrief, responder_id=responder_id, role=role, now=now
    )


class DebriefChanged(BaseModel):
    """A debrief was asked or answered (broker event; the database has it already)."""

    model_config = ConfigDict(frozen=True)
    kind: Literal["debrief"] = "debrief"
    debrief: Debrief
