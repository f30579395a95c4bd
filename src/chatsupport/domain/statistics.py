"""Statistics from diary records: pure aggregation into two-dimensional count tables.

Every table crosses at most two dimensions: a category (rows) and a period or hour (columns).
Each count is a named *variable*; a variable shared by two tables (for example "answered
contacts in 2026-03" is a cell of one table and a column total of another) has one name, so
suppression treats the export as one system (see ``domain.suppression``).

Counting rules (docs/statistics.md explains them for coordinators):

* attempts = every chat opened; missed = never claimed; no_messages = claimed but ended before
  any message (recorded as silent by the system); answered = claimed with at least one message.
* answered = counselling + other (filed with another contact type) + unfiled (form not filed).
* concern, level, age band and referral tables count filed counselling conversations; concern
  "any" and referral are multi-select, so their rows do not add up to the column total.
* waiting time (to the claim) and duration (claim to end) are over answered contacts.
"""

from __future__ import annotations

import math
import statistics as pystats
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from chatsupport.domain.diary import DiaryFact, DiaryForm, Origin
from chatsupport.domain.errors import InvalidInput
from chatsupport.domain.suppression import Equation
from chatsupport.domain.taxonomy import COUNSELLING, Dimension, Taxonomy

MAX_RANGE_DAYS = 3 * 366
RANGE_REVERSED = "statistics.range_reversed"
RANGE_TOO_LONG = "statistics.range_too_long"
ALL = "*"
ROLES: tuple[str, ...] = ("professional", "experience_expert")


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


@dataclass(frozen=True, slots=True)
class CountTable:
    """A category x column count table; every number is the name of a variable."""

    name: str
    row_dim: str  # a taxonomy dimension, "measure", "role" or "weekday"
    col_dim: str  # "period" or "hour"
    rows: tuple[str, ...]
    cols: tuple[str, ...]
    population: str  # the variable family of the column totals
    rows_partition: bool  # False for multi-select rows (they do not add up)
    cells: dict[tuple[str, str], str]
    row_totals: dict[str, str]
    col_totals: dict[str, str]
    grand: str

    def equations(self) -> list[Equation]:
        eqs = [
            Equation(self.row_totals[r], tuple(self.cells[r, c] for c in self.cols))
            for r in self.rows
        ]
        eqs.append(Equation(self.grand, tuple(self.col_totals[c] for c in self.cols)))
        if self.rows_partition:
            eqs += [
                Equation(self.col_totals[c], tuple(self.cells[r, c] for r in self.rows))
                for c in self.cols
            ]
            eqs.append(Equation(self.grand, tuple(self.row_totals[r] for r in self.rows)))
        return eqs


def _table(
    name: str,
    *,
    row_dim: str,
    col_dim: str,
    rows: Sequence[str],
    cols: Sequence[str],
    population: str,
    prefix: str | None,
    rows_partition: bool = True,
) -> CountTable:
    def cell(r: str, c: str) -> str:
        return f"{r}@{c}" if prefix is None else f"{population}.{prefix}={r}@{c}"

    return CountTable(
        name,
        row_dim,
        col_dim,
        tuple(rows),
        tuple(cols),
        population,
        rows_partition,
        cells={(r, c): cell(r, c) for r in rows for c in cols},
        row_totals={r: cell(r, ALL) for r in rows},
        col_totals={c: f"{population}@{c}" for c in cols},
        grand=f"{population}@{ALL}",
    )


@dataclass(frozen=True, slots=True)
class Aggregate:
    """All tables of one report with the true value of every variable, plus time measures."""

    tables: list[CountTable]
    values: dict[str, int]
    times: dict[str, dict[str, float | None]]  # measure -> period -> minutes
    times_n: dict[str, int]  # period -> answered contacts the times are computed over

    def equations(self) -> list[Equation]:
        return [eq for table in self.tables for eq in table.equations()]


Tagger = Callable[[DiaryFact], Iterable[str]]


