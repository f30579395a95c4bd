"""The rota as pure rules: an injected clock, Helsinki time, no sleeping.

Dates used: 2026-03-29 and 2026-10-25 are the last Sundays of March and October (DST changes
at 01:00 UTC); 2026-11-23 is a Monday; 2026-12-24 a Thursday.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from chatsupport.domain import rota as r
from chatsupport.domain.clock import FrozenClock
from chatsupport.domain.errors import ChatSupportError
from chatsupport.domain.roles import Role
from chatsupport.domain.rota import Closure, Rota, Shift, ShiftRole, StaffMember
from chatsupport.domain.rota_schedule import (
    duty_ends_at,
    local_instant,
    on_duty,
    status,
)

HKI = ZoneInfo("Europe/Helsinki")
MON, TUE, THU, FRI, SAT, SUN = 0, 1, 3, 4, 5, 6
PRO, EXPERT = ShiftRole.PROFESSIONAL, ShiftRole.EXPERIENCE_EXPERT
NOBODY: frozenset[int] = frozenset()


def at(y: int, mo: int, d: int, h: int, mi: int = 0, s: int = 0) -> datetime:
    """A Helsinki wall time as an aware datetime (first occurrence when ambiguous)."""
    return datetime(y, mo, d, h, mi, s, tzinfo=HKI)


def utc(y: int, mo: int, d: int, h: int, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=UTC)


def weekly(
    weekday: int,
    starts: str,
    ends: str,
    *,
    who: set[int] | None = None,
    role: ShiftRole = PRO,
    next_day: bool = False,
    backup: int | None = None,
    id: int = 1,
) -> Shift:
    return Shift(
        id=id,
        role=role,
        starts=time.fromisoformat(starts),
        ends=time.fromisoformat(ends),
        responder_ids=frozenset(who or {1}),
        weekday=weekday,
        ends_next_day=next_day,
        backup_id=backup,
    )


def dated(day: date, starts: str, ends: str, *, who: set[int] | None = None, id: int = 50) -> Shift:
    return Shift(
        id=id,
        role=PRO,
        starts=time.fromisoformat(starts),
        ends=time.fromisoformat(ends),
        responder_ids=frozenset(who or {1}),
        on_date=day,
    )


def rota(*shifts: Shift, closures: tuple[Closure, ...] = ()) -> Rota:
    return Rota(zone=HKI, shifts=shifts, closures=closures)


def test_shift_boundaries_start_inclusive_end_exclusive() -> None:
    """On duty from the first instant of a shift; off duty at its end instant."""
    plan = rota(weekly(MON, "14:00", "16:00", who={7}))
    clock = FrozenClock(at(2026, 11, 23, 14))
    assert status(plan, clock.now(), NOBODY).open
    assert on_duty(plan, clock.now(), NOBODY) == {7}
    clock.advance(hours=2, microseconds=-1)
    assert on_duty(plan, clock.now(), NOBODY) == {7}
    clock.advance(microseconds=1)
    now = status(plan, clock.now(), NOBODY)
    assert not now.open and now.on_duty == frozenset()
    assert now.next_opens_at == at(2026, 11, 30, 14)
    assert on_duty(plan, at(2026, 11, 23, 13, 59, 59), NOBODY) == frozenset()


def test_closes_at_and_todays_hours_while_open() -> None:
    """Open: when it closes, today's hours, and the next opening after this period."""
    plan = rota(weekly(MON, "14:00", "16:00"), weekly(THU, "14:00", "16:00", id=2))
    now = status(plan, at(2026, 11, 23, 15), NOBODY)
    assert now.closes_at == at(2026, 11, 23, 16)
    assert now.next_opens_at == at(2026, 11, 26, 14)
    assert now.today == ((at(2026, 11, 23, 14), at(2026, 11, 23, 16)),)


