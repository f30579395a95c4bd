"""`chatsupport export` writes the same suppressed report as the HTTP export."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from chatsupport.domain.report import Report, build_report
from chatsupport.domain.statistics import Granularity
from chatsupport.domain.taxonomy import Taxonomy
from chatsupport.services.export import to_csv, to_json
from chatsupport.storage import diary
from chatsupport.storage.database import Database
from chatsupport.storage.migrate import upgrade_to_head
from tests.diary_data import generate
from tests.test_cli import run_cli

FACTS = generate(1500, seed=7)


def report(granularity: Granularity, lang: str) -> Report:
    return build_report(
        FACTS,
        start=date(2025, 1, 1),
        end=date(2025, 12, 31),
        granularity=granularity,
        taxonomy=Taxonomy.default(),
        lang=lang,
    )


async def test_export_command_writes_csv_and_json(database_url: str, tmp_path: Path) -> None:
    """The CLI export equals the report built here; a reversed range is one clear line."""
    db = Database(database_url)
    try:
        await upgrade_to_head(db)
        async with db.write() as s:
            await diary.add_facts(s, facts=FACTS)
    finally:
        await db.dispose()
    env = {"CHATSUPPORT_DATABASE_URL": database_url, "CHATSUPPORT_DATA_DIR": str(tmp_path)}
    period = ["--start", "2025-01-01", "--end", "2025-12-31"]
    out = tmp_path / "diary.csv"
    done = run_cli("export", *period, "--granularity", "quarter", "-o", str(out), env=env)
    assert done.returncode == 0, done.stderr
    assert out.read_bytes() == to_csv(report(Granularity.QUARTER, "fi"))
    as_json = run_cli("export", *period, "--format", "json", "--lang", "sv", env=env)
    assert as_json.returncode == 0, as_json.stderr
    expected = to_json(report(Granularity.MONTH, "sv"))
    assert json.loads(as_json.stdout) == json.loads(json.dumps(expected))
    reversed_range = run_cli("export", "--start", "2025-02-01", "--end", "2025-01-01", env=env)
    assert reversed_range.returncode == 2
    assert reversed_range.stderr.strip() == "chatsupport: The end date is before the start date."
