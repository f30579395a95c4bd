"""Tallies of diary records: the counts statistics are built from, and what outlives the rows.

A *tally* counts records, never lists them: ``counts[(population, dimension, code)]`` is how
many records of a population carry a code, and ``bands[(measure, band_secs)]`` how many
answered contacts waited (or lasted) within a fixed band of seconds. Every key is a fixed code
(taxonomy codes, origins, roles, digits): no text, no chat, no responder.

When diary rows pass their retention the purge folds them into one tally per calendar month
(``fold``) and deletes them in the same transaction; statistics add the tallies of purged
months to the rows still kept (``domain.statistics``). Counts stay exact. Medians and 90th
percentiles of purged months are estimated from the bands (``estimate_median``,
``estimate_p90``): one-minute bands up to three hours, so within half a minute of the exact
figure there (ten-minute bands up to a day; longer is counted as "a day or more").

Dimensions are single (one code each), with one exception kept for the weekday x hour table,
so a tally never crosses two things about a young person.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from chatsupport.domain.diary import DiaryFact, DiaryForm, Origin
from chatsupport.domain.periods import add_months, month_of
from chatsupport.domain.taxonomy import COUNSELLING

ALL = "*"
TOTAL = "total"  # dimension whose one code (ALL) counts the population itself
ATTEMPTS, ANSWERED, COUNSELLING_POP = "attempts", "answered", "counselling"
WAIT, DURATION = "wait", "duration"
INVALID_CODE = "INVALID"  # what a code that is not a fixed code is counted as
FIXED_CODE = re.compile(r"^[A-Za-z0-9_*]{1,32}$")

FINE_BAND_SECS, FINE_UNTIL_SECS = 60, 3 * 3600
COARSE_BAND_SECS, COARSE_UNTIL_SECS = 600, 24 * 3600

CountKey = tuple[str, str, str]  # (population, dimension, code)
BandKey = tuple[str, int]  # (measure, lower bound of the band in seconds)


@dataclass
class Tally:
    """Counts of some records (a month's, or a report column's); adding tallies adds counts."""

    counts: Counter[CountKey] = field(default_factory=Counter)
    bands: Counter[BandKey] = field(default_factory=Counter)

    def add(self, other: Tally) -> None:
        self.counts.update(other.counts)
        self.bands.update(other.bands)

    def add_fact(self, fact: DiaryFact) -> None:
        """Count one record: once per code in each dimension of each population it is in."""
        populations = _populations(fact)
        for population, dimension, tags in _DIMENSIONS:
            if population in populations:
                for code in dict.fromkeys(_fixed(tag) for tag in tags(fact)):
                    self.counts[population, dimension, code] += 1
        if fact.system.origin is Origin.ANSWERED:
            self._add_band(WAIT, fact.system.wait_secs)
            self._add_band(DURATION, fact.system.duration_secs)

    def _add_band(self, measure: str, secs: int | None) -> None:
        if secs is not None:
            self.bands[measure, band_of(secs)] += 1

    def total(self, population: str) -> int:
        return self.counts[population, TOTAL, ALL]

    def codes(self, population: str, dimension: str) -> dict[str, int]:
        """Code -> count within one population and dimension, in the order first counted."""
        return {
            code: n
            for (pop, dim, code), n in self.counts.items()
            if pop == population and dim == dimension
        }

    def band_counts(self, measure: str) -> dict[int, int]:
        return {secs: n for (m, secs), n in sorted(self.bands.items()) if m == measure}


def fold(facts: Iterable[DiaryFact]) -> dict[date, Tally]:
    """One tally per calendar month of the records' local dates."""
    months: dict[date, Tally] = {}
    for fact in facts:
        months.setdefault(month_of(fact.system.local_date), Tally()).add_fact(fact)
    return months


def fold_before(today: date, *, retention_months: int) -> date:
    """The first day not yet folded: rows dated before it are past their retention.

    A month is folded whole, on the first day on which all of it is ``retention_months`` old,
    so a record is kept at least that long and less than a month longer.
    """
    return add_months(month_of(today), -retention_months)


def band_of(secs: int) -> int:
    """The lower bound, in seconds, of the fixed band ``secs`` falls in."""
    secs = max(0, secs)
    if secs < FINE_UNTIL_SECS:
        return secs - secs % FINE_BAND_SECS
    if secs < COARSE_UNTIL_SECS:
        return secs - (secs - FINE_UNTIL_SECS) % COARSE_BAND_SECS
    return COARSE_UNTIL_SECS


