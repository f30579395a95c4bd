"""The rota: weekly shifts, dated extra shifts and closures, and the rules that validate them.

Pure values, no I/O. What the rota means at an instant is in ``rota_schedule``.

Rules (also in docs/architecture.md, "Rota rules"):

- A shift runs from ``starts`` to ``ends`` in local time of the configured zone. Without
  ``ends_next_day`` the end must be after the start on the same day; with it the shift crosses
  midnight and ``ends`` (which must then be at or before ``starts``) is on the next day. A
  shift is at most 24 hours. A weekly shift belongs to the weekday it *starts* on.
- A shift either repeats weekly (``weekday``, 0 = Monday) or is an extra one-off shift on a
  ``date``. Closures (holidays, closed hours) cut weekly shifts only: an extra shift on a
  closed day is the coordinator's explicit exception to the exception.
- An experience-expert shift must name a backup professional; the backup must be an active
  professional. Assigned responders must be active and have the shift's role.
- A responder is never on two shifts that overlap in local time (weekly against weekly,
  weekly against dated, dated against dated); the backup is not "on" the shift for this rule.
  Only time still to come counts: a weekly shift has no start date (it applies from whenever
  it is saved, so it repeats from now on, and two weekly shifts that overlap always will
  again), but a dated shift happens once, so time it shares with another shift that is
  already over is no conflict (a past extra shift does not block planning).
- Closed hours are within one day: ``ends`` after ``starts``, except that an ``ends`` of 00:00
  (after a later start) means midnight at the end of that day (24:00), "closed for the rest of
  the day". A night shift is closed only until that midnight; its part after it still runs.
- A dated entry (extra shift or closed hours) at a local time that does not exist on its
  date (the spring-forward hour) is refused. For weekly shifts the DST rule of
  ``rota_schedule.local_instant`` applies on that one day.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from chatsupport.domain.errors import Conflict, InvalidInput
from chatsupport.domain.roles import Role

DAY = timedelta(days=1)
MIDNIGHT = time(0)
WEEK = timedelta(days=7)

# Stable error codes (docs/architecture.md, "Rota rules").
END_BEFORE_START = "rota.end_before_start"
BAD_WEEKDAY = "rota.bad_weekday"
WEEKDAY_OR_DATE = "rota.weekday_or_date"
NO_RESPONDERS = "rota.no_responders"
UNKNOWN_RESPONDER = "rota.unknown_responder"
INACTIVE_RESPONDER = "rota.inactive_responder"
ROLE_MISMATCH = "rota.role_mismatch"
BACKUP_REQUIRED = "rota.backup_required"
BACKUP_NOT_PROFESSIONAL = "rota.backup_not_professional"
BACKUP_NOT_ALLOWED = "rota.backup_not_allowed"
OVERLAP = "rota.overlap"
NONEXISTENT_TIME = "rota.nonexistent_time"
CLOSURE_TIMES_INCOMPLETE = "rota.closure_times_incomplete"
CLOSURE_EXISTS = "rota.closure_exists"


class ShiftRole(StrEnum):
    PROFESSIONAL = "professional"
    EXPERIENCE_EXPERT = "experience_expert"


@dataclass(frozen=True, slots=True)
class Shift:
    """A weekly shift (``weekday`` set) or an extra one-off shift (``on_date`` set)."""

    id: int
    role: ShiftRole
    starts: time
    ends: time
    responder_ids: frozenset[int]
    weekday: int | None = None
    on_date: date | None = None
    ends_next_day: bool = False
    backup_id: int | None = None

    @property
    def weekly(self) -> bool:
        return self.on_date is None

    @property
    def staffed(self) -> bool:
        """Someone can answer on it: a responder left on it (the deactivated are left out
        when deciding) and, on an experience-expert shift, a backup."""
        if not self.responder_ids:
            return False
        return self.role is ShiftRole.PROFESSIONAL or self.backup_id is not None

    @property
    def length(self) -> timedelta:
        """Nominal length in local wall time (a DST day may make the real one an hour off)."""
        day = date(2000, 1, 3)
        return _naive_end(day, self) - datetime.combine(day, self.starts)


@dataclass(frozen=True, slots=True)
class Closure:
    """The service is closed on ``on_date``: all day, or from ``starts`` to ``ends``."""

    id: int
    on_date: date
    starts: time | None = None
    ends: time | None = None
    note: str = ""

    @property
    def whole_day(self) -> bool:
        return self.starts is None

    @property
    def ends_at_midnight(self) -> bool:
        """Closed hours that end at 00:00 after a later start: to the end of the day (24:00)."""
        return self.ends == MIDNIGHT and self.starts is not None and self.starts > MIDNIGHT


@dataclass(frozen=True, slots=True)
class Rota:
    zone: ZoneInfo
    shifts: tuple[Shift, ...] = ()
    closures: tuple[Closure, ...] = ()


@dataclass(frozen=True, slots=True)
class StaffMember:
    """What the rota needs to know about an account."""

    role: Role
    active: bool


# --- validation --------------------------------------------------------------------------


class ShiftOverlap(Conflict):
    """``responder_id`` already has ``other``, which shares local time to come with the shift.

    ``details`` are extra JSON-ready fields of the error body: which shift, in the rota's own
    terms (no input that arrived, only what is stored), so a page can say it in its language.
    """

    code = OVERLAP

    def __init__(self, *, responder_id: int, other: Shift) -> None:
        super().__init__(
            f"responder_ids: responder {responder_id} already has shift {describe_shift(other)} "
            "overlapping this one"
        )
        self.responder_id = responder_id
        self.other = other

    @property
    def details(self) -> dict[str, object]:
        other = self.other
        return {
            "conflict": {
                "shift_id": other.id,
                "responder_id": self.responder_id,
                "role": other.role.value,
                "weekday": other.weekday,
                "date": other.on_date.isoformat() if other.on_date else None,
                "starts": other.starts.isoformat("minutes"),
                "ends": other.ends.isoformat("minutes"),
                "ends_next_day": other.ends_next_day,
            }
        }


_WEEKDAY_ABBR = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def describe_shift(shift: Shift) -> str:
    """'11 (Wed 25.11.2026 10:00-12:00)' or '7 (every Mon 22:00-02:00 next day)'."""
    times = f"{shift.starts.isoformat('minutes')}-{shift.ends.isoformat('minutes')}"
    if shift.ends_next_day:
        times += " next day"
    if shift.on_date is not None:
        day = shift.on_date
        when = f"{_WEEKDAY_ABBR[day.weekday()]} {day.day}.{day.month}.{day.year}"
    else:
        assert shift.weekday is not None
        when = f"every {_WEEKDAY_ABBR[shift.weekday]}"
    return f"{shift.id} ({when} {times})"


def validate_shift(
    shift: Shift,
    *,
    staff: Mapping[int, StaffMember],
    others: Iterable[Shift],
    zone: ZoneInfo,
    now: datetime,
) -> None:
    """Refuse a shift that breaks a rota rule; ``others`` are the rest of the rota's shifts.

    Overlap counts only local time after ``now`` (see ``shifts_overlap``).
    """
    _check_when(shift, zone)
    _check_people(shift, staff)
    after = now.astimezone(zone).replace(tzinfo=None)
    for other in others:
        shared = shift.responder_ids & other.responder_ids
        if other.id != shift.id and shared and shifts_overlap(shift, other, after=after):
            raise ShiftOverlap(responder_id=min(shared), other=other)


def validate_closure(closure: Closure, *, zone: ZoneInfo, others: Iterable[Closure] = ()) -> None:
    """Refuse closed hours that break a rule; ``others``: the rota's other closures (the same
    date and times twice is a slip, and would read as two rows to delete)."""
    for other in others:
        same = (other.on_date, other.starts, other.ends) == (
            closure.on_date,
            closure.starts,
            closure.ends,
        )
        if same and other.id != closure.id:
            raise Conflict(f"closure {other.id} closes the same time", code=CLOSURE_EXISTS)
    if (closure.starts is None) != (closure.ends is None):
        raise InvalidInput(
            "starts, ends: give both for closed hours, or neither for a whole day",
            code=CLOSURE_TIMES_INCOMPLETE,
        )
    if closure.starts is not None and closure.ends is not None:
        if closure.ends <= closure.starts and not closure.ends_at_midnight:
            raise InvalidInput(
                "ends: expected a time after starts (or 00:00 for the end of the day)",
                code=END_BEFORE_START,
            )
        _require_existing("starts", closure.on_date, closure.starts, zone)
        end_day = closure.on_date + DAY if closure.ends_at_midnight else closure.on_date
        _require_existing("ends", end_day, closure.ends, zone)


def _check_when(shift: Shift, zone: ZoneInfo) -> None:
    if (shift.weekday is None) == (shift.on_date is None):
        raise InvalidInput("weekday, date: give exactly one of them", code=WEEKDAY_OR_DATE)
    if shift.weekday is not None and not 0 <= shift.weekday <= 6:
        raise InvalidInput("weekday: expected 0 (Monday) to 6 (Sunday)", code=BAD_WEEKDAY)
    if shift.ends_next_day and shift.ends > shift.starts:
        raise InvalidInput(
            "ends: a shift ending the next day must end at or before its start time "
            "(at most 24 hours)",
            code=END_BEFORE_START,
        )
    if not shift.ends_next_day and shift.ends <= shift.starts:
        raise InvalidInput(
            "ends: expected a time after starts (set ends_next_day for a shift past midnight)",
            code=END_BEFORE_START,
        )
    if shift.on_date is not None:
        _require_existing("starts", shift.on_date, shift.starts, zone)
        end_day = shift.on_date + DAY if shift.ends_next_day else shift.on_date
        _require_existing("ends", end_day, shift.ends, zone)


def _check_people(shift: Shift, staff: Mapping[int, StaffMember]) -> None:
    if not shift.responder_ids:
        raise InvalidInput("responder_ids: expected at least one responder", code=NO_RESPONDERS)
    for rid in sorted(shift.responder_ids):
        member = _known("responder_ids", rid, staff)
        if member.role.value != shift.role.value:
            raise InvalidInput(
                f"responder_ids: responder {rid} is not a {shift.role.value} "
                "(assigned responders must have the shift's role)",
                code=ROLE_MISMATCH,
            )
    if shift.role is ShiftRole.PROFESSIONAL:
        if shift.backup_id is not None:
            raise InvalidInput(
                "backup_id: only an experience-expert shift has a backup", code=BACKUP_NOT_ALLOWED
            )
        return
    if shift.backup_id is None:
        raise InvalidInput(
            "backup_id: an experience-expert shift must name a backup professional",
            code=BACKUP_REQUIRED,
        )
    if _known("backup_id", shift.backup_id, staff).role is not Role.PROFESSIONAL:
        raise InvalidInput(
            "backup_id: the backup must be a professional", code=BACKUP_NOT_PROFESSIONAL
        )


def _known(field: str, rid: int, staff: Mapping[int, StaffMember]) -> StaffMember:
    member = staff.get(rid)
    if member is None:
        raise InvalidInput(f"{field}: no responder with id {rid}", code=UNKNOWN_RESPONDER)
    if not member.active:
        raise InvalidInput(f"{field}: responder {rid} is deactivated", code=INACTIVE_RESPONDER)
    return member


def _require_existing(field: str, day: date, at: time, zone: ZoneInfo) -> None:
    if not local_time_exists(day, at, zone):
        raise InvalidInput(
            f"{field}: {at.isoformat('minutes')} does not exist on {day.isoformat()} "
            "(clocks jump forward); choose a time after the change",
            code=NONEXISTENT_TIME,
        )


def local_time_exists(day: date, at: time, zone: ZoneInfo) -> bool:
    """False for a wall time skipped by a spring-forward change on ``day``."""
    local = datetime.combine(day, at, tzinfo=zone)
    return local.astimezone(ZoneInfo("UTC")).astimezone(zone).replace(tzinfo=None) == (
        local.replace(tzinfo=None)
    )


# --- overlap in local wall time ----------------------------------------------------------


def _naive_end(day: date, shift: Shift) -> datetime:
    return datetime.combine(day + DAY if shift.ends_next_day else day, shift.ends)


def _naive_spans(shift: Shift, around: date | None) -> list[tuple[datetime, datetime]]:
    """Local wall-time spans of ``shift``; weekly shifts on the days near ``around``."""
    if shift.on_date is not None:
        return [(datetime.combine(shift.on_date, shift.starts), _naive_end(shift.on_date, shift))]
    assert shift.weekday is not None
    base = around or date(2000, 1, 3)  # a Monday
    monday = base - timedelta(days=base.weekday())
    days = [monday + timedelta(days=shift.weekday) + k * WEEK for k in (-1, 0, 1)]
    return [(datetime.combine(d, shift.starts), _naive_end(d, shift)) for d in days]


def shifts_overlap(a: Shift, b: Shift, *, after: datetime | None = None) -> bool:
    """Whether two shifts share any local wall time (touching ends do not overlap).

    With ``after`` (a naive local wall time, "now"), only shared time after it counts. Two
    weekly shifts repeat for ever, so ``after`` changes nothing for them; a dated shift
    happens once, and the weekly occurrences that meet it are the ones around its date.
    """
    around = a.on_date or b.on_date
    if around is None:
        after = None
    return any(
        max(s1, s2) < min(e1, e2) and (after is None or min(e1, e2) > after)
        for s1, e1 in _naive_spans(a, around)
        for s2, e2 in _naive_spans(b, around)
    )
