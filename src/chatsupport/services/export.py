"""Render a suppressed ``Report`` as CSV, XLSX or JSON. Only aggregates: never a record.

CSV is UTF-8 with a byte-order mark, ``;`` between fields and a decimal comma, which is what
Excel with Finnish (or Swedish) regional settings expects. Each table is a block: a title
line, a header line (row heading, one column per period or hour, then the total), the rows,
the total line, and an empty line.

Labels come partly from the coordinator (diary codes they add), and the files are handed on, so
no text cell may become a formula when opened in a spreadsheet (OWASP "CSV injection"): a text
starting with ``= + - @``, a tab or a carriage return gets a leading ``'`` in the CSV, and is
written to the XLSX as a plain string cell (also ``quotePrefix``), never a formula. Numbers are
left as numbers.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from enum import StrEnum
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import Cell as XlsxCell
from openpyxl.worksheet.worksheet import Worksheet

from chatsupport.domain.periods import periods_between
from chatsupport.domain.report import Cell, Report, Table, text

CSV_BOM = "\ufeff"
#: A text cell starting with one of these is read as a formula by spreadsheet programs.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
NOTE_KEYS = {
    "fi": "Luvut 1-{m} näkyvät muodossa <{t}; '..' on piilotettu, jotta pientä lukua ei voi "
    "päätellä summista.",
    "sv": "Antal 1-{m} visas som <{t}; '..' är dolt så att ett litet antal inte kan räknas ut.",
    "en": "Counts 1-{m} are shown as <{t}; '..' is hidden so that a small count cannot be "
    "worked out from the totals.",
}


UNAVAILABLE_NOTES = {
    "fi": "Säilytysajan ylittäneistä kuukausista on jäljellä vain kuukausiluvut, joten näitä "
    "jaksoja ei voi näyttää: {periods}.",
    "sv": "Av månader äldre än lagringstiden finns bara månadssiffror kvar, så dessa perioder "
    "kan inte visas: {periods}.",
    "en": "Only monthly figures are kept of months past the diary retention, so these periods "
    "cannot be shown: {periods}.",
}


class ExportFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"
    JSON = "json"


MEDIA_TYPES = {
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ExportFormat.JSON: "application/json",
}


def render(report: Report, fmt: ExportFormat) -> bytes:
    if fmt is ExportFormat.CSV:
        return to_csv(report)
    if fmt is ExportFormat.XLSX:
        return to_xlsx(report)
    return json.dumps(to_json(report), ensure_ascii=False, indent=1).encode()


def file_name(report: Report, fmt: ExportFormat) -> str:
    return f"chatsupport-{report.start}-{report.end}-{report.granularity.value}.{fmt.value}"


def note(report: Report) -> str:
    """The suppression note, and which periods are left out (shown with every format)."""
    t = report.threshold
    text = NOTE_KEYS.get(report.lang, NOTE_KEYS["fi"]).format(m=t - 1, t=t)
    if report.unavailable:
        periods = ", ".join(_runs(report))
        text += " " + UNAVAILABLE_NOTES.get(report.lang, UNAVAILABLE_NOTES["fi"]).format(
            periods=periods
        )
    return text


def _runs(report: Report) -> list[str]:
    """The unavailable periods, consecutive ones as one range (first, en dash, last)."""
    every = periods_between(report.start, report.end, report.granularity)
    order = {p: i for i, p in enumerate(every)}
    runs: list[list[str]] = []
    for period in report.unavailable:
        if runs and order[period] == order[runs[-1][-1]] + 1:
            runs[-1].append(period)
        else:
            runs.append([period])
    return [run[0] if len(run) == 1 else f"{run[0]}\N{EN DASH}{run[-1]}" for run in runs]


def _grid(table: Table, lang: str) -> list[list[str | int]]:
    """Header, rows and total line of one table; hidden cells are their display mark."""

    def value(cell: Cell) -> str | int:
        return cell.value if cell.value is not None else cell.display

    header: list[str | int] = [table.row_header, *(label for _, label in table.columns)]
    header.append(text("total", lang))
    lines = [*table.rows, table.footer]
    return [header] + [[line.label, *map(value, line.cells), value(line.total)] for line in lines]


def _time_grid(report: Report) -> list[list[str | float | None]]:
    header: list[str | float | None] = [text("measure", report.lang)]
    header += [label for _, label in report.time_columns]
    return [header] + [[row.label, *row.values] for row in report.times]


def is_formula_like(value: object) -> bool:
    """A text a spreadsheet would run as a formula (numbers never count)."""
    return isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)


def csv_safe(value: str) -> str:
    """The OWASP neutralisation for CSV: a formula-like text gets a leading single quote."""
    return "'" + value if is_formula_like(value) else value


def to_csv(report: Report) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")

    def row(values: Iterable[str | float | None]) -> None:
        writer.writerow(["" if v is None else _decimal_comma(v) for v in values])

    row([f"chatsupport {report.start} - {report.end}", report.granularity.value])
    row([note(report)])
    row([])
    for table in report.tables:
        row([table.title])
        for line in _grid(table, report.lang):
            row(line)
        row([])
    row([text("times", report.lang)])
    for trow in _time_grid(report):
        row(trow)
    return (CSV_BOM + out.getvalue()).encode("utf-8")


def _decimal_comma(value: str | float) -> str:
    """A text made formula-safe, a float with a decimal comma, an integer as it is."""
    if isinstance(value, str):
        return csv_safe(value)
    return str(value).replace(".", ",") if isinstance(value, float) else str(value)


def to_xlsx(report: Report) -> bytes:
    """One sheet per table, plus 'info' (period and the suppression note) and the times."""
    book = Workbook()
    info = book.active
    assert info is not None
    info.title = "info"
    _append(info, [f"chatsupport {report.start} - {report.end}", report.granularity.value])
    _append(info, [note(report)])
    for table in report.tables:
        sheet = book.create_sheet(_sheet_title(table.name))
        _append(sheet, [table.title])
        for row in _grid(table, report.lang):
            _append(sheet, row)
    times = book.create_sheet("times")
    _append(times, [text("times", report.lang)])
    for trow in _time_grid(report):
        _append(times, trow)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _append(sheet: Worksheet, values: Sequence[str | float | None]) -> None:
    """``sheet.append``, but a text openpyxl would store as a formula stays a plain string."""
    cells = []
    for value in values:
        cell = XlsxCell(sheet, row=1, column=1, value=value)  # placed by append
        if is_formula_like(value) or cell.data_type == "f":
            cell.data_type = "s"
            cell.quotePrefix = True
        cells.append(cell)
    sheet.append(cells)


def _sheet_title(name: str) -> str:
    return name[:31]


def to_json(report: Report) -> dict[str, Any]:
    """The statistics API body: numbers for charts, hidden cells as null with their mark."""
    return {
        "start": report.start.isoformat(),
        "end": report.end.isoformat(),
        "granularity": report.granularity.value,
        "lang": report.lang,
        "threshold": report.threshold,
        "note": note(report),
        "unavailable": list(report.unavailable),
        "tables": [_table_json(t) for t in report.tables],
        "times": {
            "columns": [{"code": c, "label": label} for c, label in report.time_columns],
            "rows": [
                {"code": r.code, "label": r.label, "values": list(r.values)} for r in report.times
            ],
        },
    }


def _table_json(table: Table) -> dict[str, Any]:
    def cell(c: Cell) -> dict[str, Any]:
        return {"value": c.value, "display": c.display, "hidden": c.hidden}

    return {
        "name": table.name,
        "title": table.title,
        "row_header": table.row_header,
        "rows_add_up": table.rows_add_up,
        "columns": [{"code": c, "label": label} for c, label in table.columns],
        "rows": [
            {
                "code": line.code,
                "label": line.label,
                "cells": [cell(c) for c in line.cells],
                "total": cell(line.total),
            }
            for line in table.rows
        ],
        "totals": {
            "label": table.footer.label,
            "cells": [cell(c) for c in table.footer.cells],
            "total": cell(table.footer.total),
        },
    }