def aggregate(
    facts: Iterable[DiaryFact],
    *,
    start: date,
    end: date,
    granularity: Granularity,
    taxonomy: Taxonomy,
) -> Aggregate:
    """Count the records dated within [start, end] into the report's tables."""
    check_range(start, end)
    chosen = [f for f in facts if start <= f.system.local_date <= end]
    periods = periods_between(start, end, granularity)
    values: Counter[str] = Counter()
    tables = [build(chosen, granularity, periods, taxonomy, values) for build in _BUILDERS]
    times, times_n = _times(chosen, granularity, periods)
    return Aggregate(tables, dict(values), times, times_n)


def _fill(
    table: CountTable,
    facts: Iterable[DiaryFact],
    tags: Tagger,
    column: Callable[[DiaryFact], str],
    values: Counter[str],
) -> CountTable:
    """Count each fact under every row tag it has; totals count each fact once."""
    for key in [*table.cells.values(), *table.row_totals.values(), *table.col_totals.values()]:
        values[key] += 0
    values[table.grand] += 0
    for fact in facts:
        col = column(fact)
        found = [r for r in dict.fromkeys(tags(fact)) if r in table.row_totals]
        for r in found:
            values[table.cells[r, col]] += 1
            values[table.row_totals[r]] += 1
    return table


def _answer_class(fact: DiaryFact) -> str:
    if fact.form is None:
        return "unfiled"
    return "counselling" if fact.form.contact_type == COUNSELLING else "other"


def _counselling(facts: Iterable[DiaryFact]) -> list[DiaryFact]:
    return [f for f in facts if f.form is not None and f.form.contact_type == COUNSELLING]


def _answered(facts: Iterable[DiaryFact]) -> list[DiaryFact]:
    return [f for f in facts if f.system.origin is Origin.ANSWERED]


def _by_period(
    name: str,
    *,
    row_dim: str,
    rows: Sequence[str],
    population: str,
    prefix: str | None,
    facts: Sequence[DiaryFact],
    tags: Tagger,
    granularity: Granularity,
    periods: list[str],
    values: Counter[str],
    rows_partition: bool = True,
    fill_totals: bool = True,
) -> CountTable:
    table = _table(
        name,
        row_dim=row_dim,
        col_dim="period",
        rows=rows,
        cols=periods,
        population=population,
        prefix=prefix,
        rows_partition=rows_partition,
    )

    def column(fact: DiaryFact) -> str:
        return period_of(fact.system.local_date, granularity)

    _fill(table, facts, tags, column, values)
    if fill_totals:
        _fill_population(table, facts, column, values)
    return table


def _fill_population(
    table: CountTable,
    facts: Sequence[DiaryFact],
    column: Callable[[DiaryFact], str],
    values: Counter[str],
) -> None:
    """Column totals and the grand total count each fact of the population once."""
    counts = Counter(column(f) for f in facts)
    for c in table.cols:
        values[table.col_totals[c]] = counts[c]
    values[table.grand] = len(facts)


def _contacts(
    facts: Sequence[DiaryFact],
    g: Granularity,
    periods: list[str],
    taxonomy: Taxonomy,
    values: Counter[str],
) -> CountTable:
    return _by_period(
        "contacts",
        row_dim="measure",
        rows=[o.value for o in Origin],
        population="attempts",
        prefix=None,
        facts=facts,
        tags=lambda f: [f.system.origin.value],
        granularity=g,
        periods=periods,
        values=values,
    )


def _answered_split(
    facts: Sequence[DiaryFact],
    g: Granularity,
    periods: list[str],
    taxonomy: Taxonomy,
    values: Counter[str],
) -> CountTable:
    return _by_period(
        "answered",
        row_dim="measure",
        rows=["counselling", "other", "unfiled"],
        population="answered",
        prefix=None,
        facts=_answered(facts),
        tags=lambda f: [_answer_class(f)],
        granularity=g,
        periods=periods,
        values=values,
    )


def _role(
    facts: Sequence[DiaryFact],
    g: Granularity,
    periods: list[str],
    taxonomy: Taxonomy,
    values: Counter[str],
) -> CountTable:
    answered = _answered(facts)
    rows = list(dict.fromkeys([*ROLES, *(str(f.system.responder_role) for f in answered)]))
    return _by_period(
        "responder_role",
        row_dim="role",
        rows=rows,
        population="answered",
        prefix="role",
        facts=answered,
        tags=lambda f: [str(f.system.responder_role)],
        granularity=g,
        periods=periods,
        values=values,
    )


