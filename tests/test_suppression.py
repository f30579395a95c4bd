"""No exported table, alone or with the others of the same export, reveals a small count."""

from __future__ import annotations

import dataclasses
import math
from collections import defaultdict
from datetime import date
from fractions import Fraction

import pytest

from chatsupport.domain.diary import ConcernPick, DiaryFact, DiaryForm, Origin, ReferralPick
from chatsupport.domain.report import build_report
from chatsupport.domain.statistics import Aggregate, Granularity, aggregate
from chatsupport.domain.suppression import Equation, Hidden, suppress
from chatsupport.domain.taxonomy import NONE, Dimension, Taxonomy
from tests.diary_data import _codes, generate

START, END = date(2025, 1, 1), date(2025, 12, 31)
FACTS = generate(3000)


def solvable(hidden: set[str], equations: list[Equation]) -> set[str]:
    """Independent check with exact fractions: hidden values fixed by the published ones.

    Gauss-Jordan elimination over the equations restricted to the hidden counts; a hidden
    count is fixed exactly when some reduced row mentions it alone.
    """
    pivots: dict[str, dict[str, Fraction]] = {}
    for eq in equations:
        row: dict[str, Fraction] = defaultdict(Fraction)
        for name, coef in [(eq.whole, 1), *((p, -1) for p in eq.parts)]:
            if name in hidden:
                row[name] += coef
        row = {k: v for k, v in row.items() if v}
        for col, prow in pivots.items():
            if col in row:
                row = combine(row, prow, row[col])
        if not row:
            continue
        lead = min(row)
        row = {k: v / row[lead] for k, v in row.items()}
        for col, prow in pivots.items():
            if lead in prow:
                pivots[col] = combine(prow, row, prow[lead])
        pivots[lead] = row
    return {col for col, row in pivots.items() if len(row) == 1}


def combine(
    row: dict[str, Fraction], other: dict[str, Fraction], factor: Fraction
) -> dict[str, Fraction]:
    out = dict(row)
    for k, v in other.items():
        out[k] = out.get(k, Fraction(0)) - factor * v
    return {k: v for k, v in out.items() if v}


def range_left_open(
    eq: Equation,
    target: str,
    values: dict[str, int],
    hidden: dict[str, Hidden],
    t: int,
    at_least: dict[str, float] | None = None,
) -> tuple[float, float]:
    """What one equation alone tells about a hidden small count, when every other hidden
    member is known only as '<t' (1..t-1) or '..' (t or more): the interval it must lie in."""
    coef = {eq.whole: 1} | {p: -1 for p in eq.parts}
    known = sum(c * values[m] for m, c in coef.items() if m not in hidden)
    low_rest, high_rest = 0.0, 0.0  # bounds of the sum of the other hidden terms
    for m, c in coef.items():
        if m in hidden and m != target:
            lo, hi = (1, t - 1) if hidden[m] is Hidden.PRIMARY else (t, math.inf)
            if at_least and m in at_least:
                lo = max(lo, at_least[m])
            low_rest += c * (lo if c > 0 else hi)
            high_rest += c * (hi if c > 0 else lo)
    c = coef[target]  # c * x = -known - rest
    ends = sorted([(-known - high_rest) / c, (-known - low_rest) / c])
    return ends[0], ends[1]


def export(granularity: Granularity, threshold: int = 5) -> tuple[Aggregate, dict[str, Hidden]]:
    agg = aggregate(
        FACTS, start=START, end=END, granularity=granularity, taxonomy=Taxonomy.default()
    )
    return agg, suppress(agg.values, agg.equations(), threshold=threshold, bounds=agg.bounds())


@pytest.mark.parametrize("granularity", list(Granularity))
def test_every_small_count_is_hidden_in_every_table(granularity: Granularity) -> None:
    """Each count from 1 to 4 is hidden wherever it appears; the rendered tables show none."""
    agg, hidden = export(granularity)
    assert all(key in hidden for key, v in agg.values.items() if 0 < v < 5)
    report = build_report(
        FACTS, start=START, end=END, granularity=granularity, taxonomy=Taxonomy.default(), lang="fi"
    )
    for table in report.tables:
        for line in (*table.rows, table.footer):
            for cell in (*line.cells, line.total):
                assert cell.value is None or cell.value == 0 or cell.value >= 5
                assert (cell.value is None) == (cell.display in {"<5", ".."})


