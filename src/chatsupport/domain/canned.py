"""Canned replies: short ready-made texts a responder inserts into the reply box.

The coordinator keeps them per language (``fi``/``sv``/``en``); a responder lists those of
the chat's language and edits the inserted text before sending. They are staff texts, never
a young person's, and are shown as text only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

CannedLang = Literal["fi", "sv", "en"]
CANNED_LANGS: tuple[CannedLang, ...] = get_args(CannedLang)
MAX_TITLE_CHARS = 80
MAX_TEXT_CHARS = 2000
MAX_REPLIES_PER_LANG = 100

CANNED_NOT_FOUND = "canned.not_found"
CANNED_TOO_MANY = "canned.too_many"


@dataclass(frozen=True, slots=True)
class CannedReply:
    """One reply; ``position`` orders the picker (lower first, then by title)."""

    id: int
    lang: CannedLang
    title: str
    text: str
    position: int = 0


def picker_order(replies: list[CannedReply]) -> list[CannedReply]:
    """The order the picker shows: by language, then position, then title, then id."""
    return sorted(replies, key=lambda r: (CANNED_LANGS.index(r.lang), r.position, r.title, r.id))