def _taxonomy_rows(taxonomy: Taxonomy, dimension: Dimension, used: Iterable[str]) -> list[str]:
    codes = [t.code for t in taxonomy.terms(dimension)]
    return list(dict.fromkeys([*codes, *used]))


def _dimension_table(
    name: str, dimension: Dimension, tags: Tagger, *, partition: bool
) -> Callable[..., CountTable]:
    def build(
        facts: Sequence[DiaryFact],
        g: Granularity,
        periods: list[str],
        taxonomy: Taxonomy,
        values: Counter[str],
    ) -> CountTable:
        counselling = _counselling(facts)
        rows = _taxonomy_rows(taxonomy, dimension, (t for f in counselling for t in tags(f)))
        return _by_period(
            name,
            row_dim=dimension.value,
            rows=rows,
            population="counselling",
            prefix=name,
            facts=counselling,
            tags=tags,
            granularity=g,
            periods=periods,
            values=values,
            rows_partition=partition,
        )

    return build


def _weekday_hour(
    facts: Sequence[DiaryFact],
    g: Granularity,
    periods: list[str],
    taxonomy: Taxonomy,
    values: Counter[str],
) -> CountTable:
    hours = [f"h{h:02d}" for h in range(24)]
    table = _table(
        "weekday_hour",
        row_dim="weekday",
        col_dim="hour",
        rows=[str(d) for d in range(7)],
        cols=hours,
        population="attempts",
        prefix="weekday",
        rows_partition=True,
    )

    def column(fact: DiaryFact) -> str:
        return f"h{fact.system.hour:02d}"

    _fill(table, facts, lambda f: [str(f.system.weekday)], column, values)
    _fill_population(table, facts, column, values)
    return table


def _form(fact: DiaryFact) -> DiaryForm:
    assert fact.form is not None  # the dimension tables only see filed counselling records
    return fact.form


def _primary(fact: DiaryFact) -> list[str]:
    primary = _form(fact).primary_concern
    return [primary] if primary else []


_BUILDERS: tuple[Callable[..., CountTable], ...] = (
    _contacts,
    _answered_split,
    _role,
    _weekday_hour,
    _dimension_table("concern_primary", Dimension.CONCERN, _primary, partition=True),
    _dimension_table(
        "concern_any",
        Dimension.CONCERN,
        lambda f: [c.code for c in _form(f).concerns],
        partition=False,
    ),
    _dimension_table(
        "concern_level",
        Dimension.CONCERN_LEVEL,
        lambda f: [str(_form(f).concern_level)],
        partition=True,
    ),
    _dimension_table("age_band", Dimension.AGE_BAND, lambda f: [_form(f).age_band], partition=True),
    _dimension_table(
        "referral",
        Dimension.REFERRAL,
        lambda f: [r.code for r in _form(f).referrals],
        partition=False,
    ),
)

TIME_MEASURES: tuple[str, ...] = ("wait_median", "wait_p90", "duration_median", "duration_p90")


def _times(
    facts: Sequence[DiaryFact], granularity: Granularity, periods: list[str]
) -> tuple[dict[str, dict[str, float | None]], dict[str, int]]:
    """Waiting time and duration in minutes per period (and ALL) over answered contacts."""
    groups: dict[str, list[DiaryFact]] = {p: [] for p in [*periods, ALL]}
    for fact in _answered(facts):
        groups[period_of(fact.system.local_date, granularity)].append(fact)
        groups[ALL].append(fact)
    out: dict[str, dict[str, float | None]] = {m: {} for m in TIME_MEASURES}
    for period, group in groups.items():
        waits = [f.system.wait_secs / 60 for f in group if f.system.wait_secs is not None]
        durations = [
            f.system.duration_secs / 60 for f in group if f.system.duration_secs is not None
        ]
        out["wait_median"][period] = median(waits)
        out["wait_p90"][period] = p90(waits)
        out["duration_median"][period] = median(durations)
        out["duration_p90"][period] = p90(durations)
    return out, {p: len(g) for p, g in groups.items()}