@pytest.mark.parametrize("granularity", list(Granularity))
def test_no_hidden_count_can_be_recovered_from_the_whole_export(
    granularity: Granularity,
) -> None:
    """Across all tables at once: every row/column with a hidden cell hides another one, and
    no hidden count is fixed by any combination of the published totals (exact solve)."""
    agg, hidden = export(granularity)
    equations = agg.equations()
    for eq in equations:
        members = [m for m in eq.members if m in hidden]
        assert len(members) != 1, eq
    assert solvable(set(hidden), equations) == set()


@pytest.mark.parametrize("granularity", list(Granularity))
def test_no_equation_narrows_a_small_count(granularity: Granularity) -> None:
    """Reading any single row or column with the '<5' and '..' marks, a hidden small count
    could still be any value from 1 to 4."""
    agg, hidden = export(granularity)
    for eq in agg.equations():
        for member in eq.members:
            if hidden.get(member) is Hidden.PRIMARY:
                low, high = range_left_open(eq, member, agg.values, hidden, 5)
                assert low <= 1 and high >= 4, (eq, member, low, high)


def test_shared_counts_are_hidden_alike_in_every_table() -> None:
    """A count shown in two tables (e.g. answered per month) is hidden in both or neither."""
    agg, hidden = export(Granularity.WEEK)
    seen: dict[str, set[str]] = defaultdict(set)
    for table in agg.tables:
        for key in [*table.cells.values(), *table.col_totals.values(), table.grand]:
            seen[key].add(table.name)
    shared = [k for k, tables in seen.items() if len(tables) > 1]
    assert shared and any(k in hidden for k in shared)
    # One variable name per count: the mapping itself guarantees equal treatment.


def test_a_lone_small_cell_takes_a_neighbour_with_it() -> None:
    """One small cell in a 2x2 table hides a second cell in its row and its column."""
    values = {"a": 3, "b": 20, "c": 30, "d": 40, "r1": 23, "r2": 70, "c1": 33, "c2": 60, "g": 93}
    eqs = [
        Equation("r1", ("a", "b")),
        Equation("r2", ("c", "d")),
        Equation("c1", ("a", "c")),
        Equation("c2", ("b", "d")),
        Equation("g", ("r1", "r2")),
        Equation("g", ("c1", "c2")),
    ]
    assert solvable({"a"}, eqs) == {"a"}  # the checker does find a lone hidden cell
    assert solvable({"a", "b", "c", "d"}, eqs) == set()
    hidden = suppress(values, eqs, threshold=5)
    assert hidden["a"] is Hidden.PRIMARY
    assert {"b", "c", "d"} <= set(hidden)
    assert solvable(set(hidden), eqs) == set()


def test_two_small_cells_that_would_reveal_each_other_are_protected() -> None:
    """Two small cells alone in a row (sum 2) are not enough: a larger count is hidden too."""
    values = {"a": 1, "b": 1, "c": 50, "t": 52}
    hidden = suppress(values, [Equation("t", ("a", "b", "c"))], threshold=5)
    assert {"a", "b", "c"} <= set(hidden)


def small_month() -> list[DiaryFact]:
    """A quiet March: 11 contacts, one missed, one silent, nine counselling conversations
    that all gave the same referral."""
    form = DiaryForm(
        contact_type="COUNSELLING",
        outcome=_codes(Dimension.OUTCOME)[0],
        caller=_codes(Dimension.CALLER)[0],
        age_band=_codes(Dimension.AGE_BAND)[2],
        concerns=(ConcernPick(code=_codes(Dimension.CONCERN)[0], primary=True),),
        concern_level=1,
        referrals=(
            ReferralPick(
                code=_codes(Dimension.REFERRAL, skip=(NONE,))[0],
                how=_codes(Dimension.REFERRAL_HOW)[0],
            ),
        ),
    )
    origins = [Origin.MISSED, Origin.NO_MESSAGES, *[Origin.ANSWERED] * 9]
    facts = []
    for fact, origin in zip(generate(11), origins, strict=True):
        day = date(2025, 3, 10)  # a Monday
        system = dataclasses.replace(
            fact.system,
            origin=origin,
            local_date=day,
            weekday=day.weekday(),
            hour=15,
            lang="fi",
            quick_exit=False,
            youth_urgent=False,
            responder_role=None if origin is Origin.MISSED else "professional",
        )
        facts.append(DiaryFact(system, form if origin is Origin.ANSWERED else None))
    return facts


