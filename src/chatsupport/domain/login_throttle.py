"""Failed-login throttling per login name: a pure policy over a small record."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True, slots=True)
class ThrottleState:
    failures: int
    window_started_at: datetime
    locked_until: datetime | None


@dataclass(frozen=True, slots=True)
class ThrottlePolicy:
    max_failures: int
    lockout: timedelta

    def locked(self, state: ThrottleState | None, now: datetime) -> bool:
        return state is not None and state.locked_until is not None and state.locked_until > now

    def after_failure(self, state: ThrottleState | None, now: datetime) -> ThrottleState:
        """Count a failure; lock once ``max_failures`` fall within one lockout-long window."""
        if state is None or now - state.window_started_at > self.lockout:
            state = ThrottleState(failures=0, window_started_at=now, locked_until=None)
        failures = state.failures + 1
        locked_until = now + self.lockout if failures >= self.max_failures else None
        return ThrottleState(failures, state.window_started_at, locked_until)
