"""The printed table: one column per target, plus each of ours as a ratio to the floor."""

from __future__ import annotations

import math
from collections.abc import Callable

from bench.stats import Level, Result

Row = tuple[str, Callable[[Result], float | str], bool]  # label, value, "lower is better"


def _level(chats: int, field: str) -> Callable[[Result], float | str]:
    def get(r: Result) -> float | str:
        lv = r.level(chats)
        return math.nan if lv is None else float(getattr(lv, field))

    return get


def rows(levels: list[int]) -> list[Row]:
    found: list[Row] = [
        ("idle youth connections held", lambda r: f"{r.idle_held}/{r.idle_asked}", False),
        ("server memory per idle connection (KiB)", lambda r: r.idle_kib_per_conn, True),
    ]
    for n in levels:
        found += [
            (f"{n} chats @1 msg/s: round trip p50 (ms)", _level(n, "p50_ms"), True),
            (f"{n} chats @1 msg/s: round trip p99 (ms)", _level(n, "p99_ms"), True),
            (f"{n} chats @1 msg/s: achieved round trips/s", _level(n, "achieved"), False),
        ]
    found += [
        ("highest sustained round trips/s (p99<=100ms)", lambda r: r.sustained_rps, False),
        ("tag fan-out to all responders p50 (ms)", lambda r: r.fanout_p50_ms, True),
        ("tag fan-out to all responders p99 (ms)", lambda r: r.fanout_p99_ms, True),
        ("claim races run", lambda r: float(r.races), False),
        ("races by number of winners", lambda r: _winners(r), False),
        ("youth messages sent (each echoed by a responder)", lambda r: float(r.sent), False),
        ("messages lost (seq never delivered)", lambda r: float(r.gaps), True),
        ("messages duplicated (seq or client_id twice)", lambda r: float(r.duplicated), True),
        ("messages sent, no echo by the end of the run", lambda r: float(r.unanswered), True),
    ]
    return found


def _winners(r: Result) -> str:
    return " ".join(f"{w}w:{n}" for w, n in sorted(r.winners.items())) or "-"


def _fmt(value: float | str) -> str:
    if isinstance(value, str):
        return value
    if math.isnan(value):
        return "-"
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.2f}"


def _ratio(ours: float | str, floor: float | str) -> str:
    if isinstance(ours, str) or isinstance(floor, str) or math.isnan(ours) or math.isnan(floor):
        return ""
    if floor == 0:
        return "" if ours == 0 else "inf"
    return f"x{ours / floor:.2f}"


def table(results: list[Result], levels: list[int]) -> str:
    floor = next((r for r in results if r.key == "floor"), None)
    ours = [r for r in results if r is not floor]
    head = ["figure", *(r.name for r in results), *(f"{r.key}/floor" for r in ours)]
    lines = [head]
    for label, get, _ in rows(levels):
        values = [get(r) for r in results]
        ratios = [_ratio(get(r), get(floor)) if floor else "" for r in ours]
        lines.append([label, *(_fmt(v) for v in values), *ratios])
    return markdown(lines)


def markdown(lines: list[list[str]]) -> str:
    widths = [max(len(line[i]) for line in lines) for i in range(len(lines[0]))]
    out = ["| " + " | ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)) + " |"
           for line in lines]  # fmt: skip
    out.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(out)


def ramp_detail(results: list[Result]) -> str:
    lines = [["target", "asked/s", "achieved/s", "p50 ms", "p99 ms", "skipped", "sustained"]]
    for r in results:
        lines += [_ramp_row(r.name, lv) for lv in r.ramp]
    return markdown(lines)


def _ramp_row(name: str, lv: Level) -> list[str]:
    ok = "yes" if lv.sustained else "no"
    rates = [f"{lv.target:,.0f}", f"{lv.achieved:,.0f}"]
    return [name, *rates, f"{lv.p50_ms:.2f}", f"{lv.p99_ms:.2f}", str(lv.skipped), ok]
