"""Statistics on a generated year match counts computed independently here."""

from __future__ import annotations

import math
from collections import Counter
from datetime import date

import pytest

from chatsupport.domain.diary import DiaryFact, Origin
from chatsupport.domain.errors import InvalidInput
from chatsupport.domain.report import build_report
from chatsupport.domain.statistics import Granularity, aggregate, period_of, periods_between
from chatsupport.domain.taxonomy import Taxonomy
from tests.diary_data import generate

START, END = date(2025, 1, 1), date(2025, 12, 31)
FACTS = generate(3000)


def month(f: DiaryFact) -> str:
    return f"{f.system.local_date.year}-{f.system.local_date.month:02d}"


def counselling(facts: list[DiaryFact]) -> list[DiaryFact]:
    return [f for f in facts if f.form is not None and f.form.contact_type == "COUNSELLING"]


def test_generator_is_deterministic_and_a_year_of_thousands() -> None:
    """The same seed gives the same records; they span one year and several thousand contacts."""
    assert generate(3000) == FACTS
    assert generate(3000, seed=1) != FACTS
    days = {f.system.local_date for f in FACTS}
    assert len(FACTS) == 3000 and min(days) >= START and max(days) <= END


def test_volumes_by_month_match_an_independent_count() -> None:
    """Attempts, missed, silent, answered, counselling, other and unfiled per month."""
    agg = aggregate(
        FACTS, start=START, end=END, granularity=Granularity.MONTH, taxonomy=Taxonomy.default()
    )
    v = agg.values
    for m in periods_between(START, END, Granularity.MONTH):
        group = [f for f in FACTS if month(f) == m]
        answered = [f for f in group if f.system.origin is Origin.ANSWERED]
        couns = counselling(answered)
        assert v[f"attempts@{m}"] == len(group)
        assert v[f"missed@{m}"] == sum(f.system.origin is Origin.MISSED for f in group)
        assert v[f"no_messages@{m}"] == sum(f.system.origin is Origin.NO_MESSAGES for f in group)
        assert v[f"answered@{m}"] == len(answered)
        assert v[f"counselling@{m}"] == len(couns)
        assert v[f"unfiled@{m}"] == sum(f.form is None for f in answered)
        assert v[f"other@{m}"] == len(answered) - len(couns) - v[f"unfiled@{m}"]
    assert v["attempts@*"] == 3000


def test_breakdowns_match_an_independent_count() -> None:
    """Role, "help now", quick exit, language, concern (primary and any), level, age band,
    referral and weekday x hour."""
    agg = aggregate(
        FACTS, start=START, end=END, granularity=Granularity.QUARTER, taxonomy=Taxonomy.default()
    )
    v = agg.values
    couns = counselling(FACTS)
    answered = [f for f in FACTS if f.system.origin is Origin.ANSWERED]
    role = Counter(f.system.responder_role for f in answered)
    primary = Counter(c.code for f in couns for c in f.form.concerns if c.primary)  # type: ignore[union-attr]
    anyc = Counter(c.code for f in couns for c in f.form.concerns)  # type: ignore[union-attr]
    level = Counter(f.form.concern_level for f in couns)  # type: ignore[union-attr]
    age = Counter(f.form.age_band for f in couns)  # type: ignore[union-attr]
    referral = Counter(r.code for f in couns for r in f.form.referrals)  # type: ignore[union-attr]
    slot = Counter((f.system.weekday, f.system.hour) for f in FACTS)
    assert all(v[f"answered.role={r}@*"] == n for r, n in role.items())
    assert all(v[f"counselling.concern_primary={c}@*"] == n for c, n in primary.items())
    assert all(v[f"counselling.concern_any={c}@*"] == n for c, n in anyc.items())
    assert all(v[f"counselling.concern_level={lv}@*"] == n for lv, n in level.items())
    assert all(v[f"counselling.age_band={a}@*"] == n for a, n in age.items())
    assert all(v[f"counselling.referral={r}@*"] == n for r, n in referral.items())
    assert all(v[f"attempts.weekday={d}@h{h:02d}"] == n for (d, h), n in slot.items())
    urgent = Counter(str(f.system.youth_urgent).lower() for f in FACTS)
    assert all(v[f"attempts.help_now={u}@*"] == n for u, n in urgent.items())
    assert urgent["true"] > 0 and sum(urgent.values()) == v["attempts@*"]
    left = Counter(str(f.system.quick_exit).lower() for f in FACTS)
    assert all(v[f"attempts.quick_exit={q}@*"] == n for q, n in left.items())
    langs = Counter(f.system.lang for f in FACTS)
    assert all(v[f"attempts.lang={lang}@*"] == n for lang, n in langs.items())
    assert set(langs) == {"fi", "sv", "en"}
    assert sum(anyc.values()) > len(couns) == v["counselling@*"]  # multi-select: no 100 %


def nearest_rank(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[math.ceil(q * len(ordered)) - 1]


def test_waiting_time_and_duration_median_and_p90() -> None:
    """Median and nearest-rank 90th percentile in minutes over answered contacts."""
    report = build_report(
        FACTS,
        start=START,
        end=END,
        granularity=Granularity.YEAR,
        taxonomy=Taxonomy.default(),
        lang="en",
    )
    answered = [f for f in FACTS if f.system.origin is Origin.ANSWERED]
    waits = sorted(f.system.wait_secs / 60 for f in answered)  # type: ignore[operator]
    durations = sorted(f.system.duration_secs / 60 for f in answered)  # type: ignore[operator]
    n = len(waits)
    mid = (waits[n // 2] + waits[(n - 1) // 2]) / 2
    dmid = (durations[n // 2] + durations[(n - 1) // 2]) / 2
    expected = [mid, nearest_rank(waits, 0.9), dmid, nearest_rank(durations, 0.9)]
    got = [row.values[-1] for row in report.times]
    assert got == [round(x, 1) for x in expected]


def test_small_groups_get_no_time_figures() -> None:
    """A period with fewer answered contacts than the threshold shows no median or p90."""
    few = [f for f in FACTS if f.system.origin is Origin.ANSWERED][:3]
    report = build_report(
        few,
        start=START,
        end=END,
        granularity=Granularity.YEAR,
        taxonomy=Taxonomy.default(),
        lang="fi",
    )
    assert all(value is None for row in report.times for value in row.values)


def test_periods_are_iso_weeks_months_quarters_years() -> None:
    """Periods are labelled the same way everywhere and empty periods are listed too."""
    day = date(2025, 12, 31)
    assert [period_of(day, g) for g in Granularity] == ["2026-W01", "2025-12", "2025-Q4", "2025"]
    assert periods_between(date(2025, 1, 1), date(2025, 12, 31), Granularity.QUARTER) == [
        "2025-Q1",
        "2025-Q2",
        "2025-Q3",
        "2025-Q4",
    ]


@pytest.mark.parametrize(
    ("start", "end", "code"),
    [
        (date(2025, 2, 1), date(2025, 1, 1), "statistics.range_reversed"),
        (date(2020, 1, 1), date(2025, 1, 1), "statistics.range_too_long"),
    ],
)
def test_bad_ranges_are_refused(start: date, end: date, code: str) -> None:
    """A reversed range or one over three years is refused with a stable code."""
    with pytest.raises(InvalidInput) as caught:
        aggregate(
            FACTS, start=start, end=end, granularity=Granularity.MONTH, taxonomy=Taxonomy.default()
        )
    assert caught.value.code == code
