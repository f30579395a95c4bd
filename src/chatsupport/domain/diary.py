"""The contact-diary record: fixed codes only, no free text anywhere.

One record per chat. The *system part* (when, how long, language, quick exit, responder role,
backup involved, how the contact went) is computed from the chat when it ends; the *form part*
(contact type, outcome, caller, age band, concerns, level, flags, referrals) is filed by the
responder. Missed contacts and chats that ended before any message get no form.

Rules on the form (each refusal has a stable code; see docs/statistics.md):

* every code must exist in its taxonomy dimension and not be retired;
* a counselling conversation needs 1-3 concerns and a concern level;
* any list of concerns has exactly one primary and no repeats;
* level 2 or 3 needs the child-protection-concern flag and at least one referral (``NONE``
  counts as "no referral, on purpose");
* level 3 needs an emergency action other than ``NONE``;
* ``NONE`` stands alone in emergency actions and in referrals; every other referral says how.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from chatsupport.domain.chat import EndReason
from chatsupport.domain.errors import InvalidInput
from chatsupport.domain.taxonomy import COUNSELLING, NONE, SILENT, Dimension, Taxonomy

MAX_CONCERNS = 3
QUICK_EXIT_REASON = EndReason.YOUTH_QUICK_EXIT.value

DIARY_UNKNOWN_CODE = "diary.unknown_code"
DIARY_RETIRED_CODE = "diary.retired_code"
DIARY_MISSING_FIELD = "diary.missing_field"
DIARY_BAD_FIELD = "diary.bad_field"
DIARY_CONCERN_COUNT = "diary.concern_count"
DIARY_PRIMARY_CONCERN = "diary.primary_concern"
DIARY_DUPLICATE_CODE = "diary.duplicate_code"
DIARY_LEVEL_NEEDS_REFERRAL = "diary.level_needs_referral"
DIARY_LEVEL_NEEDS_EMERGENCY = "diary.level_needs_emergency"
DIARY_NONE_NOT_ALONE = "diary.none_not_alone"
DIARY_REFERRAL_HOW = "diary.referral_how"


class Origin(StrEnum):
    """How the contact went, decided by the system."""

    MISSED = "missed"  # nobody claimed it before the youth left
    NO_MESSAGES = "no_messages"  # claimed, but ended before any message: recorded as SILENT
    ANSWERED = "answered"  # claimed and at least one message: the responder files a form


class ConcernPick(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    code: str = Field(max_length=32)
    primary: bool = False


class ReferralPick(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    code: str = Field(max_length=32)
    how: str | None = Field(default=None, max_length=32)


class DiaryForm(BaseModel):
    """What the responder files. Codes are checked against the taxonomy by ``check_form``."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    contact_type: str = Field(max_length=32)
    outcome: str = Field(max_length=32)
    caller: str = Field(max_length=32)
    age_band: str = Field(max_length=32)
    concerns: tuple[ConcernPick, ...] = Field(default=(), max_length=10)
    concern_level: int | None = Field(default=None, ge=0, le=3)
    cp_concern: bool | None = None
    emergency_actions: tuple[str, ...] = Field(default=(), max_length=10)
    referrals: tuple[ReferralPick, ...] = Field(default=(), max_length=20)

    @property
    def primary_concern(self) -> str | None:
        return next((c.code for c in self.concerns if c.primary), None)


@dataclass(frozen=True, slots=True)
class SystemFields:
    """Filled from the chat when it ends; local date/hour/weekday in the service's zone."""

    local_date: date
    hour: int
    weekday: int  # 0 = Monday
    wait_secs: int | None
    duration_secs: int | None
    lang: str
    quick_exit: bool
    responder_role: str | None
    backup_involved: bool
    origin: Origin
    youth_urgent: bool = False  # opened with "I need help now" (DOMAIN.md 3.4)


@dataclass(frozen=True, slots=True)
class DiaryFact:
    """One stored record as statistics see it; ``form`` is None until filed (or never)."""

    system: SystemFields
    form: DiaryForm | None


def system_fields(
    *,
    created_at: datetime,
    claimed_at: datetime | None,
    ended_at: datetime,
    zone: ZoneInfo,
    lang: str,
    end_reason: str | None,
    responder_role: str | None,
    had_messages: bool,
    youth_urgent: bool = False,
) -> SystemFields:
    """The system part of a record for a chat that has just ended or been missed.

    Waiting time runs from opening to the claim (or to leaving, for a missed contact); duration
    runs from the claim to the end. Both are whole seconds.
    """
    local = created_at.astimezone(zone)
    waited_until = claimed_at or ended_at
    if claimed_at is None:
        origin = Origin.MISSED
    else:
        origin = Origin.ANSWERED if had_messages else Origin.NO_MESSAGES
    return SystemFields(
        local_date=local.date(),
        hour=local.hour,
        weekday=local.weekday(),
        wait_secs=max(0, round((waited_until - created_at).total_seconds())),
        duration_secs=None
        if claimed_at is None
        else max(0, round((ended_at - claimed_at).total_seconds())),
        lang=lang,
        quick_exit=end_reason == QUICK_EXIT_REASON,
        responder_role=responder_role,
        backup_involved=False,
        origin=origin,
        youth_urgent=youth_urgent,
    )


