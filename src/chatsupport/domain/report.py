"""A publishable report: aggregated tables after suppression, with labels in one language.

This is the only shape in which diary data leaves the service (statistics API and every
export format): counts per table cell, never a record. A hidden count has ``value = None``
and a ``display`` of ``"<5"`` (a small count) or ``".."`` (hidden to protect a small count).
Waiting-time and duration figures are shown only for groups of at least ``threshold``
answered contacts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from chatsupport.domain.diary import DiaryFact
from chatsupport.domain.diary_tally import Tally
from chatsupport.domain.statistics import (
    ALL,
    TIME_MEASURES,
    Aggregate,
    CountTable,
    Granularity,
    aggregate,
)
from chatsupport.domain.suppression import Hidden, suppress
from chatsupport.domain.taxonomy import Dimension, Taxonomy

SECONDARY_MARK = ".."
# Row codes labelled per table ("help_now=true"): yes/no flags and the chat language.
_CODED_ROWS = frozenset({"help_now", "quick_exit", "lang"})
DEFAULT_THRESHOLD = 5

_TEXT: dict[str, dict[str, str]] = {
    "fi": {
        "total": "Yhteensä",
        "denominator": "Keskustelut (nimittäjä)",
        "period": "Jakso",
        "hour": "Tunti",
        "missed": "Vastaamatta jääneet",
        "no_messages": "Ei viestejä",
        "answered": "Vastatut",
        "counselling": "Keskustelut",
        "other": "Muut yhteydenotot",
        "unfiled": "Kirjaamatta",
        "professional": "Ammattilainen",
        "experience_expert": "Kokemusasiantuntija",
        "contacts": "Yhteydenotot",
        "responder_role": "Vastaajan rooli",
        "help_now": "Hätä nyt -valinta",
        "help_now=true": "Nuori valitsi ”Minulla on hätä nyt”",
        "help_now=false": "Ilman hätä-valintaa",
        "quick_exit": "Poistu nopeasti",
        "quick_exit=true": "Nuori lähti Poistu nopeasti -napilla",
        "quick_exit=false": "Muut",
        "language": "Kieli",
        "lang": "Kieli",
        "lang=fi": "Suomi",
        "lang=sv": "Ruotsi",
        "lang=en": "Englanti",
        "weekday_hour": "Viikonpäivä ja tunti",
        "concern_primary": "Pääasiallinen huoli",
        "concern_any": "Huoli (kaikki maininnat)",
        "concern_level": "Huolen aste",
        "age_band": "Ikäryhmä",
        "referral": "Ohjaus",
        "times": "Odotus ja kesto (min)",
        "wait_median": "Odotus, mediaani",
        "wait_p90": "Odotus, 90. persentiili",
        "duration_median": "Kesto, mediaani",
        "duration_p90": "Kesto, 90. persentiili",
        "measure": "Luku",
        "weekday": "Viikonpäivä",
        "role": "Rooli",
        "concern": "Huoli",
    },
    "sv": {
        "total": "Totalt",
        "denominator": "Samtal (nämnare)",
        "period": "Period",
        "hour": "Timme",
        "missed": "Obesvarade",
        "no_messages": "Inga meddelanden",
        "answered": "Besvarade",
        "counselling": "Samtal",
        "other": "Övriga kontakter",
        "unfiled": "Ej registrerade",
        "professional": "Yrkesperson",
        "experience_expert": "Erfarenhetsexpert",
        "contacts": "Kontakter",
        "responder_role": "Svararens roll",
        "help_now": "Valet ”Jag behöver hjälp nu”",
        "help_now=true": "Den unga valde ”Jag behöver hjälp nu”",
        "help_now=false": "Utan valet",
        "quick_exit": "Lämna snabbt",
        "quick_exit=true": "Den unga lämnade med Lämna snabbt",
        "quick_exit=false": "Övriga",
        "language": "Språk",
        "lang": "Språk",
        "lang=fi": "Finska",
        "lang=sv": "Svenska",
        "lang=en": "Engelska",
        "weekday_hour": "Veckodag och timme",
        "concern_primary": "Huvudsaklig oro",
        "concern_any": "Oro (alla omnämnanden)",
        "concern_level": "Grad av oro",
        "age_band": "Åldersgrupp",
        "referral": "Hänvisning",
        "times": "Väntetid och längd (min)",
        "wait_median": "Väntetid, median",
        "wait_p90": "Väntetid, 90:e percentilen",
        "duration_median": "Längd, median",
        "duration_p90": "Längd, 90:e percentilen",
        "measure": "Mått",
        "weekday": "Veckodag",
        "role": "Roll",
        "concern": "Oro",
    },
    "en": {
        "total": "Total",
        "denominator": "Conversations (denominator)",
        "period": "Period",
        "hour": "Hour",
        "missed": "Missed",
        "no_messages": "No messages",
        "answered": "Answered",
        "counselling": "Counselling",
        "other": "Other contacts",
        "unfiled": "Not filed",
        "professional": "Professional",
        "experience_expert": "Experience expert",
        "contacts": "Contacts",
        "responder_role": "Responder role",
        "help_now": "“I need help right now”",
        "help_now=true": "The young person chose “I need help right now”",
        "help_now=false": "Without that choice",
        "quick_exit": "Leave quickly",
        "quick_exit=true": "The young person left with Leave quickly",
        "quick_exit=false": "Others",
        "language": "Language",
        "lang": "Language",
        "lang=fi": "Finnish",
        "lang=sv": "Swedish",
        "lang=en": "English",
        "weekday_hour": "Weekday and hour",
        "concern_primary": "Primary concern",
        "concern_any": "Concern (any mention)",
        "concern_level": "Concern level",
        "age_band": "Age band",
        "referral": "Referral",
        "times": "Waiting time and duration (min)",
        "wait_median": "Waiting time, median",
        "wait_p90": "Waiting time, 90th percentile",
        "duration_median": "Duration, median",
        "duration_p90": "Duration, 90th percentile",
        "measure": "Measure",
        "weekday": "Weekday",
        "role": "Role",
        "concern": "Concern",
    },
}
_WEEKDAYS = {
    "fi": ("ma", "ti", "ke", "to", "pe", "la", "su"),
    "sv": ("mån", "tis", "ons", "tor", "fre", "lör", "sön"),
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
}


def text(key: str, lang: str) -> str:
    return _TEXT.get(lang, _TEXT["fi"]).get(key, key)


@dataclass(frozen=True, slots=True)
class Cell:
    value: int | None
    hidden: Hidden | None
    display: str


@dataclass(frozen=True, slots=True)
class Line:
    code: str
    label: str
    cells: tuple[Cell, ...]
    total: Cell


@dataclass(frozen=True, slots=True)
class Table:
    name: str
    title: str
    row_header: str
    columns: tuple[tuple[str, str], ...]  # (code, label)
    rows: tuple[Line, ...]
    footer: Line  # column totals; the denominator for multi-select tables
    rows_add_up: bool


@dataclass(frozen=True, slots=True)
class TimeRow:
    code: str
    label: str
    values: tuple[float | None, ...]  # one per column, then ALL


@dataclass(frozen=True, slots=True)
class Report:
    start: date
    end: date
    granularity: Granularity
    lang: str
    threshold: int
    tables: tuple[Table, ...]
    time_columns: tuple[tuple[str, str], ...]
    times: tuple[TimeRow, ...]
    # Periods left out: only monthly figures remain of their days (past the diary retention).
    unavailable: tuple[str, ...] = ()


def build_report(
    facts: Iterable[DiaryFact],
    *,
    start: date,
    end: date,
    granularity: Granularity,
    taxonomy: Taxonomy,
    lang: str,
    threshold: int = DEFAULT_THRESHOLD,
    folded: Mapping[date, Tally] | None = None,
) -> Report:
    """Aggregate (records plus the tallies of purged months), suppress across all tables
    together, and label in ``lang``."""
    agg = aggregate(
        facts, start=start, end=end, granularity=granularity, taxonomy=taxonomy, folded=folded
    )
    hidden = suppress(agg.values, agg.equations(), threshold=threshold, bounds=agg.bounds())
    view = _Labeller(taxonomy, lang, threshold, agg, hidden)
    periods = agg.tables[0].cols
    time_cols = (*((p, p) for p in periods), (ALL, text("total", lang)))
    return Report(
        start,
        end,
        granularity,
        lang,
        threshold,
        tuple(view.table(t) for t in agg.tables),
        time_cols,
        view.times([c for c, _ in time_cols]),
        agg.unavailable,
    )


class _Labeller:
    def __init__(
        self,
        taxonomy: Taxonomy,
        lang: str,
        threshold: int,
        agg: Aggregate,
        hidden: dict[str, Hidden],
    ) -> None:
        self.taxonomy, self.lang, self.threshold = taxonomy, lang, threshold
        self.agg, self.hidden = agg, hidden

    def cell(self, key: str) -> Cell:
        mark = self.hidden.get(key)
        if mark is Hidden.PRIMARY:
            return Cell(None, mark, f"<{self.threshold}")
        if mark is Hidden.SECONDARY:
            return Cell(None, mark, SECONDARY_MARK)
        value = self.agg.values[key]
        return Cell(value, None, str(value))

    def row_label(self, dim: str, code: str) -> str:
        if dim == "weekday":
            return _WEEKDAYS.get(self.lang, _WEEKDAYS["fi"])[int(code)]
        if dim in {d.value for d in Dimension}:
            return self.taxonomy.label(Dimension(dim), code, self.lang)
        if dim in _CODED_ROWS:  # "true" or "sv" alone would not say what was counted
            return text(f"{dim}={code}", self.lang)
        return text(code, self.lang)

    def col_label(self, dim: str, code: str) -> str:
        return f"{code[1:]}-{int(code[1:]) + 1:02d}" if dim == "hour" else code

    def table(self, t: CountTable) -> Table:
        rows = tuple(
            Line(
                r,
                self.row_label(t.row_dim, r),
                tuple(self.cell(t.cells[r, c]) for c in t.cols),
                self.cell(t.row_totals[r]),
            )
            for r in t.rows
        )
        footer_key = "total" if t.rows_partition else "denominator"
        footer = Line(
            ALL,
            text(footer_key, self.lang),
            tuple(self.cell(t.col_totals[c]) for c in t.cols),
            self.cell(t.grand),
        )
        columns = tuple((c, self.col_label(t.col_dim, c)) for c in t.cols)
        return Table(
            t.name,
            text(t.name, self.lang),
            text(t.row_dim, self.lang),
            columns,
            rows,
            footer,
            t.rows_partition,
        )

    def times(self, cols: list[str]) -> tuple[TimeRow, ...]:
        def shown(measure: str, col: str) -> float | None:
            value = self.agg.times[measure].get(col)
            if value is None or self.agg.times_n.get(col, 0) < self.threshold:
                return None
            return round(value, 1)

        return tuple(
            TimeRow(m, text(m, self.lang), tuple(shown(m, c) for c in cols)) for m in TIME_MEASURES
        )
