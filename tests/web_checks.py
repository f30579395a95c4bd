"""Accessibility checks (axe-core, WCAG 2.1 AA) and screenshots of pages in real Chromium.

Screenshots go to ``test-results/screenshots/`` (git-ignored), so a person can look at every
screen the tests reached.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Page

from tests.conftest import FAST_HASH
from tests.live import LiveServer, live_server

SHOTS = Path(__file__).resolve().parents[1] / "test-results" / "screenshots"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
_AXE = Axe()


async def screenshot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


async def assert_accessible(page: Page, name: str) -> None:
    """Save a screenshot of the page, then fail with axe's report on any WCAG 2.1 A/AA
    violation. axe is injected through the DevTools protocol, which the page's CSP allows."""
    await screenshot(page, name)
    options = {"runOnly": {"type": "tag", "values": WCAG_21_AA}, "resultTypes": ["violations"]}
    results = await _AXE.run(page, options=options)
    assert results.violations_count == 0, f"{name}:\n{results.generate_report()}"


@asynccontextmanager
async def web_server(
    tmp_path: Path, host_site: str | None = None, **extra: Any
) -> AsyncIterator[LiveServer]:
    """A live server on SQLite (the family-centre origin allowed when given, as in
    test_web.py); ``extra`` settings override the defaults."""
    values: dict[str, Any] = {
        "data_dir": tmp_path / "data",
        "database_url": f"sqlite+aiosqlite:///{tmp_path / 'web.sqlite3'}",
        "broker_url": "memory://",
        "auto_migrate": True,
        "allowed_origins": [host_site] if host_site else [],
        **FAST_HASH,
        **extra,
    }
    async with live_server(values) as live:
        yield live
