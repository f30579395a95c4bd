"""Monthly tallies: what purged months keep, and statistics built from rows plus tallies."""

from __future__ import annotations

from datetime import date

import pytest

from chatsupport.domain.diary import DiaryFact, Origin
from chatsupport.domain.diary_tally import (
    FINE_UNTIL_SECS,
    FIXED_CODE,
    Tally,
    band_of,
    estimate_median,
    estimate_p90,
    fold,
    fold_before,
)
from chatsupport.domain.periods import median, month_of, p90, place_months
from chatsupport.domain.report import build_report
from chatsupport.domain.statistics import ALL, TIME_MEASURES, Granularity, aggregate
from chatsupport.domain.taxonomy import Taxonomy
from chatsupport.services.export import note, to_json
from tests.diary_data import generate

START, END = date(2025, 1, 1), date(2025, 12, 31)
FACTS = generate(3000)
PURGED_BEFORE = date(2025, 7, 1)  # January to June are folded, July to December kept
HALF_MINUTE = 0.5  # the documented bound of an estimated median or p90, in minutes


def split(facts: list[DiaryFact], before: date) -> tuple[list[DiaryFact], dict[date, Tally]]:
    """The records still kept, and the tallies of the months folded before ``before``."""
    kept = [f for f in facts if f.system.local_date >= before]
    return kept, fold(f for f in facts if f.system.local_date < before)


def test_rows_are_folded_whole_months_after_their_retention() -> None:
    """Months go whole: on 26 Nov 2028 with 24 months, October 2026 is folded, November not."""
    assert fold_before(date(2028, 11, 26), retention_months=24) == date(2026, 11, 1)
    assert fold_before(date(2028, 11, 1), retention_months=24) == date(2026, 11, 1)
    assert fold_before(date(2028, 10, 31), retention_months=24) == date(2026, 10, 1)
    assert fold_before(date(2026, 1, 15), retention_months=4) == date(2025, 9, 1)


@pytest.mark.parametrize("granularity", [Granularity.MONTH, Granularity.QUARTER, Granularity.YEAR])
def test_counts_are_the_same_from_rows_and_from_tallies(granularity: Granularity) -> None:
    """Every count of every table is exactly the same when half the year is only tallies."""
    kept, folded = split(FACTS, PURGED_BEFORE)
    before = aggregate(
        FACTS, start=START, end=END, granularity=granularity, taxonomy=Taxonomy.default()
    )
    after = aggregate(
        kept,
        start=START,
        end=END,
        granularity=granularity,
        taxonomy=Taxonomy.default(),
        folded=folded,
    )
    assert after.values == before.values
    assert [(t.name, t.rows, t.cols) for t in after.tables] == [
        (t.name, t.rows, t.cols) for t in before.tables
    ]
    assert after.unavailable == ()
    assert after.times_n == before.times_n


@pytest.mark.parametrize("granularity", [Granularity.MONTH, Granularity.QUARTER, Granularity.YEAR])
def test_times_of_purged_months_are_within_half_a_minute(granularity: Granularity) -> None:
    """Medians and p90s from the one-minute bands differ from the exact ones by <= 0.5 min;
    months still kept as rows keep their exact figures."""
    kept, folded = split(FACTS, PURGED_BEFORE)
    args = {"start": START, "end": END, "granularity": granularity, "taxonomy": Taxonomy.default()}
    exact = aggregate(FACTS, **args)
    mixed = aggregate(kept, folded=folded, **args)
    for measure in TIME_MEASURES:
        for period, value in exact.times[measure].items():
            got = mixed.times[measure][period]
            assert value is not None and got is not None
            if period in mixed.estimated:
                assert abs(got - value) <= HALF_MINUTE, (measure, period)
            else:
                assert got == value
    assert ALL in mixed.estimated and "2025-12" not in mixed.estimated


