"""What the rota means at an instant: open or closed, who is on duty, the next change.

Pure functions of ``(rota, now, connected)``; no I/O, no clock of their own.

Rules (also in docs/architecture.md, "Rota rules"):

- Local time to instant: a wall time that does not exist (the skipped hour of the
  spring-forward Sunday) moves to the first valid instant after the gap (03:30 -> 04:00 in
  Helsinki); an ambiguous one (the repeated hour of the fall-back Sunday) means its *first*
  occurrence (summer time). A shift whose start and end both fall in the gap has no time that
  day.
- A shift occurrence covers [start, end): on duty at its first instant, off at its end.
- Closures cut weekly occurrences (what is left outside the closed hours still runs);
  extra dated shifts are never cut. Closed hours ending at 00:00 run to the midnight that
  ends their day (``Closure.ends_at_midnight``); a night shift runs again after it.
- A professional shift is open while it runs. An experience-expert shift is open only while
  its backup professional is connected to the console (``connected``). A shift that is not
  ``staffed`` (every responder on it deactivated, or an expert shift whose backup is gone)
  is never open and is left out of the opening hours.
- Opening hours are the union of planned occurrences: shifts that touch or overlap merge
  into one period. ``closes_at`` and ``next_opens_at`` follow the plan of staffed shifts
  (they assume backups will be there); ``open`` and ``on_duty`` follow who is connected now.
- An opening period no longer than the intake cut-off (``cutoff``) can never take a new chat
  (``accepts_new_chats``), so it is no opening to promise: ``next_opens_at`` and ``today``
  skip it. ``open`` and ``closes_at`` still tell the truth while it runs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from chatsupport.domain.rota import DAY, Closure, Rota, Shift, ShiftRole

#: How far ahead ``next_opens_at`` and ``closes_at`` look (a long summer closure still fits).
HORIZON_DAYS = 120

Span = tuple[datetime, datetime]


def local_instant(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The UTC instant of wall time ``at`` on ``day`` under the DST rule above."""
    first = datetime.combine(day, at, tzinfo=zone)  # fold=0: the first occurrence
    instant = first.astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) == first.replace(tzinfo=None):
        return instant
    return _end_of_gap(first.replace(fold=1).astimezone(UTC), instant, zone)