def test_back_to_back_shifts_merge_into_one_period() -> None:
    """Touching shifts are one opening period; a responder on both is on duty to the end."""
    plan = rota(
        weekly(MON, "12:00", "14:00", who={1}),
        weekly(MON, "14:00", "18:00", who={1, 2}, id=2),
    )
    now = status(plan, at(2026, 11, 23, 13), NOBODY)
    assert now.closes_at == at(2026, 11, 23, 18)
    assert duty_ends_at(plan, at(2026, 11, 23, 13), 1) == at(2026, 11, 23, 18)
    assert duty_ends_at(plan, at(2026, 11, 23, 15), 2) == at(2026, 11, 23, 18)
    assert duty_ends_at(plan, at(2026, 11, 23, 13), 2) is None


def test_shift_crossing_midnight() -> None:
    """A Friday 22-02 shift runs into Saturday; Saturday's hours show it unclipped."""
    plan = rota(weekly(FRI, "22:00", "02:00", next_day=True, who={3}))
    saturday_night = status(plan, at(2026, 11, 28, 1, 30), NOBODY)
    assert saturday_night.open and saturday_night.on_duty == {3}
    assert saturday_night.closes_at == at(2026, 11, 28, 2)
    assert saturday_night.today == ((at(2026, 11, 27, 22), at(2026, 11, 28, 2)),)
    assert not status(plan, at(2026, 11, 28, 2), NOBODY).open
    assert status(plan, at(2026, 11, 27, 21), NOBODY).next_opens_at == at(2026, 11, 27, 22)


def test_closure_on_the_next_day_cuts_a_night_shift() -> None:
    """A whole-day closure on Saturday cuts the Saturday part of a Friday night shift."""
    plan = rota(
        weekly(FRI, "22:00", "02:00", next_day=True),
        closures=(Closure(id=1, on_date=date(2026, 11, 28)),),
    )
    assert status(plan, at(2026, 11, 27, 23), NOBODY).closes_at == at(2026, 11, 28, 0)
    assert not status(plan, at(2026, 11, 28, 0, 30), NOBODY).open


def test_spring_forward_nonexistent_start_moves_to_first_valid_instant() -> None:
    """Sunday 03:30 does not exist on 2026-03-29: the shift starts at 04:00 EEST (01:00 UTC)."""
    plan = rota(weekly(SUN, "03:30", "06:00"))
    saturday = status(plan, at(2026, 3, 28, 23), NOBODY)
    assert saturday.next_opens_at == utc(2026, 3, 29, 1)
    assert not status(plan, utc(2026, 3, 29, 0, 59), NOBODY).open
    assert status(plan, utc(2026, 3, 29, 1), NOBODY).open
    assert status(plan, utc(2026, 3, 29, 1), NOBODY).closes_at == utc(2026, 3, 29, 3)
    # The Sunday before: 03:30 EET is 01:30 UTC.
    assert status(plan, at(2026, 3, 21, 23), NOBODY).next_opens_at == utc(2026, 3, 22, 1, 30)


def test_spring_forward_shift_over_the_gap_is_an_hour_shorter() -> None:
    """02:00-05:00 on the spring-forward Sunday lasts two real hours."""
    plan = rota(weekly(SUN, "02:00", "05:00"))
    now = status(plan, utc(2026, 3, 29, 0, 30), NOBODY)
    assert now.open and now.closes_at == utc(2026, 3, 29, 2)
    assert now.closes_at - utc(2026, 3, 29, 0) == timedelta(hours=2)


def test_fall_back_ambiguous_time_uses_first_occurrence() -> None:
    """03:30 happens twice on 2026-10-25: a shift starting or ending then uses the first one."""
    late = rota(weekly(SUN, "03:30", "05:00"))
    assert status(late, at(2026, 10, 24, 22), NOBODY).next_opens_at == utc(2026, 10, 25, 0, 30)
    assert not status(late, utc(2026, 10, 25, 0, 29), NOBODY).open
    running = status(late, utc(2026, 10, 25, 0, 30), NOBODY)
    assert running.open and running.closes_at == utc(2026, 10, 25, 3)  # 05:00 EET
    early = rota(weekly(SUN, "01:00", "03:30"))
    assert status(early, utc(2026, 10, 25, 0, 29), NOBODY).open
    assert not status(early, utc(2026, 10, 25, 1, 30), NOBODY).open  # second 03:30


