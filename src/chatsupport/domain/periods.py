"""Reporting periods, the allowed date range, and the quantiles statistics use."""

from __future__ import annotations

import math
import statistics as pystats
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from enum import StrEnum

from chatsupport.domain.errors import InvalidInput

MAX_RANGE_DAYS = 3 * 366
RANGE_REVERSED = "statistics.range_reversed"
RANGE_TOO_LONG = "statistics.range_too_long"


class Granularity(StrEnum):
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


def check_range(start: date, end: date) -> None:
    """Refuse a reversed range or one longer than MAX_RANGE_DAYS (both ends included)."""
    if end < start:
        raise InvalidInput("The end date is before the start date.", code=RANGE_REVERSED)
    if (end - start).days + 1 > MAX_RANGE_DAYS:
        raise InvalidInput(f"At most {MAX_RANGE_DAYS} days at a time.", code=RANGE_TOO_LONG)


def period_of(day: date, granularity: Granularity) -> str:
    """'2026-W05', '2026-01', '2026-Q1' or '2026' (ISO weeks)."""
    if granularity is Granularity.WEEK:
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"
    if granularity is Granularity.MONTH:
        return f"{day.year}-{day.month:02d}"
    if granularity is Granularity.QUARTER:
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    return str(day.year)


def periods_between(start: date, end: date, granularity: Granularity) -> list[str]:
    """Every period touching [start, end], in order, including empty ones."""
    found = dict.fromkeys(
        period_of(start + timedelta(days=i), granularity) for i in range((end - start).days + 1)
    )
    return list(found)


def median(values: Sequence[float]) -> float | None:
    return float(pystats.median(values)) if values else None


def p90(values: Sequence[float]) -> float | None:
    """Nearest-rank 90th percentile: the smallest value with at least 90 % at or below it."""
    if not values:
        return None
    ordered = sorted(values)
    return float(ordered[math.ceil(0.9 * len(ordered)) - 1])


def month_of(day: date) -> date:
    """The first day of the calendar month of ``day``."""
    return day.replace(day=1)


def add_months(month: date, months: int) -> date:
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def month_end(month: date) -> date:
    return add_months(month, 1) - timedelta(days=1)


def place_months(
    months: Iterable[date], *, start: date, end: date, granularity: Granularity
) -> tuple[dict[date, str], set[str]]:
    """Where whole-month figures fit in a report's columns, and which columns they break.

    A month (its first day) whose days within [start, end] are the whole month and fall in one
    period goes to that period's column. Otherwise (a week, or a month cut by the range) it
    cannot be split, so every period it touches is unavailable; so is any period holding one.
    """
    placed: dict[date, str] = {}
    broken: set[str] = set()
    for month in months:
        last = month_end(month)
        low, high = max(month, start), min(last, end)
        if low > high:
            continue
        touched = periods_between(low, high, granularity)
        if (low, high) == (month, last) and len(touched) == 1:
            placed[month] = touched[0]
        else:
            broken.update(touched)
    return {m: p for m, p in placed.items() if p not in broken}, broken