def test_band_estimates_keep_the_exact_rank_rules() -> None:
    """Odd and even counts, values past three hours: the estimate brackets the exact value."""
    for values in ([30, 95, 4000], [30, 95, 4000, 9000], [5] * 9 + [20_000], [100_000, 7]):
        bands: dict[int, int] = {}
        for secs in values:
            bands[band_of(secs)] = bands.get(band_of(secs), 0) + 1
        exact_median, exact_p90 = median(values), p90(values)
        assert exact_median is not None and exact_p90 is not None
        got_median, got_p90 = estimate_median(bands), estimate_p90(bands)
        assert got_median is not None and got_p90 is not None
        if max(values) < FINE_UNTIL_SECS:
            assert abs(got_median - exact_median) <= 30 and abs(got_p90 - exact_p90) <= 30
    assert estimate_median({}) is None and estimate_p90({}) is None


def test_weeks_inside_purged_months_are_not_shown_and_the_report_says_so() -> None:
    """A week view cannot split a month's tally: those weeks are left out, named in the note,
    and the totals count only the weeks shown; weeks of kept months are exact."""
    kept, folded = split(FACTS, PURGED_BEFORE)
    args = {"start": START, "end": END, "granularity": Granularity.WEEK}
    report = build_report(kept, folded=folded, taxonomy=Taxonomy.default(), lang="en", **args)
    assert report.unavailable[0] == "2025-W01" and report.unavailable[-1] == "2025-W27"
    shown = [c for c, _ in report.tables[0].columns]
    assert shown[0] == "2025-W28" and not set(shown) & set(report.unavailable)
    assert "2025-W01\N{EN DASH}2025-W27" in note(report)
    assert to_json(report)["unavailable"] == list(report.unavailable)
    exact = aggregate(FACTS, taxonomy=Taxonomy.default(), **args)
    mixed = aggregate(kept, folded=folded, taxonomy=Taxonomy.default(), **args)
    assert all(mixed.values[f"attempts@{w}"] == exact.values[f"attempts@{w}"] for w in shown)
    assert mixed.values["attempts@*"] == sum(exact.values[f"attempts@{w}"] for w in shown)


def test_a_range_cutting_a_purged_month_leaves_that_month_out() -> None:
    """From 15 March, March (folded) cannot be split: it is unavailable, April counts."""
    kept, folded = split(FACTS, PURGED_BEFORE)
    agg = aggregate(
        kept,
        start=date(2025, 3, 15),
        end=END,
        granularity=Granularity.MONTH,
        taxonomy=Taxonomy.default(),
        folded=folded,
    )
    assert agg.unavailable == ("2025-03",)
    april = [f for f in FACTS if month_of(f.system.local_date) == date(2025, 4, 1)]
    assert agg.values["attempts@2025-04"] == len(april)


def test_months_are_placed_in_the_one_period_holding_them() -> None:
    """A whole month goes to its quarter; a month cut by the range breaks its column."""
    placed, broken = place_months(
        [date(2025, 1, 1), date(2025, 2, 1), date(2025, 6, 1)],
        start=date(2025, 2, 1),
        end=date(2025, 6, 10),
        granularity=Granularity.QUARTER,
    )
    assert placed == {date(2025, 2, 1): "2025-Q1"} and broken == {"2025-Q2"}


def test_tallies_hold_codes_and_counts_only() -> None:
    """Every key of a folded month is a short fixed code; a silent contact has no form."""
    months = fold(FACTS)
    assert len(months) == 12
    for tally in months.values():
        for population, dimension, code in tally.counts:
            assert population in {"attempts", "answered", "counselling"}
            assert FIXED_CODE.fullmatch(dimension) and FIXED_CODE.fullmatch(code)
        assert all(secs >= 0 for _, secs in tally.bands)
    total = sum(t.total("attempts") for t in months.values())
    silent = sum(t.counts["attempts", "origin", Origin.NO_MESSAGES.value] for t in months.values())
    assert total == 3000 and silent == sum(f.system.origin is Origin.NO_MESSAGES for f in FACTS)