def test_local_instant_rule() -> None:
    """Nonexistent wall time -> end of the gap; ambiguous -> first occurrence; else exact."""
    assert local_instant(date(2026, 3, 29), time(3, 0), HKI) == utc(2026, 3, 29, 1)
    assert local_instant(date(2026, 3, 29), time(3, 59), HKI) == utc(2026, 3, 29, 1)
    assert local_instant(date(2026, 3, 29), time(4, 0), HKI) == utc(2026, 3, 29, 1)
    assert local_instant(date(2026, 10, 25), time(3, 0), HKI) == utc(2026, 10, 25, 0)
    assert local_instant(date(2026, 11, 23), time(14), HKI) == utc(2026, 11, 23, 12)


def test_holiday_closes_the_weekly_shift() -> None:
    """A whole-day closure (Christmas Eve) closes that day; next opening is the week after."""
    plan = rota(
        weekly(THU, "14:00", "16:00"),
        closures=(Closure(id=1, on_date=date(2026, 12, 24), note="jouluaatto"),),
    )
    closed = status(plan, at(2026, 12, 24, 15), NOBODY)
    assert not closed.open and closed.today == ()
    assert closed.next_opens_at == at(2026, 12, 31, 14)
    assert status(plan, at(2026, 12, 23, 9), NOBODY).next_opens_at == at(2026, 12, 31, 14)


def test_closed_hours_cut_part_of_a_shift() -> None:
    """Closed 14-15 on a 14-16 shift day: open 15-16 only."""
    plan = rota(
        weekly(THU, "14:00", "16:00"),
        closures=(Closure(id=1, on_date=date(2026, 12, 24), starts=time(14), ends=time(15)),),
    )
    assert not status(plan, at(2026, 12, 24, 14, 30), NOBODY).open
    assert status(plan, at(2026, 12, 24, 14, 30), NOBODY).next_opens_at == at(2026, 12, 24, 15)
    assert status(plan, at(2026, 12, 24, 15), NOBODY).open


def closed_to_midnight(starts: int, day: date = date(2026, 11, 27)) -> Closure:
    """Closed hours from ``starts`` o'clock "to 00:00": the rest of the day."""
    return Closure(id=1, on_date=day, starts=time(starts), ends=time(0))


def test_closed_hours_ending_at_0000_close_until_midnight() -> None:
    """Friday 16-24 with 18:00-00:00 closed: open 16-18 only; the closure is valid and reaches
    midnight (it used to be refused, and 00:00 read as the start of that day closed nothing)."""
    closure = closed_to_midnight(18)
    r.validate_closure(closure, zone=HKI)
    assert closure.ends_at_midnight
    plan = rota(
        weekly(FRI, "16:00", "00:00", next_day=True),
        weekly(MON, "14:00", "16:00", id=2),
        closures=(closure,),
    )
    before = status(plan, at(2026, 11, 27, 17), NOBODY)
    assert before.open and before.closes_at == at(2026, 11, 27, 18)
    assert before.today == ((at(2026, 11, 27, 16), at(2026, 11, 27, 18)),)
    evening = status(plan, at(2026, 11, 27, 23, 59), NOBODY)
    assert not evening.open and evening.next_opens_at == at(2026, 11, 30, 14)
    assert status(plan, at(2026, 12, 4, 23), NOBODY).open  # only that Friday is closed


def test_closed_hours_to_midnight_leave_a_night_shift_after_midnight() -> None:
    """Friday 22-02 with 21:00-00:00 closed: the night shift opens at 00:00 on Saturday."""
    plan = rota(weekly(FRI, "22:00", "02:00", next_day=True), closures=(closed_to_midnight(21),))
    evening = status(plan, at(2026, 11, 27, 22, 30), NOBODY)
    assert not evening.open and evening.next_opens_at == at(2026, 11, 28, 0)
    night = status(plan, at(2026, 11, 28, 0), NOBODY)
    assert night.open and night.closes_at == at(2026, 11, 28, 2)


