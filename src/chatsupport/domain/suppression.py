"""Small-cell suppression over every table of one export at once.

An export is a set of named counts (*variables*) tied together by *equations*
``whole = part_1 + ... + part_n`` (a row with its row total, a column with its column total,
the totals with the grand total, and links between tables). A variable that appears in two
tables is the same variable, so it is hidden in both or in neither.

Guarantees of ``suppress`` (the tests check each on generated data):

1. *Primary*: every count from 1 to ``threshold - 1`` is hidden. Zero is shown.
2. *Secondary*: no equation has exactly one hidden member, and reading any one equation with
   the marks (a small count is 1..threshold-1, a secondary one is threshold or more), each
   hidden small count could still be any value from 1 to ``threshold - 1`` (``interval``).
3. *Audit*: no hidden variable is determined by the published values through any combination
   of the equations of the whole export (a rank test over the equations).
4. *Floors*: a reader also knows more than "t or more" about some hidden counts: a count of
   a multi-select row never exceeds its total (``Bound``: a referral count is at most the
   conversations), and a total is at least the sum of its parts. So a '..' whole is read as
   at least the largest published count it bounds, and at least the sum of what its parts
   are known to be at least (``floors``, carried up the totals); guarantee 2 holds with
   these marks: a published referral count of 9 does not tell that the month's "answered"
   is at least 9, and so pin the two '<5' counts beside it in the month's total to 1 each.

Which counts are hidden as secondary is decided greedily: the smallest positive published
member of an unprotected equation first. The result is deterministic for equal input.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

_PRIME = (1 << 61) - 1  # rank is computed modulo a large prime (exact for these tiny systems)


class Hidden(StrEnum):
    PRIMARY = "primary"  # a small count, shown as "<threshold"
    SECONDARY = "secondary"  # hidden only so that a small count cannot be recovered


@dataclass(frozen=True, slots=True)
class Equation:
    whole: str
    parts: tuple[str, ...]

    @property
    def members(self) -> tuple[str, ...]:
        return (self.whole, *self.parts)


@dataclass(frozen=True, slots=True)
class Bound:
    """``part <= whole``: a multi-select count and the total it is a share of."""

    whole: str
    part: str


def suppress(
    values: Mapping[str, int],
    equations: Sequence[Equation],
    *,
    threshold: int,
    bounds: Sequence[Bound] = (),
) -> dict[str, Hidden]:
    """Which variables to hide, and why. Every equation and bound must hold for ``values``."""
    hidden = {k: Hidden.PRIMARY for k, v in values.items() if 0 < v < threshold}
    while True:
        _protect_equations(values, equations, bounds, hidden, threshold)
        determined = determined_variables(set(hidden), equations)
        if not determined:
            return hidden
        if not _hide_one_more(values, equations, hidden, determined):
            return hidden  # nothing left to hide: everything involved is already hidden


def _protect_equations(
    values: Mapping[str, int],
    equations: Sequence[Equation],
    bounds: Sequence[Bound],
    hidden: dict[str, Hidden],
    threshold: int,
) -> None:
    changed = True
    while changed:
        changed = False
        known = floors(values, equations, bounds, hidden, threshold)
        for eq in equations:
            if _is_protected(eq, values, hidden, threshold, known):
                continue
            extra = _next_to_hide(eq, values, hidden)
            if extra is not None:
                hidden[extra] = Hidden.SECONDARY
                changed = True


def _is_protected(
    eq: Equation,
    values: Mapping[str, int],
    hidden: Mapping[str, Hidden],
    threshold: int,
    known: Mapping[str, float],
) -> bool:
    """No hidden member alone, and each hidden small count still spans 1..threshold-1."""
    members = [m for m in dict.fromkeys(eq.members) if m in hidden]
    if not members:
        return True
    if len(members) == 1:
        return False
    for member in members:
        if hidden[member] is Hidden.PRIMARY:
            low, high = interval(eq, member, values, hidden, threshold, known)
            if low > 1 or high < threshold - 1:
                return False
    return True


def floors(
    values: Mapping[str, int],
    equations: Sequence[Equation],
    bounds: Sequence[Bound],
    hidden: Mapping[str, Hidden],
    threshold: int,
) -> dict[str, float]:
    """What a reader knows each hidden '..' count to be at least (guarantee 4): ``threshold``,
    the largest published count it bounds, the sum of what its parts are at least. Carried
    up the totals until nothing changes: a total sums lower levels only, so a few passes do."""
    low = {m: float(threshold) for m, h in hidden.items() if h is Hidden.SECONDARY}

    def least(name: str) -> float:
        if name not in hidden:
            return values[name]
        return low[name] if hidden[name] is Hidden.SECONDARY else 1

    rules = [(eq.whole, eq.parts) for eq in equations if eq.whole in low]
    rules += [(b.whole, (b.part,)) for b in bounds if b.whole in low]
    for _ in range(len(rules) + 1):  # never more passes than rules: a safe upper limit
        changed = False
        for whole, parts in rules:
            floor = sum(least(p) for p in parts)
            if floor > low[whole]:
                low[whole], changed = floor, True
        if not changed:
            break
    return low


def interval(
    eq: Equation,
    target: str,
    values: Mapping[str, int],
    hidden: Mapping[str, Hidden],
    threshold: int,
    known: Mapping[str, float] | None = None,
) -> tuple[float, float]:
    """What this equation alone tells a reader about a hidden member: the interval it lies in,
    knowing every other hidden member only by its mark ('<t': 1..t-1; '..': t or more, or
    its floor in ``known``)."""
    coef: dict[str, int] = {eq.whole: 1}
    for part in eq.parts:
        coef[part] = coef.get(part, 0) - 1
    known_sum = sum(c * values[m] for m, c in coef.items() if m not in hidden)
    low_rest = high_rest = 0.0
    for m, c in coef.items():
        if m in hidden and m != target and c:
            if hidden[m] is Hidden.PRIMARY:
                lo, hi = 1.0, float(threshold - 1)
            else:
                lo, hi = (known or {}).get(m, float(threshold)), math.inf
            low_rest += c * lo if c > 0 else c * hi
            high_rest += c * hi if c > 0 else c * lo
    c = coef[target]  # c * target + rest + known_sum = 0
    ends = sorted([(-known_sum - high_rest) / c, (-known_sum - low_rest) / c])
    return ends[0], ends[1]


def _next_to_hide(
    eq: Equation, values: Mapping[str, int], hidden: Mapping[str, Hidden]
) -> str | None:
    """The smallest positive published part; then the whole; then a published zero."""
    shown_parts = [p for p in dict.fromkeys(eq.parts) if p not in hidden]
    positive = sorted((values[p], p) for p in shown_parts if values[p] > 0)
    if positive:
        return positive[0][1]
    if eq.whole not in hidden and values[eq.whole] > 0:
        return eq.whole
    return shown_parts[0] if shown_parts else None


def _hide_one_more(
    values: Mapping[str, int],
    equations: Sequence[Equation],
    hidden: dict[str, Hidden],
    determined: set[str],
) -> bool:
    for eq in equations:
        if determined & set(eq.members):
            extra = _next_to_hide(eq, values, hidden)
            if extra is not None:
                hidden[extra] = Hidden.SECONDARY
                return True
    return False


def determined_variables(hidden: set[str], equations: Sequence[Equation]) -> set[str]:
    """Hidden variables whose value follows from the published ones through the equations.

    Each equation restricted to its hidden members is a row of a matrix; a hidden variable is
    determined exactly when its unit vector lies in the row space, i.e. when the reduced row
    echelon form has a row with that single variable in it.
    """
    order = sorted(hidden)
    index = {name: i for i, name in enumerate(order)}
    rows: list[dict[int, int]] = []
    for eq in equations:
        row: dict[int, int] = {}
        for name, coef in [(eq.whole, 1), *((p, -1) for p in eq.parts)]:
            if name in index:
                row[index[name]] = (row.get(index[name], 0) + coef) % _PRIME
        row = {k: v for k, v in row.items() if v}
        if row:
            rows.append(row)
    return {order[col] for col in _singleton_rows(_reduce(rows))}


def _reduce(rows: list[dict[int, int]]) -> list[dict[int, int]]:
    """Reduced row echelon form of sparse rows modulo ``_PRIME``."""
    pivots: dict[int, dict[int, int]] = {}
    for row in rows:
        row = dict(row)
        for col, prow in pivots.items():
            if col in row:
                row = _sub(row, prow, row[col])
        if not row:
            continue
        col = min(row)
        inv = pow(row[col], _PRIME - 2, _PRIME)
        row = {k: v * inv % _PRIME for k, v in row.items()}
        for other_col, prow in list(pivots.items()):
            if col in prow:
                pivots[other_col] = _sub(prow, row, prow[col])
        pivots[col] = row
    return list(pivots.values())


def _sub(row: dict[int, int], pivot_row: dict[int, int], factor: int) -> dict[int, int]:
    out = dict(row)
    for k, v in pivot_row.items():
        out[k] = (out.get(k, 0) - factor * v) % _PRIME
        if not out[k]:
            del out[k]
    return out


def _singleton_rows(rows: list[dict[int, int]]) -> list[int]:
    return [next(iter(r)) for r in rows if len(r) == 1]
