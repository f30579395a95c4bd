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
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from chatsupport.domain.diary import DiaryFact, DiaryForm, Origin
from chatsupport.domain.periods import (
    Granularity,
    check_range,
    median,
    p90,
    period_of,
    periods_between,
)
from chatsupport.domain.suppression import Equation
from chatsupport.domain.taxonomy import COUNSELLING, Dimension, Taxonomy

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
HOURS: tuple[str, ...] = tuple(f"h{h:02d}" for h in range(24))


@dataclass(frozen=True, slots=True)
class _Spec:
    """One table: its population, what tags a fact with its rows, and the known row codes."""

    name: str
    row_dim: str
    population: str  # "attempts", "answered" or "counselling"
    prefix: str | None  # None: the rows are themselves populations (linked across tables)
    tags: Tagger
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
) -> Aggregate:
    """Count the records dated within [start, end] into the report's tables."""
    check_range(start, end)
    chosen = [f for f in facts if start <= f.system.local_date <= end]
    periods = periods_between(start, end, granularity)
    values: Counter[str] = Counter()

    def column_of(spec: _Spec) -> Callable[[DiaryFact], str]:
        if spec.col_dim == "hour":
            return lambda f: HOURS[f.system.hour]
        return lambda f: period_of(f.system.local_date, granularity)

    tables = [
        _build(spec, chosen, HOURS if spec.col_dim == "hour" else periods, column_of(spec),
               taxonomy, values)
        for spec in _SPECS
    ]  # fmt: skip
    times, times_n = _times(chosen, granularity, periods)
    return Aggregate(tables, dict(values), times, times_n)


def _build(
    spec: _Spec,
    facts: Sequence[DiaryFact],
    cols: Sequence[str],
    column: Callable[[DiaryFact], str],
    taxonomy: Taxonomy,
    values: Counter[str],
) -> CountTable:
    """Rows are the known codes plus any other code found (for example a removed one)."""
    members = _POPULATIONS[spec.population](facts)
    found = (tag for fact in members for tag in spec.tags(fact))
    rows = list(dict.fromkeys([*spec.rows(taxonomy), *found]))
    table = _table(
        spec.name,
        row_dim=spec.row_dim,
        col_dim=spec.col_dim,
        rows=rows,
        cols=cols,
        population=spec.population,
        prefix=spec.prefix,
        rows_partition=spec.partition,
    )
    for key in [*table.cells.values(), *table.row_totals.values()]:
        values[key] += 0
    for fact in members:
        for r in dict.fromkeys(spec.tags(fact)):
            values[table.cells[r, column(fact)]] += 1
            values[table.row_totals[r]] += 1
    counts = Counter(column(f) for f in members)
    for c in cols:  # column and grand totals count each member once (multi-select too)
        values[table.col_totals[c]] = counts[c]
    values[table.grand] = len(members)
    return table


def _answer_class(fact: DiaryFact) -> str:
    if fact.form is None:
        return "unfiled"
    return "counselling" if fact.form.contact_type == COUNSELLING else "other"


def _counselling(facts: Iterable[DiaryFact]) -> list[DiaryFact]:
    return [f for f in facts if f.form is not None and f.form.contact_type == COUNSELLING]


def _answered(facts: Iterable[DiaryFact]) -> list[DiaryFact]:
    return [f for f in facts if f.system.origin is Origin.ANSWERED]


_POPULATIONS: dict[str, Callable[[Sequence[DiaryFact]], list[DiaryFact]]] = {
    "attempts": list,
    "answered": _answered,
    "counselling": _counselling,
}


def _form(fact: DiaryFact) -> DiaryForm:
    assert fact.form is not None  # the dimension tables only see filed counselling records
    return fact.form


def _primary(fact: DiaryFact) -> list[str]:
    primary = _form(fact).primary_concern
    return [primary] if primary else []


def _codes(dimension: Dimension) -> Callable[[Taxonomy], list[str]]:
    return lambda taxonomy: [t.code for t in taxonomy.terms(dimension)]


def _fixed(*codes: str) -> Callable[[Taxonomy], Sequence[str]]:
    return lambda _: codes


_SPECS: tuple[_Spec, ...] = (
    _Spec("contacts", "measure", "attempts", None, lambda f: [f.system.origin.value],
          _fixed(*(o.value for o in Origin))),
    _Spec("answered", "measure", "answered", None, lambda f: [_answer_class(f)],
          _fixed("counselling", "other", "unfiled")),
    _Spec("responder_role", "role", "answered", "role",
          lambda f: [str(f.system.responder_role)], _fixed(*ROLES)),
    _Spec("weekday_hour", "weekday", "attempts", "weekday", lambda f: [str(f.system.weekday)],
          _fixed(*(str(d) for d in range(7))), col_dim="hour"),
    _Spec("concern_primary", Dimension.CONCERN.value, "counselling", "concern_primary",
          _primary, _codes(Dimension.CONCERN)),
    _Spec("concern_any", Dimension.CONCERN.value, "counselling", "concern_any",
          lambda f: [c.code for c in _form(f).concerns], _codes(Dimension.CONCERN),
          partition=False),
    _Spec("concern_level", Dimension.CONCERN_LEVEL.value, "counselling", "concern_level",
          lambda f: [str(_form(f).concern_level)], _codes(Dimension.CONCERN_LEVEL)),
    _Spec("age_band", Dimension.AGE_BAND.value, "counselling", "age_band",
          lambda f: [_form(f).age_band], _codes(Dimension.AGE_BAND)),
    _Spec("referral", Dimension.REFERRAL.value, "counselling", "referral",
          lambda f: [r.code for r in _form(f).referrals], _codes(Dimension.REFERRAL),
          partition=False),
)  # fmt: skip

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