def test_0000_is_midnight_only_after_a_later_start() -> None:
    """00:00-00:00 is no closed hours (the whole day has no times); other ends before the
    start are still refused."""
    for bad in (
        Closure(1, date(2026, 11, 27), time(0), time(0)),
        Closure(1, date(2026, 11, 27), time(18), time(0, 30)),
    ):
        assert not bad.ends_at_midnight
        with pytest.raises(ChatSupportError) as caught:
            r.validate_closure(bad, zone=HKI)
        assert caught.value.code == r.END_BEFORE_START


def test_next_opening_skips_a_period_too_short_to_take_a_chat() -> None:
    """Friday 20-24 closed 20:00-23:50 leaves 10 minutes, within the 15-minute intake cut-off:
    no chat can start then, so the next opening promised is Monday's (and it is not among
    today's hours). A period exactly as long as the cut-off is skipped too; a longer one not."""
    cutoff = timedelta(minutes=15)
    friday = weekly(FRI, "20:00", "00:00", next_day=True)
    monday = weekly(MON, "14:00", "16:00", id=2)
    closed_until = {m: Closure(1, date(2026, 11, 27), time(20), time(23, m)) for m in (45, 44, 50)}
    plan = rota(friday, monday, closures=(closed_until[50],))
    assert status(plan, at(2026, 11, 27, 21), NOBODY).next_opens_at == at(2026, 11, 27, 23, 50)
    told = status(plan, at(2026, 11, 27, 21), NOBODY, cutoff=cutoff)
    assert told.next_opens_at == at(2026, 11, 30, 14) and told.today == ()
    inside = status(plan, at(2026, 11, 27, 23, 55), NOBODY, cutoff=cutoff)
    assert inside.open and not inside.accepts_new_chats(cutoff)
    assert inside.closes_at == at(2026, 11, 28, 0) and inside.next_opens_at == at(2026, 11, 30, 14)
    exactly = rota(friday, monday, closures=(closed_until[45],))
    assert status(exactly, at(2026, 11, 27, 21), NOBODY, cutoff=cutoff).next_opens_at == at(
        2026, 11, 30, 14
    )
    longer = rota(friday, monday, closures=(closed_until[44],))
    assert status(longer, at(2026, 11, 27, 21), NOBODY, cutoff=cutoff).next_opens_at == at(
        2026, 11, 27, 23, 44
    )


def test_one_off_shift_opens_even_on_a_closed_day() -> None:
    """An extra dated shift runs on its date, also on a closed day; not on other dates."""
    plan = rota(
        weekly(THU, "14:00", "16:00"),
        dated(date(2026, 12, 24), "10:00", "12:00", who={4}),
        dated(date(2026, 12, 26), "10:00", "12:00", who={5}, id=51),
        closures=(Closure(id=1, on_date=date(2026, 12, 24)),),
    )
    assert status(plan, at(2026, 12, 24, 11), NOBODY).on_duty == {4}
    assert not status(plan, at(2026, 12, 24, 14), NOBODY).open
    assert status(plan, at(2026, 12, 24, 13), NOBODY).next_opens_at == at(2026, 12, 26, 10)
    assert status(plan, at(2026, 12, 26, 11), NOBODY).on_duty == {5}
    assert not status(plan, at(2027, 1, 2, 11), NOBODY).open


def test_expert_shift_is_open_only_while_backup_is_connected() -> None:
    """An experience-expert shift counts as open only while its backup professional is there."""
    plan = rota(weekly(MON, "18:00", "21:00", who={20}, role=EXPERT, backup=9))
    now = at(2026, 11, 23, 19)
    away = status(plan, now, frozenset({20}))
    assert not away.open and away.on_duty == frozenset()
    assert away.next_opens_at == at(2026, 11, 30, 18)
    assert len(away.active) == 1  # planned, but not open
    there = status(plan, now, frozenset({9, 20}))
    assert there.open and there.on_duty == {20}
    assert there.closes_at == at(2026, 11, 23, 21)


