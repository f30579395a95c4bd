"""Statistics and exports over the real HTTP API, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from typing import Any

import openpyxl

from chatsupport.domain.report import build_report
from chatsupport.domain.roles import Role
from chatsupport.domain.statistics import Granularity
from chatsupport.domain.taxonomy import Taxonomy
from chatsupport.services.export import to_json
from chatsupport.storage import diary
from tests.diary_data import generate
from tests.helpers import add_user, error_code, login, running_app

FACTS = generate(2000)
RANGE = {"start": "2025-01-01", "end": "2025-12-31"}
TABLES = [
    "contacts", "answered", "responder_role", "help_now", "quick_exit", "language",
    "weekday_hour", "concern_primary", "concern_any", "concern_level", "age_band", "referral",
]  # fmt: skip


def expected(granularity: Granularity, lang: str) -> dict[str, Any]:
    report = build_report(
        FACTS, start=date(2025, 1, 1), end=date(2025, 12, 31), granularity=granularity,
        taxonomy=Taxonomy.default(), lang=lang,
    )  # fmt: skip
    return to_json(report)


async def test_statistics_and_every_export_format(settings_values: dict[str, Any]) -> None:
    """The API answers the suppressed report of the stored records; CSV (BOM, ';') opens with
    the csv module, XLSX with openpyxl, JSON equals the API; all with the expected headers."""
    async with running_app(settings_values) as (client, rt):
        await add_user(rt, "kirsi", Role.COORDINATOR)
        async with rt.db.write() as s:
            await diary.add_facts(s, facts=FACTS)
        await login(client, "kirsi")
        api = await client.get("/api/statistics", params={**RANGE, "granularity": "quarter"})
        assert api.status_code == 200, api.text
        body = {k: v for k, v in api.json().items() if k != "feedback"}  # youth feedback: own table
        assert body == json.loads(json.dumps(expected(Granularity.QUARTER, "fi")))
        assert [t["name"] for t in api.json()["tables"]] == TABLES

        params = {**RANGE, "granularity": "month", "lang": "en"}
        csv_resp = await client.get("/api/statistics/export", params={**params, "format": "csv"})
        assert csv_resp.headers["content-type"].startswith("text/csv")
        assert "attachment" in csv_resp.headers["content-disposition"]
        assert csv_resp.content.startswith(b"\xef\xbb\xbf")
        rows = list(csv.reader(io.StringIO(csv_resp.content.decode("utf-8-sig")), delimiter=";"))
        months = [f"2025-{m:02d}" for m in range(1, 13)]
        title = rows.index(["Primary concern"])
        assert rows[title + 1] == ["Concern", *months, "Total"]
        assert rows[title + 2][0] == "Mood and anxiety"
        contacts = rows.index(["Contacts"])
        assert rows[contacts + 1] == ["Measure", *months, "Total"]
        assert rows[contacts + 5][0] == "Total" and rows[contacts + 5][-1] == "2000"

        xlsx = await client.get("/api/statistics/export", params={**params, "format": "xlsx"})
        book = openpyxl.load_workbook(io.BytesIO(xlsx.content))
        assert book.sheetnames == ["info", *TABLES, "times"]
        sheet = book["age_band"]
        header = [c.value for c in sheet[2]]
        assert header == ["Age band", *months, "Total"]
        assert [c.value for c in book["contacts"][6]][-1] == 2000

        as_json = await client.get("/api/statistics/export", params={**params, "format": "json"})
        assert as_json.json() == json.loads(json.dumps(expected(Granularity.MONTH, "en")))


async def test_bad_ranges_and_roles_are_refused(settings_values: dict[str, Any]) -> None:
    """A reversed or too long range is 422 with a stable code; a responder gets 403."""
    async with running_app(settings_values) as (client, rt):
        await add_user(rt, "kirsi", Role.COORDINATOR)
        await add_user(rt, "sanna", Role.PROFESSIONAL)
        await login(client, "kirsi")
        for params, code in [
            ({"start": "2025-02-01", "end": "2025-01-01"}, "statistics.range_reversed"),
            ({"start": "2020-01-01", "end": "2025-01-01"}, "statistics.range_too_long"),
        ]:
            for url in ("/api/statistics", "/api/statistics/export"):
                response = await client.get(url, params=params)
                assert (response.status_code, error_code(response)) == (422, code)
        bad_format = await client.get("/api/statistics/export", params={**RANGE, "format": "pdf"})
        assert bad_format.status_code == 422
        await login(client, "sanna")
        for url in ("/api/statistics", "/api/statistics/export"):
            response = await client.get(url, params=RANGE)
            assert (response.status_code, error_code(response)) == (403, "auth.forbidden")
