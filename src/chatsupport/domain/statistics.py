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

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from chatsupport.domain.diary import DiaryFact, Origin
from chatsupport.domain.diary_tally import (
    ANSWERED,
    DURATION,
    WAIT,
    Tally,
    estimate_median,
    estimate_p90,
)
from chatsupport.domain.periods import (
    Granularity,
    check_range,
    median,
    p90,
    period_of,
    periods_between,
    place_months,
)
from chatsupport.domain.suppression import Bound, Equation
from chatsupport.domain.taxonomy import Dimension, Taxonomy

ALL = "*"
ROLES: tuple[str, ...] = ("professional", "experience_expert")
__all__ = [
    "ALL",
    "TIME_MEASURES",
    "Aggregate",
    "CountTable",
    "Granularity",
    "aggregate",
    "check_range",
    "period_of",
    "periods_between",
]


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

    def bounds(self) -> list[Bound]:
        """A multi-select row counts each conversation at most once: no cell exceeds its
        column total, no row total the grand total."""
        if self.rows_partition:
            return []
        found = [Bound(self.col_totals[c], self.cells[r, c]) for r in self.rows for c in self.cols]
        return found + [Bound(self.grand, self.row_totals[r]) for r in self.rows]


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
    """All tables of one report with the true value of every variable, plus time measures.

    ``unavailable``: periods left out because only monthly figures remain of their days
    (``periods.place_months``); ``estimated``: periods (and ALL) whose times come from the
    bands of purged months (``diary_tally.estimate_median``).
    """

    tables: list[CountTable]
    values: dict[str, int]
    times: dict[str, dict[str, float | None]]  # measure -> period -> minutes
    times_n: dict[str, int]  # period -> answered contacts the times are computed over
    unavailable: tuple[str, ...] = ()
    estimated: frozenset[str] = frozenset()

    def equations(self) -> list[Equation]:
        return [eq for table in self.tables for eq in table.equations()]

    def bounds(self) -> list[Bound]:
        return [b for table in self.tables for b in table.bounds()]


HOURS: tuple[str, ...] = tuple(f"h{h:02d}" for h in range(24))


@dataclass(frozen=True, slots=True)
class _Spec:
    """One table: its population, the tally dimension of its rows, and the known row codes."""

    name: str
    row_dim: str
    population: str  # "attempts", "answered" or "counselling"
    prefix: str | None  # None: the rows are themselves populations (linked across tables)
    dimension: str  # the tally dimension (domain.diary_tally) the rows are counted in
    rows: Callable[[Taxonomy], Sequence[str]]
    partition: bool = True
    col_dim: str = "period"


def aggregate(
    facts: Iterable[DiaryFact],
    *,
    start: date,
    end: date,
    granularity: Granularity,
    taxonomy: Taxonomy,
    folded: Mapping[date, Tally] | None = None,
) -> Aggregate:
    """Count the records dated within [start, end], plus the tallies of purged months.

    ``folded`` maps a month's first day to the tally its rows were folded into; a month is
    either there or in ``facts`` (the purge moves it in one transaction), so counts are the
    same before and after the purge for every period that can still be shown.
    """
    check_range(start, end)
    folded = folded or {}
    placed, broken = place_months(folded, start=start, end=end, granularity=granularity)
    periods = [p for p in periods_between(start, end, granularity) if p not in broken]
    columns: dict[str, Tally] = {p: Tally() for p in periods}
    chosen: dict[str, list[DiaryFact]] = {p: [] for p in periods}
    for fact in facts:
        period = period_of(fact.system.local_date, granularity)
        if start <= fact.system.local_date <= end and period in columns:
            columns[period].add_fact(fact)
            chosen[period].append(fact)
    for month, period in placed.items():
        columns[period].add(folded[month])
    values: Counter[str] = Counter()
    tables = [_build(spec, columns, taxonomy, values) for spec in _SPECS]
    estimated = frozenset(placed.values())
    times, times_n = _times(chosen, columns, estimated)
    unavailable = tuple(p for p in periods_between(start, end, granularity) if p in broken)
    estimated_all = estimated | ({ALL} if estimated else set())
    return Aggregate(tables, dict(values), times, times_n, unavailable, estimated_all)


def _build(
    spec: _Spec, columns: Mapping[str, Tally], taxonomy: Taxonomy, values: Counter[str]
) -> CountTable:
    """Rows are the known codes plus any other code found (for example a removed one)."""
    if spec.col_dim == "hour":
        counted = _by_hour(spec, columns)
    else:
        counted = {p: t.codes(spec.population, spec.dimension) for p, t in columns.items()}
    found = (code for by_code in counted.values() for code in by_code)
    rows = list(dict.fromkeys([*spec.rows(taxonomy), *found]))
    table = _table(
        spec.name,
        row_dim=spec.row_dim,
        col_dim=spec.col_dim,
        rows=rows,
        cols=HOURS if spec.col_dim == "hour" else list(columns),
        population=spec.population,
        prefix=spec.prefix,
        rows_partition=spec.partition,
    )
    for key in [*table.cells.values(), *table.row_totals.values()]:
        values[key] += 0
    for col, by_code in counted.items():
        for code, n in by_code.items():
            values[table.cells[code, col]] += n
            values[table.row_totals[code]] += n
    for col in table.cols:  # column and grand totals count each member once (multi-select too)
        values[table.col_totals[col]] = _members(spec, columns, col, counted)
    values[table.grand] = sum(t.total(spec.population) for t in columns.values())
    return table