def test_expert_shift_without_backup_is_never_open() -> None:
    """A backup that was deleted leaves the shift in the rota but closed."""
    orphan = Shift(
        id=1,
        role=EXPERT,
        starts=time(18),
        ends=time(21),
        responder_ids=frozenset({20}),
        weekday=MON,
    )
    assert not status(rota(orphan), at(2026, 11, 23, 19), frozenset({20})).open


def test_a_shift_with_nobody_left_on_it_is_neither_open_nor_promised() -> None:
    """Every responder of Monday's shift deactivated (left out when the rota is loaded): the
    youth is not told the chat is open, nor that it opens on Monday; Tuesday's shift is the
    next opening. An expert shift whose backup is gone is no opening hour either."""
    nobody = replace(weekly(MON, "14:00", "16:00"), responder_ids=frozenset())
    orphan = replace(
        weekly(MON, "16:00", "18:00", who={20}, role=EXPERT, backup=9, id=3), backup_id=None
    )
    tuesday = weekly(TUE, "14:00", "16:00", id=2)
    now = status(rota(nobody, orphan, tuesday), at(2026, 11, 23, 15), frozenset({1, 20}))
    assert not now.open and now.on_duty == frozenset()
    assert now.today == () and now.closes_at is None
    assert now.next_opens_at == at(2026, 11, 24, 14)
    assert not nobody.staffed and not orphan.staffed and tuesday.staffed


def test_professional_shift_open_while_expert_shift_waits_for_backup() -> None:
    """Overlapping shifts: the professional one keeps the service open; only its people tag."""
    plan = rota(
        weekly(MON, "18:00", "21:00", who={20}, role=EXPERT, backup=9),
        weekly(MON, "17:00", "20:00", who={1}, id=2),
    )
    now = status(plan, at(2026, 11, 23, 19), frozenset({1, 20}))
    assert now.open and now.on_duty == {1}
    assert now.closes_at == at(2026, 11, 23, 21)


def test_accepts_new_chats_until_the_cutoff() -> None:
    """New chats stop ``cutoff`` before closing; the service is still open then."""
    plan = rota(weekly(MON, "14:00", "16:00"))
    cutoff = timedelta(minutes=15)
    assert status(plan, at(2026, 11, 23, 15, 44), NOBODY).accepts_new_chats(cutoff)
    last = status(plan, at(2026, 11, 23, 15, 45), NOBODY)
    assert last.open and not last.accepts_new_chats(cutoff)
    assert not status(plan, at(2026, 11, 23, 17), NOBODY).accepts_new_chats(cutoff)


def test_empty_rota_is_closed_with_no_next_opening() -> None:
    """No shifts: closed, nothing planned."""
    now = status(rota(), at(2026, 11, 23, 12), NOBODY)
    assert not now.open and now.next_opens_at is None and now.today == ()


# --- validation ------------------------------------------------------------------------

STAFF = {
    1: StaffMember(Role.PROFESSIONAL, True),
    2: StaffMember(Role.PROFESSIONAL, True),
    3: StaffMember(Role.PROFESSIONAL, False),
    20: StaffMember(Role.EXPERIENCE_EXPERT, True),
    30: StaffMember(Role.COORDINATOR, True),
}


# When the validation tests plan: the Friday before Monday 2026-11-23.
PLANNED = at(2026, 11, 20, 12)


def accepted(shift: Shift, others: tuple[Shift, ...] = (), now: datetime = PLANNED) -> None:
    r.validate_shift(shift, staff=STAFF, others=others, zone=HKI, now=now)


def refused(shift: Shift, others: tuple[Shift, ...] = (), now: datetime = PLANNED) -> str:
    with pytest.raises(ChatSupportError) as caught:
        r.validate_shift(shift, staff=STAFF, others=others, zone=HKI, now=now)
    return caught.value.code