def band_middle(lower_secs: int) -> float:
    """The value a band stands for: its middle (a day or more: a day)."""
    if lower_secs < FINE_UNTIL_SECS:
        return lower_secs + FINE_BAND_SECS / 2
    if lower_secs < COARSE_UNTIL_SECS:
        return lower_secs + COARSE_BAND_SECS / 2
    return float(COARSE_UNTIL_SECS)


def estimate_median(bands: Mapping[int, int]) -> float | None:
    """Median in seconds with the same rank rule as the exact one (mean of the middle two)."""
    n = sum(bands.values())
    if n == 0:
        return None
    return (_at_rank(bands, (n + 1) // 2) + _at_rank(bands, n // 2 + 1)) / 2


def estimate_p90(bands: Mapping[int, int]) -> float | None:
    """Nearest-rank 90th percentile in seconds, as the middle of the band holding that rank."""
    n = sum(bands.values())
    return None if n == 0 else _at_rank(bands, math.ceil(0.9 * n))


def _at_rank(bands: Mapping[int, int], rank: int) -> float:
    seen = 0
    for lower in sorted(bands):
        seen += bands[lower]
        if seen >= rank:
            return band_middle(lower)
    raise ValueError("rank beyond the counted values")


def _fixed(code: str) -> str:
    return code if FIXED_CODE.fullmatch(code) else INVALID_CODE


def _populations(fact: DiaryFact) -> tuple[str, ...]:
    if fact.system.origin is not Origin.ANSWERED:
        return (ATTEMPTS,)
    if fact.form is not None and fact.form.contact_type == COUNSELLING:
        return (ATTEMPTS, ANSWERED, COUNSELLING_POP)
    return (ATTEMPTS, ANSWERED)


def answer_class(fact: DiaryFact) -> str:
    if fact.form is None:
        return "unfiled"
    return "counselling" if fact.form.contact_type == COUNSELLING else "other"


def _flag(value: bool | None) -> str:
    return "unknown" if value is None else str(value).lower()


def _form(pick: Callable[[DiaryForm], Iterable[str]]) -> Callable[[DiaryFact], list[str]]:
    """Tags from the filed form; an unfiled record has none."""
    return lambda f: [] if f.form is None else list(pick(f.form))


Tags = Callable[[DiaryFact], Iterable[str]]

# What is counted, per population. The statistics tables read the first ones; the others are
# kept so that later reports on purged months have them too.
_DIMENSIONS: tuple[tuple[str, str, Tags], ...] = (
    (ATTEMPTS, TOTAL, lambda f: [ALL]),
    (ATTEMPTS, "origin", lambda f: [f.system.origin.value]),
    (ATTEMPTS, "weekday_hour", lambda f: [f"{f.system.weekday}h{f.system.hour:02d}"]),
    (ATTEMPTS, "lang", lambda f: [f.system.lang]),
    (ATTEMPTS, "quick_exit", lambda f: [_flag(f.system.quick_exit)]),
    (ATTEMPTS, "youth_urgent", lambda f: [_flag(f.system.youth_urgent)]),
    (ANSWERED, TOTAL, lambda f: [ALL]),
    (ANSWERED, "answer_class", lambda f: [answer_class(f)]),
    (ANSWERED, "role", lambda f: [str(f.system.responder_role)]),
    (ANSWERED, "backup_involved", lambda f: [_flag(f.system.backup_involved)]),
    (ANSWERED, "contact_type", _form(lambda form: [form.contact_type])),
    (ANSWERED, "outcome", _form(lambda form: [form.outcome])),
    (ANSWERED, "caller", _form(lambda form: [form.caller])),
    (COUNSELLING_POP, TOTAL, lambda f: [ALL]),
    (COUNSELLING_POP, "concern_primary",
     _form(lambda form: [form.primary_concern] if form.primary_concern else [])),
    (COUNSELLING_POP, "concern_any", _form(lambda form: [c.code for c in form.concerns])),
    (COUNSELLING_POP, "concern_level", _form(lambda form: [str(form.concern_level)])),
    (COUNSELLING_POP, "age_band", _form(lambda form: [form.age_band])),
    (COUNSELLING_POP, "referral", _form(lambda form: [r.code for r in form.referrals])),
    (COUNSELLING_POP, "referral_how",
     _form(lambda form: [r.how for r in form.referrals if r.how])),
    (COUNSELLING_POP, "emergency_action", _form(lambda form: form.emergency_actions)),
    (COUNSELLING_POP, "cp_concern", _form(lambda form: [_flag(form.cp_concern)])),
)  # fmt: skip