def least_values(
    values: dict[str, int], agg: Aggregate, hidden: dict[str, Hidden], t: int
) -> dict[str, float]:
    """Independent check: what a reader knows each hidden '..' count to be at least, from
    the published counts it bounds and the sums of its parts, carried up until stable."""
    rules = [(eq.whole, eq.parts) for eq in agg.equations()]
    rules += [(b.whole, (b.part,)) for b in agg.bounds()]
    least = {k: float(t) for k, h in hidden.items() if h is Hidden.SECONDARY}

    def lo(name: str) -> float:
        return least.get(name, 1.0) if name in hidden else float(values[name])

    changed = True
    while changed:
        changed = False
        for whole, parts in rules:
            if whole in least and sum(lo(p) for p in parts) > least[whole]:
                least[whole], changed = sum(lo(p) for p in parts), True
    return least


def narrowed(agg: Aggregate, hidden: dict[str, Hidden], t: int = 5) -> list[str]:
    """Hidden small counts that some equation, read with those lower ends, narrows."""
    least = least_values(agg.values, agg, hidden, t)
    return sorted(
        member
        for eq in agg.equations()
        for member in eq.members
        if hidden.get(member) is Hidden.PRIMARY
        and not _spans(range_left_open(eq, member, agg.values, hidden, t, least), t)
    )


def _spans(ends: tuple[float, float], t: int) -> bool:
    return ends[0] <= 1 and ends[1] >= t - 1


def test_a_published_referral_count_does_not_narrow_the_small_counts_of_its_month() -> None:
    """Nine conversations all gave one referral, shown as 9: a reader knows "answered" is at
    least 9, and so the month's "<5" missed and silent contacts are 1 each, unless a count
    of the month's total is hidden too. With what a reader knows counts to be at least,
    each hidden small count could still be any value from 1 to 4."""
    agg = aggregate(
        small_month(),
        start=date(2025, 3, 1),
        end=date(2025, 3, 31),
        granularity=Granularity.MONTH,
        taxonomy=Taxonomy.default(),
    )
    equations = agg.equations()
    without_bounds = suppress(agg.values, equations, threshold=5)
    assert narrowed(agg, without_bounds)  # what the export did before: the reader's case
    hidden = suppress(agg.values, equations, threshold=5, bounds=agg.bounds())
    assert narrowed(agg, hidden) == []
    assert solvable(set(hidden), equations) == set()
    assert "attempts@2025-03" in hidden  # the month's total now hides with them


@pytest.mark.parametrize("granularity", list(Granularity))
def test_no_floor_narrows_a_small_count(granularity: Granularity) -> None:
    """A year of generated records: read with what a reader knows hidden totals to be at
    least, no equation narrows a hidden small count."""
    agg, hidden = export(granularity)
    assert narrowed(agg, hidden) == []


def test_a_sparse_weekly_export_stays_quick_and_floors_add_no_leak() -> None:
    """600 records by week (a quiet service's year): many small counts. The floors narrow no
    small count that the one-equation reading did not already flag, and nothing is solvable.

    That reading itself flags some here: it takes every '..' for 5 or more, and on sparse
    data the greedy choice must sometimes hide a zero (answered 4 = 2 + 2 + a hidden 0 reads
    as at least 7), a conservative false alarm, not something a reader can learn. (A first
    version propagated every interval through every equation: minutes for this export.)"""
    facts = generate(600)
    agg = aggregate(
        facts, start=START, end=END, granularity=Granularity.WEEK, taxonomy=Taxonomy.default()
    )
    hidden = suppress(agg.values, agg.equations(), threshold=5, bounds=agg.bounds())
    plain = sorted(
        member
        for eq in agg.equations()
        for member in eq.members
        if hidden.get(member) is Hidden.PRIMARY
        and not _spans(range_left_open(eq, member, agg.values, hidden, 5), 5)
    )
    assert narrowed(agg, hidden) == plain
    assert solvable(set(hidden), agg.equations()) == set()


@pytest.mark.parametrize("threshold", [3, 10])
def test_threshold_is_configurable(threshold: int) -> None:
    """The threshold comes from settings; counts below it are hidden, others may show."""
    agg, hidden = export(Granularity.MONTH, threshold)
    assert all(k in hidden for k, v in agg.values.items() if 0 < v < threshold)
    assert solvable(set(hidden), agg.equations()) == set()