def test_valid_shifts_pass() -> None:
    """A professional shift, an expert shift with a backup, a 24-hour shift are accepted."""
    for shift in (
        weekly(MON, "14:00", "16:00"),
        weekly(MON, "18:00", "21:00", who={20}, role=EXPERT, backup=1),
        weekly(SAT, "08:00", "08:00", next_day=True),
        weekly(SUN, "03:30", "05:00"),  # nonexistent once a year: resolved by the DST rule
    ):
        accepted(shift)


def test_times_are_checked() -> None:
    """End after start (or past midnight explicitly); dated times must exist."""
    assert refused(weekly(MON, "16:00", "14:00")) == r.END_BEFORE_START
    assert refused(weekly(MON, "14:00", "14:00")) == r.END_BEFORE_START
    assert refused(weekly(MON, "14:00", "16:00", next_day=True)) == r.END_BEFORE_START
    assert refused(weekly(7, "14:00", "16:00")) == r.BAD_WEEKDAY
    assert refused(dated(date(2026, 3, 29), "03:30", "06:00")) == r.NONEXISTENT_TIME
    both = Shift(1, PRO, time(1), time(2), frozenset({1}), weekday=MON, on_date=date(2026, 1, 1))
    assert refused(both) == r.WEEKDAY_OR_DATE


def test_people_are_checked() -> None:
    """Unknown, deactivated or wrong-role responders; expert backup rules."""
    assert refused(weekly(MON, "14:00", "16:00", who={99})) == r.UNKNOWN_RESPONDER
    assert refused(weekly(MON, "14:00", "16:00", who={3})) == r.INACTIVE_RESPONDER
    assert refused(weekly(MON, "14:00", "16:00", who={20})) == r.ROLE_MISMATCH
    assert refused(weekly(MON, "14:00", "16:00", who={30})) == r.ROLE_MISMATCH
    assert refused(weekly(MON, "18:00", "21:00", who={20}, role=EXPERT)) == r.BACKUP_REQUIRED
    expert = {"who": {20}, "role": EXPERT}
    assert refused(weekly(MON, "18:00", "21:00", backup=20, **expert)) == (  # type: ignore[arg-type]
        r.BACKUP_NOT_PROFESSIONAL
    )
    assert refused(weekly(MON, "18:00", "21:00", backup=3, **expert)) == (  # type: ignore[arg-type]
        r.INACTIVE_RESPONDER
    )
    assert refused(weekly(MON, "14:00", "16:00", backup=2)) == r.BACKUP_NOT_ALLOWED
    assert refused(Shift(1, PRO, time(1), time(2), frozenset(), weekday=MON)) == r.NO_RESPONDERS


def test_overlapping_shifts_for_one_responder_are_refused() -> None:
    """Overlap in local time is refused, across midnight and Sunday->Monday; touching is not."""
    monday = weekly(MON, "14:00", "16:00", who={1, 2}, id=10)
    assert refused(weekly(MON, "15:00", "17:00", who={2}), (monday,)) == r.OVERLAP
    accepted(weekly(MON, "16:00", "18:00", who={2}), (monday,))
    accepted(weekly(MON, "15:00", "17:00"))
    sunday_night = weekly(SUN, "22:00", "02:00", next_day=True, id=11)
    assert refused(weekly(MON, "01:00", "03:00"), (sunday_night,)) == r.OVERLAP
    assert refused(dated(date(2026, 11, 23), "15:30", "18:00", who={2}), (monday,)) == r.OVERLAP
    accepted(dated(date(2026, 11, 24), "15:30", "18:00", who={2}), (monday,))
    # Editing a shift does not collide with its own old version.
    accepted(weekly(MON, "15:00", "17:00", id=10), (monday,))


