"""Percentiles, per-target results and the printed table."""

from __future__ import annotations

import math
from dataclasses import dataclass, field


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile of ``values`` (nan when empty)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def ms(seconds: float) -> float:
    return seconds * 1000.0


@dataclass
class Level:
    """One load level: ``chats`` chats together asking for ``target`` round trips/s."""

    chats: int
    target: float
    achieved: float
    p50_ms: float
    p99_ms: float
    skipped: int = 0

    @property
    def sustained(self) -> bool:
        return self.p99_ms <= 100.0 and self.achieved >= 0.95 * self.target and not self.skipped


@dataclass
class Result:
    """Every figure for one target (our server in a configuration, or the floor)."""

    name: str
    key: str = ""  # embedded / cluster / floor
    idle_asked: int = 0
    idle_held: int = 0
    idle_kib_per_conn: float = math.nan
    levels: list[Level] = field(default_factory=list)
    ramp: list[Level] = field(default_factory=list)
    fanout_p50_ms: float = math.nan
    fanout_p99_ms: float = math.nan
    fanout_incomplete: int = 0
    races: int = 0
    winners: dict[int, int] = field(default_factory=dict)  # winners in a race -> races
    sent: int = 0  # youth messages sent in the relay phases (each should come back once)
    gaps: int = 0  # seq numbers never delivered to a connection
    unanswered: int = 0  # sent, but no echo even after the final drain
    duplicated: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def sustained_rps(self) -> float:
        good = [lv.achieved for lv in self.ramp if lv.sustained]
        return max(good) if good else 0.0

    def level(self, chats: int) -> Level | None:
        return next((lv for lv in self.levels if lv.chats == chats), None)
