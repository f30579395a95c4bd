"""The coordinator pages, used in real Chromium against a live server."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, Page

from chatsupport.domain.roles import Role
from tests.browser import chromium
from tests.conftest import FAST_HASH
from tests.helpers import PASSWORD
from tests.live import LiveServer, live_server

WAIT_MS = 10_000
SHOTS = Path("test-results/screenshots")


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[LiveServer]:
    values: dict[str, Any] = {
        "data_dir": tmp_path / "data",
        "database_url": f"sqlite+aiosqlite:///{tmp_path / 'coordinator.sqlite3'}",
        "broker_url": "memory://",
        "auto_migrate": True,
        **FAST_HASH,
    }
    async with live_server(values) as live:
        for login, name, role in [
            ("koordi", "Kaisa Koordinaattori", Role.COORDINATOR),
            ("pekka", "Pekka P", Role.PROFESSIONAL),
        ]:
            await live.runtime.accounts.create_responder(
                login_name=login, display_name=name, role=role, password=PASSWORD
            )
        yield live


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with chromium() as b:
        yield b


async def signed_in(browser: Browser, server: LiveServer, login: str, width: int = 1280) -> Page:
    context = await browser.new_context(
        viewport={"width": width, "height": 900}, accept_downloads=True
    )
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.errors = errors  # type: ignore[attr-defined]
    await page.goto(server.base + "/coordinator/")
    await page.fill("#login", login)
    await page.fill("#password", PASSWORD)
    await page.click("#login-button")
    return page


async def shot(page: Page, name: str) -> None:
    await page.screenshot(path=str(SHOTS / f"coordinator-{name}.png"), full_page=True)


async def test_the_page_is_served_unframeable(server: LiveServer) -> None:
    """/coordinator/ answers the page with a CSP that forbids framing and inline script."""
    async with httpx.AsyncClient(base_url=server.base) as client:
        page = await client.get("/coordinator/")
        script = await client.get("/static/coordinator/app.js")
    assert page.status_code == script.status_code == 200
    policy = page.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy and "script-src 'self';" in policy


async def test_a_professional_is_refused_plainly(server: LiveServer, browser: Browser) -> None:
    """A professional who logs in sees that the pages are for coordinators, and no data."""
    page = await signed_in(browser, server, "pekka")
    await page.wait_for_selector("#refused", timeout=WAIT_MS)
    assert "vain koordinaattoreille" in await page.inner_text("#refused")
    assert await page.query_selector("#responders") is None
    await shot(page, "refused")


async def test_responders_create_and_edit(server: LiveServer, browser: Browser) -> None:
    """The coordinator creates a responder, sees a refusal in plain Finnish, renames,
    deactivates and reactivates, and resets a password."""
    page = await signed_in(browser, server, "koordi")
    await page.wait_for_selector("#responders", timeout=WAIT_MS)
    await page.fill("#new-login", "eeva")
    await page.fill("#new-name", "Eeva")
    await page.select_option("#new-role", "experience_expert")
    await page.fill("#new-password-create", "short")
    await page.click("#create-button")
    await page.wait_for_selector("#create-error:has-text('liian lyhyt')", timeout=WAIT_MS)
    assert await page.input_value("#new-login") == "eeva"  # what was typed is kept
    await page.fill("#new-password-create", PASSWORD)
    await page.click("#create-button")
    row = "#responders tr[data-login='eeva']"
    await page.wait_for_selector(row, timeout=WAIT_MS)
    assert "Kokemusasiantuntija" in await page.inner_text(row)

    await page.click(f"{row} button:has-text('Muokkaa')")
    await page.fill("#edit-name", "Eeva (kokemusasiantuntija)")
    await page.click("#edit-form button[type=submit]")
    await page.wait_for_selector(f"{row}:has-text('Eeva (kokemusasiantuntija)')", timeout=WAIT_MS)

    page.on("dialog", lambda d: d.accept())
    await page.click(f"{row} button:has-text('Poista käytöstä')")
    await page.wait_for_selector(f"{row}:has-text('Poistettu käytöstä')", timeout=WAIT_MS)
    await page.click(f"{row} button:has-text('Ota käyttöön')")
    await page.wait_for_selector(f"{row}:has-text('Käytössä')", timeout=WAIT_MS)

    await page.click(f"{row} button:has-text('Vaihda salasana')")
    await page.fill("#new-password", "another long password")
    await page.click("#password-form button[type=submit]")
    await page.wait_for_selector("#responders-done:has-text('Salasana vaihdettu')", timeout=WAIT_MS)
    async with httpx.AsyncClient(base_url=server.base) as client:
        r = await client.post(
            "/api/auth/login", json={"login_name": "eeva", "password": "another long password"}
        )
    assert r.status_code == 200
    assert "null" not in await page.inner_text("main")
    await shot(page, "responders")
    assert page.errors == []  # type: ignore[attr-defined]
