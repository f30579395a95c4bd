"""Who is on duty, and who gets a tag.

This is the single place the decision is made. Until the rota model lands, "on duty" means
"has a shift interval that contains now"; the rota replaces only the input (`ShiftSpan`s).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class ShiftSpan:
    """One responder's duty interval, [starts_at, ends_at), aware datetimes."""

    responder_id: int
    starts_at: datetime
    ends_at: datetime

    def covers(self, instant: datetime) -> bool:
        return self.starts_at <= instant < self.ends_at


def responders_on_duty(shifts: Iterable[ShiftSpan], now: datetime) -> frozenset[int]:
    """Ids of responders whose shift covers ``now``."""
    return frozenset(s.responder_id for s in shifts if s.covers(now))


def tag_targets(*, on_duty: frozenset[int], connected: Iterable[int]) -> frozenset[int]:
    """Responders who receive a tag: on duty *and* connected to the console now."""
    return on_duty.intersection(connected)
