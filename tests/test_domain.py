"""Pure rules: no I/O, an injected clock, no sleeping."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chatsupport.domain.chat import ChatState, can_transition, state_after_leaving
from chatsupport.domain.clock import FrozenClock
from chatsupport.domain.duty import tag_targets
from chatsupport.domain.errors import Conflict
from chatsupport.domain.login_throttle import ThrottlePolicy
from chatsupport.domain.queue import estimate_wait_secs

T0 = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def test_chat_state_machine() -> None:
    """waiting -> active -> ended and waiting -> missed; nothing leaves a final state."""
    assert can_transition(ChatState.WAITING, ChatState.ACTIVE)
    assert can_transition(ChatState.WAITING, ChatState.MISSED)
    assert can_transition(ChatState.ACTIVE, ChatState.ENDED)
    assert not can_transition(ChatState.ACTIVE, ChatState.WAITING)
    assert not can_transition(ChatState.ENDED, ChatState.ACTIVE)
    assert not can_transition(ChatState.MISSED, ChatState.ACTIVE)


def test_leaving_while_waiting_is_a_missed_contact() -> None:
    """A youth leaving a waiting chat makes it missed; an active one ends; a final one refuses."""
    assert state_after_leaving(ChatState.WAITING) is ChatState.MISSED
    assert state_after_leaving(ChatState.ACTIVE) is ChatState.ENDED
    with pytest.raises(Conflict):
        state_after_leaving(ChatState.ENDED)


def test_tags_go_to_on_duty_and_connected_only() -> None:
    """Tag targets are on duty *and* connected."""
    assert tag_targets(on_duty=frozenset({1, 2, 3}), connected=[2, 3, 4]) == {2, 3}


def test_wait_estimate_is_honest() -> None:
    """No estimate without history or without anyone on duty; otherwise median x rounds."""

    def est(position: int, waits: list[float], on_duty: int) -> int | None:
        return estimate_wait_secs(
            position=position, recent_waits_secs=waits, responders_on_duty=on_duty
        )

    assert est(1, [], 2) is None
    assert est(1, [60, 60, 60], 0) is None
    assert est(1, [30, 60, 90], 2) == 60
    assert est(3, [30, 60, 90], 2) == 120


def test_login_throttle_locks_after_max_failures_within_window() -> None:
    """N failures inside the window lock the name until the lockout passes."""
    policy = ThrottlePolicy(max_failures=3, lockout=timedelta(minutes=15))
    clock = FrozenClock(T0)
    state = None
    for _ in range(3):
        assert not policy.locked(state, clock.now())
        state = policy.after_failure(state, clock.now())
        clock.advance(seconds=10)
    assert policy.locked(state, clock.now())
    clock.advance(minutes=16)
    assert not policy.locked(state, clock.now())


def test_login_throttle_window_restarts() -> None:
    """Failures spread wider than the window never lock."""
    policy = ThrottlePolicy(max_failures=2, lockout=timedelta(minutes=15))
    state = policy.after_failure(None, T0)
    state = policy.after_failure(state, T0 + timedelta(minutes=20))
    assert state.failures == 1 and state.locked_until is None
