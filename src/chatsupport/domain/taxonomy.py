"""The contact-diary taxonomy as data: stable codes with fi/sv/en labels.

Codes are stable ASCII identifiers and are what a diary record stores; labels are only for
display and may be renamed. A retired code is refused in new records but stays valid (and keeps
its label) in old ones. The defaults follow ../shared/DOMAIN.md section 1.3; the coordinator's
changes are stored as overrides on top of them (see ``Taxonomy.with_changes``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from enum import StrEnum

from chatsupport.domain.errors import Conflict, InvalidInput, NotFound

LABEL_LANGUAGES: tuple[str, ...] = ("fi", "sv", "en")
CODE_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9_]{0,31}$")
MAX_LABEL_CHARS = 120

TAXONOMY_UNKNOWN_TERM = "taxonomy.unknown_term"
TAXONOMY_CODE_EXISTS = "taxonomy.code_exists"
TAXONOMY_FIXED = "taxonomy.fixed"
TAXONOMY_BAD_CODE = "taxonomy.bad_code"
TAXONOMY_BAD_LABEL = "taxonomy.bad_label"


class Dimension(StrEnum):
    CONTACT_TYPE = "contact_type"
    OUTCOME = "outcome"
    CALLER = "caller"
    AGE_BAND = "age_band"
    CONCERN = "concern"
    CONCERN_LEVEL = "concern_level"
    EMERGENCY_ACTION = "emergency_action"
    REFERRAL = "referral"
    REFERRAL_HOW = "referral_how"


#: Dimensions whose code list the validation rules depend on: labels may change, codes may not.
FIXED_DIMENSIONS: frozenset[Dimension] = frozenset(
    {Dimension.CONCERN_LEVEL, Dimension.REFERRAL_HOW}
)

COUNSELLING = "COUNSELLING"
SILENT = "SILENT"
NONE = "NONE"
UNKNOWN = "UNKNOWN"

#: Codes a rule or the system relies on; they can be renamed but never retired.
PROTECTED_CODES: frozenset[tuple[Dimension, str]] = frozenset(
    {
        (Dimension.CONTACT_TYPE, COUNSELLING),
        (Dimension.CONTACT_TYPE, SILENT),
        (Dimension.EMERGENCY_ACTION, NONE),
        (Dimension.REFERRAL, NONE),
        (Dimension.AGE_BAND, UNKNOWN),
        (Dimension.CALLER, UNKNOWN),
    }
)


@dataclass(frozen=True, slots=True)
class Term:
    dimension: Dimension
    code: str
    labels: Mapping[str, str]
    retired: bool = False

    def label(self, lang: str) -> str:
        return self.labels.get(lang) or self.labels["fi"]


def _terms(dimension: Dimension, rows: Iterable[tuple[str, str, str, str]]) -> list[Term]:
    return [Term(dimension, code, {"fi": fi, "sv": sv, "en": en}) for code, fi, sv, en in rows]


_D = Dimension
DEFAULT_TERMS: tuple[Term, ...] = tuple(
    _terms(
        _D.CONTACT_TYPE,
        [
            ("COUNSELLING", "Keskustelu", "Samtal", "Counselling conversation"),
            ("INFO_ONLY", "Kysyi palvelusta / tietoa", "Frågade om tjänsten", "Information only"),
            ("TEST_PRANK", "Testaus / pila", "Test / skämt", "Testing / prank"),
            ("SILENT", "Ei viestejä / hiljainen", "Inga meddelanden / tyst", "Silent"),
            ("ABUSIVE", "Asiaton tai seksuaalissävytteinen", "Olämplig", "Abusive or sexual"),
            ("WRONG_SERVICE", "Väärä palvelu", "Fel tjänst", "Wrong service"),
        ],
    )
    + _terms(
        _D.OUTCOME,
        [
            ("COMPLETED", "Päättyi sovitusti", "Avslutades som avtalat", "Completed"),
            ("CHILD_LEFT", "Nuori poistui kesken", "Den unga lämnade", "Young person left"),
            (
                "RESPONDER_ENDED_ABUSE",
                "Päivystäjä lopetti asiattomuuden vuoksi",
                "Avslutad på grund av olämplighet",
                "Ended by responder (abuse)",
            ),
            ("HANDED_OVER", "Siirretty toiselle", "Överlämnad", "Handed over"),
            ("TECHNICAL", "Tekninen katkos", "Tekniskt avbrott", "Technical break"),
        ],
    )
    + _terms(
        _D.CALLER,
        [
            ("SELF", "Nuori omassa asiassa", "Den unga själv", "Young person, own matter"),
            ("FRIEND", "Kaverin puolesta", "För en kompis", "On behalf of a friend"),
            ("ADULT", "Aikuinen lapsen asiassa", "Vuxen i ett barns ärende", "Adult"),
            ("UNKNOWN", "Ei tiedossa", "Okänt", "Unknown"),
        ],
    )
    + _terms(
        _D.AGE_BAND,
        [
            ("U10", "alle 10 v.", "under 10 år", "under 10 years"),
            ("A10_12", "10-12 v.", "10-12 år", "10-12 years"),
            ("A13_15", "13-15 v.", "13-15 år", "13-15 years"),
            ("A16_17", "16-17 v.", "16-17 år", "16-17 years"),
            ("A18P", "18 tai yli", "18 eller äldre", "18 or over"),
            ("UNKNOWN", "ei tiedossa", "okänd", "unknown"),
        ],
    )
    + _terms(
        _D.CONCERN,
        [
            ("MOOD", "Mieliala, ahdistus, paha olo", "Humör, ångest", "Mood and anxiety"),
            ("SELF_HARM", "Itsetuhoisuus", "Självskada och suicidtankar", "Self-harm, suicide"),
            ("LONELINESS", "Yksinäisyys, halu jutella", "Ensamhet", "Loneliness"),
            ("FAMILY", "Perhe ja koti", "Familj och hem", "Family and home"),
            ("CARE_CP", "Lastensuojelu, sijaishuolto", "Barnskydd, vård", "Child protection, care"),
            ("PEERS", "Kaverit ja seurustelu", "Vänner och relationer", "Friends and dating"),
            ("BULLYING", "Kiusaaminen", "Mobbning", "Bullying"),
            ("VIOLENCE", "Väkivalta ja kaltoinkohtelu", "Våld och misshandel", "Violence, abuse"),
            ("SEXUAL_ABUSE", "Seksuaalinen häirintä", "Sexuella trakasserier", "Sexual abuse"),
            (
                "SEXUALITY_BODY",
                "Seksuaalisuus, keho, identiteetti",
                "Sexualitet, kropp, identitet",
                "Sexuality, body, identity",
            ),
            ("SCHOOL", "Koulu ja opiskelu", "Skola och studier", "School"),
            ("SUBSTANCES", "Päihteet ja riippuvuudet", "Droger och beroenden", "Substances"),
            ("HEALTH_EATING", "Terveys ja syöminen", "Hälsa och ätande", "Health and eating"),
            ("OTHER", "Muu", "Annat", "Other"),
        ],
    )
    + _terms(
        _D.CONCERN_LEVEL,
        [
            ("0", "Ei huolta", "Ingen oro", "No concern"),
            ("1", "Arjen huoli", "Vardaglig oro", "Everyday concern"),
            ("2", "Merkittävä huoli", "Betydande oro", "Significant concern"),
            ("3", "Akuutti vaara", "Akut fara", "Acute danger"),
        ],
    )
    + _terms(
        _D.EMERGENCY_ACTION,
        [
            ("CALLED_112", "Soitettu 112", "Ringt 112", "Called 112"),
            ("SOCIAL_EMERGENCY", "Sosiaalipäivystys", "Socialjouren", "Social emergency"),
            ("POLICE", "Poliisi", "Polisen", "Police"),
            (
                "CHILD_CALLED_112_WITH_SUPPORT",
                "Nuori soitti 112 tuettuna",
                "Den unga ringde 112 med stöd",
                "Young person called 112 with support",
            ),
            ("NONE", "Ei toimia", "Inga åtgärder", "None"),
        ],
    )
    + _terms(
        _D.REFERRAL,
        [
            ("EMERGENCY_112", "Hätäkeskus 112", "Nödcentralen 112", "Emergency number 112"),
            ("SOCIAL_EMERGENCY", "Sosiaalipäivystys", "Socialjouren", "Social emergency"),
            ("CHILD_PROTECTION", "Lastensuojelu", "Barnskyddet", "Child protection"),
            ("SCHOOL_WELFARE", "Koulukuraattori / -psykologi", "Skolkurator", "School welfare"),
            ("SCHOOL_NURSE", "Kouluterveydenhoitaja", "Skolhälsovårdare", "School nurse"),
            ("MENTAL_HEALTH", "Mielenterveyspalvelut", "Mentalvård", "Mental health services"),
            ("FAMILY_CENTRE", "Perhekeskus", "Familjecentret", "Family centre"),
            ("POLICE", "Poliisi", "Polisen", "Police"),
            ("TRUSTED_ADULT", "Turvallinen aikuinen", "Trygg vuxen", "Trusted adult"),
            ("MLL_116111", "MLL 116 111", "MLL 116 111", "MLL 116 111"),
            ("SEKASIN", "Sekasin-chat", "Sekasin-chatten", "Sekasin chat"),
            ("MIELI_CRISIS", "MIELI Kriisipuhelin", "MIELI Krislinjen", "MIELI crisis line"),
            ("NOLLALINJA", "Nollalinja", "Nollalinja", "Nollalinja"),
            ("CRIME_VICTIM", "Rikosuhripäivystys", "Brottsofferjouren", "Victim support"),
            ("OTHER_NGO", "Muu järjestö", "Annan organisation", "Other organisation"),
            ("NONE", "Ei ohjausta", "Ingen hänvisning", "No referral"),
        ],
    )
    + _terms(
        _D.REFERRAL_HOW,
        [
            ("INFO_GIVEN", "Tieto annettu", "Information given", "Information given"),
            ("ENCOURAGED", "Rohkaistu", "Uppmuntrad", "Encouraged"),
            ("WARM_HANDOFF", "Saatettu", "Följd till tjänsten", "Handed over"),
        ],
    )
)


@dataclass(frozen=True, slots=True)
class TermChange:
    """A coordinator's stored change: a new code, new labels or the retired flag."""

    dimension: Dimension
    code: str
    labels: Mapping[str, str] | None
    retired: bool


