"""A seeded generator of a year of diary records (``python -m tests.diary_data`` prints a summary).

The same seed always gives the same records. Dates are spread over one year; hours follow the
opening hours (weekday afternoons, plus a Thursday evening answered by experience experts), and
every form obeys the diary rules, so the data can be filed through the real API as well.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from chatsupport.domain.diary import (
    ConcernPick,
    DiaryFact,
    DiaryForm,
    Origin,
    ReferralPick,
    SystemFields,
)
from chatsupport.domain.taxonomy import NONE, Dimension, Taxonomy

DEFAULT_SEED = 20260101
YEAR_START = date(2025, 1, 1)


def _codes(dimension: Dimension, *, skip: tuple[str, ...] = ()) -> list[str]:
    return [t.code for t in Taxonomy.default().terms(dimension) if t.code not in skip]


def random_form(rng: random.Random, *, counselling: bool) -> DiaryForm:
    """A valid form: a counselling one with concerns and a level, or a short other contact."""
    base = {
        "outcome": rng.choice(_codes(Dimension.OUTCOME)),
        "caller": rng.choices(_codes(Dimension.CALLER), weights=[80, 8, 5, 7])[0],
        "age_band": rng.choices(_codes(Dimension.AGE_BAND), weights=[3, 15, 40, 30, 4, 8])[0],
    }
    if not counselling:
        other = rng.choice(_codes(Dimension.CONTACT_TYPE, skip=("COUNSELLING", "SILENT")))
        return DiaryForm(contact_type=other, **base)
    concerns = rng.sample(_codes(Dimension.CONCERN), rng.choices([1, 2, 3], [50, 35, 15])[0])
    level = rng.choices([0, 1, 2, 3], weights=[25, 45, 25, 5])[0]
    referrals = _referrals(rng, level)
    actions = [rng.choice(_codes(Dimension.EMERGENCY_ACTION, skip=(NONE,)))] if level == 3 else []
    return DiaryForm(
        contact_type="COUNSELLING",
        concerns=tuple(ConcernPick(code=c, primary=i == 0) for i, c in enumerate(concerns)),
        concern_level=level,
        cp_concern=rng.random() < 0.4 if level >= 2 else None,
        emergency_actions=tuple(actions),
        referrals=tuple(referrals),
        **base,
    )


def _referrals(rng: random.Random, level: int) -> list[ReferralPick]:
    if level < 2 and rng.random() < 0.5:
        return []
    if rng.random() < 0.1:
        return [ReferralPick(code=NONE)]
    codes = rng.sample(_codes(Dimension.REFERRAL, skip=(NONE,)), rng.choice([1, 1, 2]))
    hows = _codes(Dimension.REFERRAL_HOW)
    return [ReferralPick(code=c, how=rng.choice(hows)) for c in codes]


def _when(rng: random.Random, start: date) -> tuple[date, int, str]:
    while True:
        day = start + timedelta(days=rng.randrange(365))
        if day.weekday() < 5:
            break
    if day.weekday() == 3 and rng.random() < 0.35:
        return day, rng.choice([18, 19, 20]), "experience_expert"
    return day, rng.choice([14, 15, 16, 17]), "professional"


def generate(
    n: int = 3000, *, seed: int = DEFAULT_SEED, start: date = YEAR_START
) -> list[DiaryFact]:
    """``n`` records dated within the year from ``start``, deterministic for a seed."""
    rng = random.Random(seed)
    return [_fact(rng, start) for _ in range(n)]


def _fact(rng: random.Random, start: date) -> DiaryFact:
    day, hour, role = _when(rng, start)
    origin = rng.choices(list(Origin), weights=[12, 5, 83])[0]
    answered = origin is Origin.ANSWERED
    system = SystemFields(
        local_date=day,
        hour=hour,
        weekday=day.weekday(),
        wait_secs=rng.randrange(5, 900),
        duration_secs=rng.randrange(60, 3600) if origin is not Origin.MISSED else None,
        lang=rng.choices(["fi", "sv", "en"], weights=[85, 10, 5])[0],
        quick_exit=rng.random() < 0.03,
        responder_role=None if origin is Origin.MISSED else role,
        backup_involved=False,
        origin=origin,
        youth_urgent=rng.random() < 0.02,
    )
    form = None
    if answered and rng.random() >= 0.03:
        form = random_form(rng, counselling=rng.random() < 0.7)
    return DiaryFact(system, form)


if __name__ == "__main__":
    facts = generate()
    by_origin = {o.value: sum(1 for f in facts if f.system.origin is o) for o in Origin}
    print(f"{len(facts)} records from {YEAR_START}: {by_origin}")
