"""Who an unanswered chat is escalated to (pure; a frozen instant, no I/O)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from chatsupport.domain.rota import Shift, ShiftRole
from chatsupport.domain.rota_schedule import Occurrence, RotaStatus
from chatsupport.domain.support import escalation_targets

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)


def running(shift: Shift) -> Occurrence:
    return Occurrence(shift, NOW - timedelta(hours=1), NOW + timedelta(hours=1))


def status(*, open_: list[Occurrence], active: list[Occurrence]) -> RotaStatus:
    on_duty = frozenset(r for o in open_ for r in o.shift.responder_ids)
    return RotaStatus(NOW, bool(open_), tuple(active), tuple(open_), on_duty, None, None, ())


PRO = Shift(1, ShiftRole.PROFESSIONAL, time(14), time(16), frozenset({1, 2}), weekday=0)
EXPERT = Shift(
    2, ShiftRole.EXPERIENCE_EXPERT, time(14), time(16), frozenset({3}), weekday=0, backup_id=4
)


def test_professional_shift_alerts_every_connected_responder_on_it() -> None:
    """On a professional shift every connected responder on it is alerted again."""
    now = status(open_=[running(PRO)], active=[running(PRO)])
    assert escalation_targets(now, frozenset({1, 2, 9})) == {1, 2}
    assert escalation_targets(now, frozenset({2})) == {2}


def test_expert_shift_alerts_its_backup_not_the_expert() -> None:
    """On an expert shift the backup is alerted (open or not: it may have just dropped)."""
    now = status(open_=[running(EXPERT)], active=[running(EXPERT)])
    assert escalation_targets(now, frozenset({3, 4})) == {4}
    closed = status(open_=[], active=[running(EXPERT)])
    assert escalation_targets(closed, frozenset({3})) == frozenset()