class Taxonomy:
    """An immutable set of terms, looked up by ``(dimension, code)`` in display order."""

    def __init__(self, terms: Iterable[Term]) -> None:
        self._terms: dict[tuple[Dimension, str], Term] = {(t.dimension, t.code): t for t in terms}

    @classmethod
    def default(cls) -> Taxonomy:
        return cls(DEFAULT_TERMS)

    def with_changes(self, changes: Iterable[TermChange]) -> Taxonomy:
        """The defaults overlaid with stored changes (later changes win)."""
        terms = dict(self._terms)
        for change in changes:
            key = (change.dimension, change.code)
            base = terms.get(key)
            labels = change.labels or (base.labels if base else {"fi": change.code})
            terms[key] = Term(change.dimension, change.code, dict(labels), change.retired)
        return Taxonomy(terms.values())

    def terms(self, dimension: Dimension, *, include_retired: bool = True) -> list[Term]:
        return [
            t
            for t in self._terms.values()
            if t.dimension is dimension and (include_retired or not t.retired)
        ]

    def get(self, dimension: Dimension, code: str) -> Term | None:
        return self._terms.get((dimension, code))

    def label(self, dimension: Dimension, code: str, lang: str) -> str:
        """The display label; a code no longer known is shown as itself."""
        term = self.get(dimension, code)
        return term.label(lang) if term else code

    def all_terms(self) -> list[Term]:
        return list(self._terms.values())


