"""Texts shown to young people about the service, in Finnish, Swedish and English.

The built-in drafts follow ../shared/DOMAIN.md section 4.4 (the Swedish ones need a native
speaker's check). A coordinator replaces them per language; the service stores only the
replacements, so an upgrade may improve the drafts for everyone who kept them.

The telephone services listed are drafts too: the coordinator must check them, and add the
regional services open now (DOMAIN.md 3.3: the closed message always lists services open now,
112 first). The accessibility draft names no address on purpose: only the organiser knows where
its feedback goes (the coordinator page says so next to it).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, fields
from typing import Literal, get_args

Lang = Literal["fi", "sv", "en"]
LANGS: tuple[Lang, ...] = get_args(Lang)
MAX_TEXT_CHARS = 2000

# Characters that draw nothing although they are not whitespace or format characters (Hangul
# fillers, the blank Braille pattern, the combining grapheme joiner).
_BLANK_GLYPHS = frozenset("\u115f\u1160\u3164\uffa0\u2800\u034f")


def is_blank(text: str) -> bool:
    """True when a text shows nothing: only whitespace, zero-width and other format
    characters (U+200B, U+200D, U+2060, U+FEFF, ...) or blank glyphs."""
    return all(
        ch.isspace() or ch in _BLANK_GLYPHS or unicodedata.category(ch) in ("Cf", "Cc", "Zs")
        for ch in text
    )


@dataclass(frozen=True, slots=True)
class YouthTexts:
    """``opening``: what this chat is; ``closed``: shown while closed; ``emergency``: where
    to get help right now (always-open services); ``accessibility``: the organiser's part of
    the accessibility statement (who runs the chat, where accessibility feedback goes, the
    statement's date; the rest of the statement is built into the widget)."""

    opening: str
    closed: str
    emergency: str
    accessibility: str

    def __post_init__(self) -> None:
        # A text that shows nothing (say only zero-width spaces) is an empty text: the
        # coordinator's save then refuses it like "" (request.invalid), and the youth page
        # never gets an empty emergency box that looks filled in (review finding 9).
        for item in fields(self):
            value = getattr(self, item.name)
            if isinstance(value, str) and value and is_blank(value):
                object.__setattr__(self, item.name, "")


TEXT_FIELDS: tuple[str, ...] = ("opening", "closed", "emergency", "accessibility")


DEFAULT_TEXTS: dict[Lang, YouthTexts] = {
    "fi": YouthTexts(
        opening=(
            "Täällä voit jutella nimettömästi aikuisen kanssa. Sinun ei tarvitse kertoa "
            "nimeäsi. Sinulle vastaa ammattilainen tai kokemusasiantuntija. "
            "Kokemusasiantuntija on ollut itse lastensuojelun asiakkaana, ja hänen tukenaan "
            "on aina ammattilainen."
        ),
        closed=(
            "Chat on nyt kiinni. Näet alta, milloin olemme seuraavan kerran auki. "
            "Jos olet vaarassa, soita 112."
        ),
        emergency=(
            "Jos sinä tai joku muu on vaarassa juuri nyt, soita 112. Soitto on maksuton. "
            "MIELI ry:n Kriisipuhelin päivystää ympäri vuorokauden: 09 2525 0111."
        ),
        accessibility=(
            "Chatin järjestää hyvinvointialue. Jos huomaat, ettei chat toimi sinulle, kerro "
            "siitä meille. Vastaamme 14 päivän kuluessa."
        ),
    ),
    "sv": YouthTexts(
        opening=(
            "Här kan du chatta anonymt med en vuxen. Du behöver inte berätta vad du heter. "
            "Du får svar av en yrkesperson eller en erfarenhetsexpert. En erfarenhetsexpert "
            "har själv varit klient inom barnskyddet och har alltid en yrkesperson som stöd."
        ),
        closed=(
            "Chatten är stängd just nu. Nedan ser du när vi har öppet nästa gång. "
            "Om du är i fara, ring 112."
        ),
        emergency=(
            "Om du eller någon annan är i fara just nu, ring 112. Samtalet är gratis. "
            "MIELI rf:s Kristelefon (på finska) svarar dygnet runt: 09 2525 0111."
        ),
        accessibility=(
            "Chatten ordnas av välfärdsområdet. Om chatten inte fungerar för dig, berätta det "
            "för oss. Vi svarar inom 14 dagar."
        ),
    ),
    "en": YouthTexts(
        opening=(
            "Here you can chat anonymously with an adult. You do not have to tell your name. "
            "You will get an answer from a professional or an experience expert. An "
            "experience expert has been a child-protection client themselves, and always has "
            "a professional supporting them."
        ),
        closed=(
            "The chat is closed now. Below you can see when we are open next. "
            "If you are in danger, call 112."
        ),
        emergency=(
            "If you or someone else is in danger right now, call 112. The call is free. "
            "MIELI's Crisis Helpline (in Finnish) answers day and night: 09 2525 0111."
        ),
        accessibility=(
            "The chat is run by the wellbeing services county. If the chat does not work for "
            "you, tell us. We answer within 14 days."
        ),
    ),
}
