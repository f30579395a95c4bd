"""Exports never carry a live spreadsheet formula, whatever a coordinator names a diary code.

Review finding 5: a concern label "=HYPERLINK(...)" became a formula cell in the XLSX and an
unescaped ``=...`` field in the CSV. A text cell starting with = + - @, a tab or a carriage
return is neutralised the OWASP way; numbers stay numbers.
"""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from openpyxl import load_workbook

from chatsupport.domain.report import Report, build_report
from chatsupport.domain.statistics import Granularity
from chatsupport.domain.taxonomy import Dimension, Taxonomy, TermChange
from chatsupport.services.export import (
    CSV_BOM,
    FORMULA_TRIGGERS,
    csv_safe,
    is_formula_like,
    to_csv,
    to_xlsx,
)
from tests.diary_data import generate

FACTS = generate(400, seed=11)

# One hostile label per trigger character, spread over concern and referral codes.
HOSTILE = [
    '=HYPERLINK("http://evil.example","klik")',
    "+1+1",
    "-2+3",
    "@SUM(1)",
    "\tTAB=1+1",
    "\r=1+1",
]


def _hostile_taxonomy() -> Taxonomy:
    base = Taxonomy.default()
    concerns = [t.code for t in base.terms(Dimension.CONCERN)]
    referrals = [t.code for t in base.terms(Dimension.REFERRAL) if t.code != "NONE"]
    changes = [
        TermChange(Dimension.CONCERN, code, {"fi": label, "sv": label, "en": label}, False)
        for code, label in zip(concerns, HOSTILE, strict=False)
    ]
    changes += [
        TermChange(Dimension.REFERRAL, code, {"fi": label, "sv": label, "en": label}, False)
        for code, label in zip(referrals, reversed(HOSTILE), strict=False)
    ]
    return base.with_changes(changes)


def _report(lang: str = "fi") -> Report:
    return build_report(
        FACTS,
        start=date(2025, 1, 1),
        end=date(2025, 12, 31),
        granularity=Granularity.QUARTER,
        taxonomy=_hostile_taxonomy(),
        lang=lang,
    )


def test_the_hostile_labels_really_reach_the_report() -> None:
    """Guard for the tests below: the labels are in the tables as row labels."""
    labels = {line.label for table in _report().tables for line in table.rows}
    assert set(HOSTILE) <= labels


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_csv_text_cells_never_start_a_formula(lang: str) -> None:
    raw = to_csv(_report(lang)).decode("utf-8")
    assert raw.startswith(CSV_BOM)
    rows = list(csv.reader(io.StringIO(raw[len(CSV_BOM) :], newline=""), delimiter=";"))
    fields = [field for row in rows for field in row]
    assert not [f for f in fields if f.startswith(FORMULA_TRIGGERS)]
    for label in HOSTILE:
        assert "'" + label in fields, label
    # Counts are still plain numbers, and the suppression marks are left alone.
    assert any(f.isdigit() and int(f) > 0 for f in fields)
    assert any(f.startswith("<") for f in fields) or ".." in fields


@pytest.mark.parametrize("lang", ["fi", "en"])
def test_xlsx_has_no_formula_cells_and_numbers_stay_numbers(lang: str) -> None:
    book = load_workbook(io.BytesIO(to_xlsx(_report(lang))))
    strings: list[str] = []
    numbers = 0
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    strings.append(cell.value)
                elif isinstance(cell.value, int | float):
                    numbers += 1
    # The labels are kept as typed (shown as text), not dropped; XML reads a CR as LF.
    for label in HOSTILE:
        assert label.replace("\r", "\n") in strings, label
    # ...and the counts are still numeric cells a spreadsheet can sum.
    assert numbers > 20


def test_xlsx_formula_like_cells_are_quote_prefixed() -> None:
    """Excel keeps a quotePrefix cell as text even when the user edits it."""
    book = load_workbook(io.BytesIO(to_xlsx(_report())))
    flagged = [
        cell
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if is_formula_like(cell.value)
    ]
    assert flagged
    assert all(cell.quotePrefix for cell in flagged)


def test_the_raw_xlsx_xml_has_no_formula_element() -> None:
    import zipfile

    with zipfile.ZipFile(io.BytesIO(to_xlsx(_report()))) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/")]
        assert sheets
        for name in sheets:
            assert b"<f>" not in z.read(name) and b"<f " not in z.read(name), name


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+49", "'+49"),
        ("-x", "'-x"),
        ("@A1", "'@A1"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Koulu", "Koulu"),
        ("<5", "<5"),
        ("..", ".."),
        ("", ""),
        ("a=b", "a=b"),
    ],
)
def test_csv_safe(value: str, expected: str) -> None:
    assert csv_safe(value) == expected
