"""Who gets a tag.

This is the single place the decision is made. Who is *on duty* comes from the rota
(``rota_schedule.status(...).on_duty``: assigned to a running shift that is open, an
experience-expert shift only while its backup is connected); this rule adds that a tag goes
only to consoles connected to this process.
"""

from __future__ import annotations

from collections.abc import Iterable


def tag_targets(*, on_duty: frozenset[int], connected: Iterable[int]) -> frozenset[int]:
    """Responders who receive a tag: on duty *and* connected to the console now."""
    return on_duty.intersection(connected)
