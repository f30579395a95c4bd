"""Queue position and an honest wait estimate for the young person."""

from __future__ import annotations

import statistics
from collections.abc import Sequence

#: Below this many recent claims an estimate would be a guess, so none is given.
MIN_SAMPLES_FOR_ESTIMATE = 3


def estimate_wait_secs(
    *, position: int, recent_waits_secs: Sequence[float], responders_on_duty: int
) -> int | None:
    """Rough seconds until a responder claims the chat at ``position`` (1 = next).

    Uses the median of recent waits, scaled by how many chats are ahead per responder on duty.
    Returns ``None`` when there is no honest basis (no history, nobody on duty).
    """
    if position < 1 or responders_on_duty < 1:
        return None
    if len(recent_waits_secs) < MIN_SAMPLES_FOR_ESTIMATE:
        return None
    median = statistics.median(recent_waits_secs)
    rounds = -(-position // responders_on_duty)  # ceil: chats ahead shared among responders
    return max(0, round(median * rounds))