def test_time_that_is_over_is_no_overlap() -> None:
    """Only shared time still to come counts: a dated shift that is over blocks no weekly
    shift on its weekday and the other way round; a future one does, also through a night
    shift of the day before; a running one by its part still to come."""
    now = at(2026, 11, 27, 12)  # Friday
    last_wednesday = dated(date(2026, 11, 25), "10:00", "12:00", who={1}, id=11)
    wednesdays = weekly(2, "10:00", "12:00", who={1}, id=12)
    accepted(wednesdays, (last_wednesday,), now=now)
    accepted(last_wednesday, (wednesdays,), now=now)
    next_wednesday = replace(last_wednesday, on_date=date(2026, 12, 2))
    assert refused(wednesdays, (next_wednesday,), now=now) == r.OVERLAP
    assert refused(next_wednesday, (wednesdays,), now=now) == r.OVERLAP
    # the Thursday night shift runs into Friday: over by Friday noon, not a week later
    thursday_night = weekly(THU, "22:00", "02:00", next_day=True, who={1}, id=13)
    accepted(dated(date(2026, 11, 27), "01:00", "03:00"), (thursday_night,), now=now)
    early_next_friday = dated(date(2026, 12, 4), "01:00", "03:00")
    assert refused(early_next_friday, (thursday_night,), now=now) == r.OVERLAP
    # today 08:00-14:00 is running at noon: 09:00-11:00 is behind, 11:00-13:00 is not
    today = dated(date(2026, 11, 27), "08:00", "14:00", who={1}, id=14)
    accepted(weekly(FRI, "09:00", "11:00"), (today,), now=now)
    assert refused(weekly(FRI, "11:00", "13:00"), (today,), now=now) == r.OVERLAP
    # two dated shifts in the past; two weekly ones always overlap again
    accepted(replace(last_wednesday, id=15), (last_wednesday,), now=now)
    assert refused(replace(wednesdays, id=16), (wednesdays,), now=now) == r.OVERLAP


def test_overlap_names_the_conflicting_shift() -> None:
    """The message and the structured ``conflict`` say which shift and when, not only its id."""
    now = at(2026, 11, 20, 12)
    other = dated(date(2026, 11, 25), "10:00", "12:00", who={1, 2}, id=11)
    with pytest.raises(r.ShiftOverlap) as caught:
        r.validate_shift(
            weekly(2, "11:00", "13:00", who={2}), staff=STAFF, others=(other,), zone=HKI, now=now
        )
    error = caught.value
    assert error.code == r.OVERLAP and error.status == 409
    assert "shift 11 (Wed 25.11.2026 10:00-12:00)" in error.message
    assert error.details == {
        "conflict": {
            "shift_id": 11,
            "responder_id": 2,
            "role": "professional",
            "weekday": None,
            "date": "2026-11-25",
            "starts": "10:00",
            "ends": "12:00",
            "ends_next_day": False,
        }
    }
    night = weekly(SUN, "22:00", "02:00", next_day=True, id=7)
    assert r.describe_shift(night) == "7 (every Sun 22:00-02:00 next day)"


def test_closures_are_checked() -> None:
    """Closed hours need both ends, end after start, and times that exist that day."""
    for bad, code in (
        (Closure(1, date(2026, 12, 24), time(15), time(14)), r.END_BEFORE_START),
        (Closure(1, date(2026, 3, 29), time(3, 15), time(5)), r.NONEXISTENT_TIME),
        (Closure(1, date(2026, 12, 24), time(15), None), r.CLOSURE_TIMES_INCOMPLETE),
    ):
        with pytest.raises(ChatSupportError) as caught:
            r.validate_closure(bad, zone=HKI)
        assert caught.value.code == code
    r.validate_closure(Closure(1, date(2026, 12, 24)), zone=HKI)


def test_always_open_rota_has_no_closing_time() -> None:
    """24-hour shifts every day: open, taking chats, no closing within the horizon."""
    plan = rota(*(weekly(d, "00:00", "00:00", next_day=True, id=d + 1) for d in range(7)))
    now = status(plan, at(2026, 11, 23, 3), NOBODY)
    assert now.open and now.closes_at is None and now.next_opens_at is None
    assert now.accepts_new_chats(timedelta(minutes=15))
