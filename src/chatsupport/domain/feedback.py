"""The youth's optional answer to "did this help?" after a chat, and how it is counted.

An answer is stored with its local date only: no chat id, no time of day, no responder. One
answer per answered chat is accepted, through a one-time ticket the youth asks for while the
chat is open (``services.feedback``). Counts below the statistics threshold are hidden.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import timedelta
from enum import StrEnum

#: After the chat ends, its ticket is accepted for this long (the youth answers on the ended
#: screen; a day leaves room for a slow reader, not for collecting tickets).
FEEDBACK_WINDOW = timedelta(hours=24)
SMALL_MARK = "<{threshold}"

FEEDBACK_NOT_OPEN = "feedback.chat_not_open"


class Answer(StrEnum):
    YES = "yes"
    A_LITTLE = "a_little"
    NO = "no"


LABELS: dict[str, dict[Answer, str]] = {
    "fi": {Answer.YES: "Kyllä", Answer.A_LITTLE: "Vähän", Answer.NO: "Ei"},
    "sv": {Answer.YES: "Ja", Answer.A_LITTLE: "Lite", Answer.NO: "Nej"},
    "en": {Answer.YES: "Yes", Answer.A_LITTLE: "A little", Answer.NO: "No"},
}
TITLES = {
    "fi": "Auttoiko tämä? (nuorten palaute)",
    "sv": "Hjälpte det här? (ungas respons)",
    "en": "Did this help? (youth feedback)",
}


def tally(answers: Iterable[Answer], *, threshold: int, lang: str) -> dict[str, object]:
    """The feedback table for the statistics API: one row per answer, no total.

    A count from 1 to ``threshold - 1`` is hidden (``value`` None, ``display`` "<threshold").
    There is no total line (and no other table holds these counts), so no hidden count can be
    recovered by subtraction.
    """
    counts: Mapping[Answer, int] = {a: 0 for a in Answer} | _count(answers)
    rows = []
    for answer in Answer:
        n = counts[answer]
        small = 0 < n < threshold
        rows.append(
            {
                "code": answer.value,
                "label": LABELS[lang][answer],
                "value": None if small else n,
                "display": SMALL_MARK.format(threshold=threshold) if small else str(n),
            }
        )
    return {"title": TITLES[lang], "rows": rows}


def _count(answers: Iterable[Answer]) -> dict[Answer, int]:
    counts: dict[Answer, int] = {}
    for answer in answers:
        counts[answer] = counts.get(answer, 0) + 1
    return counts