def _by_hour(spec: _Spec, columns: Mapping[str, Tally]) -> dict[str, dict[str, int]]:
    """The weekday x hour codes ("3h14") of every column, as hour -> weekday -> count."""
    out: dict[str, dict[str, int]] = {hour: {} for hour in HOURS}
    for tally in columns.values():
        for code, n in tally.codes(spec.population, spec.dimension).items():
            weekday, hour = code.split("h")
            out[f"h{hour}"][weekday] = out[f"h{hour}"].get(weekday, 0) + n
    return out


def _members(
    spec: _Spec, columns: Mapping[str, Tally], col: str, counted: Mapping[str, Mapping[str, int]]
) -> int:
    if spec.col_dim == "hour":  # one weekday and one hour per record: the rows add up
        return sum(counted[col].values())
    return columns[col].total(spec.population)


def _codes(dimension: Dimension) -> Callable[[Taxonomy], list[str]]:
    return lambda taxonomy: [t.code for t in taxonomy.terms(dimension)]


def _fixed(*codes: str) -> Callable[[Taxonomy], Sequence[str]]:
    return lambda _: codes


_SPECS: tuple[_Spec, ...] = (
    _Spec("contacts", "measure", "attempts", None, "origin", _fixed(*(o.value for o in Origin))),
    _Spec("answered", "measure", "answered", None, "answer_class",
          _fixed("counselling", "other", "unfiled")),
    _Spec("responder_role", "role", "answered", "role", "role", _fixed(*ROLES)),
    _Spec("help_now", "help_now", "attempts", "help_now", "youth_urgent", _fixed("true", "false")),
    _Spec("quick_exit", "quick_exit", "attempts", "quick_exit", "quick_exit",
          _fixed("true", "false")),
    _Spec("language", "lang", "attempts", "lang", "lang", _fixed("fi", "sv", "en")),
    _Spec("weekday_hour", "weekday", "attempts", "weekday", "weekday_hour",
          _fixed(*(str(d) for d in range(7))), col_dim="hour"),
    _Spec("concern_primary", Dimension.CONCERN.value, "counselling", "concern_primary",
          "concern_primary", _codes(Dimension.CONCERN)),
    _Spec("concern_any", Dimension.CONCERN.value, "counselling", "concern_any", "concern_any",
          _codes(Dimension.CONCERN), partition=False),
    _Spec("concern_level", Dimension.CONCERN_LEVEL.value, "counselling", "concern_level",
          "concern_level", _codes(Dimension.CONCERN_LEVEL)),
    _Spec("age_band", Dimension.AGE_BAND.value, "counselling", "age_band", "age_band",
          _codes(Dimension.AGE_BAND)),
    _Spec("referral", Dimension.REFERRAL.value, "counselling", "referral", "referral",
          _codes(Dimension.REFERRAL), partition=False),
)  # fmt: skip

TIME_MEASURES: tuple[str, ...] = ("wait_median", "wait_p90", "duration_median", "duration_p90")


def _times(
    chosen: Mapping[str, Sequence[DiaryFact]],
    columns: Mapping[str, Tally],
    estimated: frozenset[str],
) -> tuple[dict[str, dict[str, float | None]], dict[str, int]]:
    """Waiting time and duration in minutes per period (and ALL) over answered contacts.

    Exact from the records, except where a purged month counts: there from the bands.
    """
    everything = Tally()
    for tally in columns.values():
        everything.add(tally)
    groups = {**columns, ALL: everything}
    out: dict[str, dict[str, float | None]] = {m: {} for m in TIME_MEASURES}
    for period, tally in groups.items():
        if estimated and (period == ALL or period in estimated):
            figures = _estimated(tally)
        else:
            facts = [f for fs in chosen.values() for f in fs] if period == ALL else chosen[period]
            figures = _exact(facts)
        for measure, value in zip(TIME_MEASURES, figures, strict=True):
            out[measure][period] = value
    return out, {p: t.total(ANSWERED) for p, t in groups.items()}


def _exact(facts: Sequence[DiaryFact]) -> tuple[float | None, ...]:
    answered = [f.system for f in facts if f.system.origin is Origin.ANSWERED]
    waits = [s.wait_secs / 60 for s in answered if s.wait_secs is not None]
    durations = [s.duration_secs / 60 for s in answered if s.duration_secs is not None]
    return median(waits), p90(waits), median(durations), p90(durations)


def _estimated(tally: Tally) -> tuple[float | None, ...]:
    def minutes(secs: float | None) -> float | None:
        return None if secs is None else secs / 60

    wait, duration = tally.band_counts(WAIT), tally.band_counts(DURATION)
    return (
        minutes(estimate_median(wait)),
        minutes(estimate_p90(wait)),
        minutes(estimate_median(duration)),
        minutes(estimate_p90(duration)),
    )