def check_labels(labels: Mapping[str, str]) -> dict[str, str]:
    """Labels need Finnish; each language at most MAX_LABEL_CHARS, no control characters."""
    cleaned = {lang: text.strip() for lang, text in labels.items() if text and text.strip()}
    if "fi" not in cleaned or set(cleaned) - set(LABEL_LANGUAGES):
        raise InvalidInput("Labels need 'fi' and may have 'sv' and 'en'.", code=TAXONOMY_BAD_LABEL)
    for text in cleaned.values():
        if len(text) > MAX_LABEL_CHARS or any(ord(ch) < 32 for ch in text):
            raise InvalidInput(
                f"A label is 1-{MAX_LABEL_CHARS} printable characters.", code=TAXONOMY_BAD_LABEL
            )
    return cleaned


def plan_add(
    taxonomy: Taxonomy, *, dimension: Dimension, code: str, labels: Mapping[str, str]
) -> TermChange:
    """The change that adds a new code; refused for fixed dimensions and existing codes."""
    if dimension in FIXED_DIMENSIONS:
        raise Conflict(f"The codes of {dimension.value} are fixed.", code=TAXONOMY_FIXED)
    if not CODE_PATTERN.fullmatch(code):
        raise InvalidInput(
            "A code is 1-32 characters: capital letters, digits and _.", code=TAXONOMY_BAD_CODE
        )
    if taxonomy.get(dimension, code) is not None:
        raise Conflict("That code already exists (retired codes too).", code=TAXONOMY_CODE_EXISTS)
    return TermChange(dimension, code, check_labels(labels), retired=False)


def plan_update(
    taxonomy: Taxonomy,
    *,
    dimension: Dimension,
    code: str,
    labels: Mapping[str, str] | None,
    retired: bool | None,
) -> TermChange:
    """The change that renames and/or retires (or restores) an existing code."""
    term = taxonomy.get(dimension, code)
    if term is None:
        raise NotFound("No such code in that dimension.", code=TAXONOMY_UNKNOWN_TERM)
    new_retired = term.retired if retired is None else retired
    if new_retired and (dimension in FIXED_DIMENSIONS or (dimension, code) in PROTECTED_CODES):
        raise Conflict(
            "This code is used by the diary rules and cannot be retired.", code=TAXONOMY_FIXED
        )
    new_labels = check_labels(labels) if labels is not None else dict(term.labels)
    updated = replace(term, labels=new_labels, retired=new_retired)
    return TermChange(dimension, code, updated.labels, updated.retired)