def _end_of_gap(lo: datetime, hi: datetime, zone: ZoneInfo) -> datetime:
    """The transition instant between ``lo`` (old offset) and ``hi`` (new offset), to 1 s."""
    after = hi.astimezone(zone).utcoffset()
    while hi - lo > timedelta(seconds=1):
        mid = lo + timedelta(seconds=(hi - lo) // timedelta(seconds=1) // 2)
        if mid.astimezone(zone).utcoffset() == after:
            hi = mid
        else:
            lo = mid
    return hi


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One shift on one day, as instants [starts_at, ends_at)."""

    shift: Shift
    starts_at: datetime
    ends_at: datetime

    def covers(self, instant: datetime) -> bool:
        return self.starts_at <= instant < self.ends_at

    def is_open(self, connected: frozenset[int]) -> bool:
        if not self.shift.staffed:
            return False
        if self.shift.role is ShiftRole.PROFESSIONAL:
            return True
        return self.shift.backup_id in connected


def occurrences(rota: Rota, first_day: date, last_day: date) -> list[Occurrence]:
    """Occurrences of shifts *starting* on local days ``first_day``..``last_day``, sorted."""
    found: list[Occurrence] = []
    day = first_day
    while day <= last_day:
        closed = [_closure_span(c, rota.zone) for c in rota.closures if c.on_date == day]
        closed += [
            _closure_span(c, rota.zone) for c in rota.closures if c.on_date == day + DAY
        ]  # a shift past midnight may run into the next day's closure
        for shift in rota.shifts:
            if _runs_on(shift, day):
                found += _occurrence(shift, day, rota.zone, [] if not shift.weekly else closed)
        day += DAY
    return sorted(found, key=lambda o: (o.starts_at, o.ends_at, o.shift.id))


def _runs_on(shift: Shift, day: date) -> bool:
    return shift.on_date == day if shift.on_date is not None else shift.weekday == day.weekday()


def _closure_span(closure: Closure, zone: ZoneInfo) -> Span:
    if closure.starts is None or closure.ends is None:
        return (
            local_instant(closure.on_date, time(0), zone),
            local_instant(closure.on_date + DAY, time(0), zone),
        )
    end_day = closure.on_date + DAY if closure.ends_at_midnight else closure.on_date
    return (
        local_instant(closure.on_date, closure.starts, zone),
        local_instant(end_day, closure.ends, zone),
    )


def _occurrence(shift: Shift, day: date, zone: ZoneInfo, closed: list[Span]) -> list[Occurrence]:
    start = local_instant(day, shift.starts, zone)
    end = local_instant(day + DAY if shift.ends_next_day else day, shift.ends, zone)
    return [Occurrence(shift, s, e) for s, e in _subtract((start, end), closed)]


def _subtract(span: Span, holes: Iterable[Span]) -> list[Span]:
    pieces = [span]
    for h_start, h_end in holes:
        pieces = [
            part
            for s, e in pieces
            for part in ((s, min(e, h_start)), (max(s, h_end), e))
            if part[0] < part[1]
        ]
    return pieces


def merge(spans: Iterable[Span]) -> list[Span]:
    """Union of spans; touching spans ([a, b) and [b, c)) become one."""
    merged: list[Span] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _local_day(instant: datetime, zone: ZoneInfo) -> date:
    return instant.astimezone(zone).date()


def _around(rota: Rota, now: datetime) -> list[Occurrence]:
    """Occurrences that could cover ``now`` (shifts are at most 24 h, so yesterday's too)."""
    today = _local_day(now, rota.zone)
    return occurrences(rota, today - DAY, today)


@dataclass(frozen=True, slots=True)
class RotaStatus:
    """The rota at one instant. Instants are UTC; render them in the rota's zone."""

    now: datetime
    open: bool
    active: tuple[Occurrence, ...]
    open_shifts: tuple[Occurrence, ...]
    on_duty: frozenset[int]
    closes_at: datetime | None
    next_opens_at: datetime | None
    today: tuple[Span, ...]

    def accepts_new_chats(self, cutoff: timedelta) -> bool:
        """Open, and not in the last ``cutoff`` before closing (so no youth is stranded)."""
        return self.open and (self.closes_at is None or self.closes_at - self.now > cutoff)


def active_occurrences(rota: Rota, now: datetime) -> list[Occurrence]:
    """Planned occurrences running at ``now`` (open or not)."""
    return [o for o in _around(rota, now) if o.covers(now)]


def on_duty(rota: Rota, now: datetime, connected: frozenset[int]) -> frozenset[int]:
    """Responders assigned to an occurrence that runs and is open at ``now``."""
    return frozenset(
        rid
        for o in active_occurrences(rota, now)
        if o.is_open(connected)
        for rid in o.shift.responder_ids
    )


def status(
    rota: Rota, now: datetime, connected: frozenset[int], *, cutoff: timedelta = timedelta(0)
) -> RotaStatus:
    """The rota at ``now``; ``cutoff`` is the intake cut-off (periods no longer than it are
    not promised as openings, see the module rules)."""
    active = tuple(active_occurrences(rota, now))
    open_now = [o for o in active if o.is_open(connected)]
    periods = _periods_from(rota, now, cutoff)
    closes_at = _end_containing(periods, now) if open_now else None
    if closes_at and closes_at - now >= timedelta(days=HORIZON_DAYS):
        closes_at = None  # open past the horizon: no honest closing time to show
    after = closes_at or now
    return RotaStatus(
        now=now,
        open=bool(open_now),
        active=active,
        open_shifts=tuple(open_now),
        on_duty=frozenset(rid for o in open_now for rid in o.shift.responder_ids),
        closes_at=closes_at,
        next_opens_at=_next_opening(periods, after, cutoff),
        today=tuple(todays_hours(rota, now, cutoff)),
    )


def _takes_chats(period: Span, cutoff: timedelta) -> bool:
    """Whether a young person can start a chat at some time in ``period`` (longer than the
    intake cut-off); a shorter one is closed for new chats from its first instant."""
    return period[1] - period[0] > cutoff


def _next_opening(periods: list[Span], after: datetime, cutoff: timedelta) -> datetime | None:
    return next((p[0] for p in periods if p[0] > after and _takes_chats(p, cutoff)), None)


def _periods_from(rota: Rota, now: datetime, cutoff: timedelta) -> list[Span]:
    """Merged planned periods from yesterday on, extended until one that takes chats starts
    after ``now`` (or the one containing it)."""
    today = _local_day(now, rota.zone)
    first, last = today - DAY, today + timedelta(days=7)
    spans: list[Span] = []
    while True:
        spans += _planned(occurrences(rota, first, last))
        periods = merge(spans)
        if _next_opening(periods, _end_containing(periods, now), cutoff) is not None:
            return periods
        if (last - today).days >= HORIZON_DAYS:
            return periods
        first, last = last + DAY, last + timedelta(days=14)


def _planned(found: Iterable[Occurrence]) -> list[Span]:
    """Spans of the occurrences someone can answer on: a shift left with nobody on it (or an
    expert shift with no backup) is no opening hour to promise a young person."""
    return [(o.starts_at, o.ends_at) for o in found if o.shift.staffed]


def _end_containing(periods: list[Span], now: datetime) -> datetime:
    return next((p[1] for p in periods if p[0] <= now < p[1]), now)


def todays_hours(rota: Rota, now: datetime, cutoff: timedelta = timedelta(0)) -> list[Span]:
    """Planned periods that touch the local day of ``now`` (a night shift is not clipped),
    leaving out those no longer than the intake ``cutoff``."""
    today = _local_day(now, rota.zone)
    day_start = local_instant(today, time(0), rota.zone)
    day_end = local_instant(today + DAY, time(0), rota.zone)
    spans = _planned(occurrences(rota, today - DAY, today))
    return [
        p for p in merge(spans) if p[0] < day_end and p[1] > day_start and _takes_chats(p, cutoff)
    ]


def duty_ends_at(rota: Rota, now: datetime, responder_id: int) -> datetime | None:
    """When ``responder_id``'s duty running at ``now`` ends (back-to-back shifts chain)."""
    today = _local_day(now, rota.zone)
    mine = [
        o
        for o in occurrences(rota, today - DAY, today + DAY)
        if responder_id in o.shift.responder_ids
    ]
    spans = merge((o.starts_at, o.ends_at) for o in mine)
    return next((end for start, end in spans if start <= now < end), None)