def parse_form(data: Mapping[str, Any]) -> DiaryForm:
    """Build a form from JSON-like data; missing fields and bad shapes get their own codes."""
    try:
        return DiaryForm.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(_safe_part(p) for p in first["loc"])
        if first["type"] == "missing":
            raise InvalidInput(f"{where} is required.", code=DIARY_MISSING_FIELD) from None
        raise InvalidInput(f"{where}: {first['msg']}", code=DIARY_BAD_FIELD) from None


_FIELD_NAMES = frozenset(DiaryForm.model_fields) | {"code", "primary", "how"}


def _safe_part(part: str | int) -> str:
    """A location step, unless it is a key the client made up (never echo the request)."""
    return str(part) if isinstance(part, int) or part in _FIELD_NAMES else "(unknown field)"


def check_form(form: DiaryForm, taxonomy: Taxonomy) -> None:
    """Raise InvalidInput with a stable code for the first rule the form breaks."""
    _check_codes(form, taxonomy)
    _check_concerns(form)
    _check_level(form)
    _check_none_alone(form)


def _check_code(taxonomy: Taxonomy, dimension: Dimension, code: str) -> None:
    term = taxonomy.get(dimension, code)
    if term is None:
        raise InvalidInput(f"Unknown {dimension.value} code.", code=DIARY_UNKNOWN_CODE)
    if term.retired:
        raise InvalidInput(f"That {dimension.value} code is retired.", code=DIARY_RETIRED_CODE)


def _check_codes(form: DiaryForm, taxonomy: Taxonomy) -> None:
    pairs = [
        (Dimension.CONTACT_TYPE, form.contact_type),
        (Dimension.OUTCOME, form.outcome),
        (Dimension.CALLER, form.caller),
        (Dimension.AGE_BAND, form.age_band),
        *((Dimension.CONCERN, c.code) for c in form.concerns),
        *((Dimension.EMERGENCY_ACTION, a) for a in form.emergency_actions),
        *((Dimension.REFERRAL, r.code) for r in form.referrals),
        *((Dimension.REFERRAL_HOW, r.how) for r in form.referrals if r.how is not None),
    ]
    for dimension, code in pairs:
        _check_code(taxonomy, dimension, code)
    if form.contact_type == SILENT:
        raise InvalidInput("Silent contacts are recorded by the system.", code=DIARY_BAD_FIELD)
    lists = (
        [c.code for c in form.concerns],
        list(form.emergency_actions),
        [r.code for r in form.referrals],
    )
    if any(len(set(codes)) != len(codes) for codes in lists):
        raise InvalidInput("A code may appear once in a list.", code=DIARY_DUPLICATE_CODE)


def _check_concerns(form: DiaryForm) -> None:
    counselling = form.contact_type == COUNSELLING
    if counselling and not form.concerns:
        raise InvalidInput("concerns is required for counselling.", code=DIARY_MISSING_FIELD)
    if len(form.concerns) > MAX_CONCERNS:
        raise InvalidInput(f"At most {MAX_CONCERNS} concerns.", code=DIARY_CONCERN_COUNT)
    primaries = sum(1 for c in form.concerns if c.primary)
    if form.concerns and primaries != 1:
        raise InvalidInput("Exactly one concern must be primary.", code=DIARY_PRIMARY_CONCERN)
    if counselling and form.concern_level is None:
        raise InvalidInput("concern_level is required for counselling.", code=DIARY_MISSING_FIELD)


def _check_level(form: DiaryForm) -> None:
    level = form.concern_level or 0
    if level >= 2 and form.cp_concern is None:
        raise InvalidInput("cp_concern is required at level 2 and 3.", code=DIARY_MISSING_FIELD)
    if level >= 2 and not form.referrals:
        raise InvalidInput(
            "Level 2 and 3 need a referral (or NONE).", code=DIARY_LEVEL_NEEDS_REFERRAL
        )
    if level == 3 and not [a for a in form.emergency_actions if a != NONE]:
        raise InvalidInput("Level 3 needs an emergency action.", code=DIARY_LEVEL_NEEDS_EMERGENCY)


def _check_none_alone(form: DiaryForm) -> None:
    referral_codes = [r.code for r in form.referrals]
    for codes in (list(form.emergency_actions), referral_codes):
        if NONE in codes and len(codes) > 1:
            raise InvalidInput(
                "NONE cannot be combined with other codes.", code=DIARY_NONE_NOT_ALONE
            )
    for pick in form.referrals:
        if (pick.code == NONE) != (pick.how is None):
            raise InvalidInput(
                "Every referral except NONE says how (and NONE does not).", code=DIARY_REFERRAL_HOW
            )
