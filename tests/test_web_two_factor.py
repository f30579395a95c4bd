"""Two-factor login in real Chromium: a coordinator's first login enrols (QR code, first
code, recovery codes shown once), the next login asks for the code; the coordinator resets a
responder's factor from the responders page; the console enrols under the policy "all"."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyotp
import pytest
from playwright.async_api import Browser, Page
from sqlalchemy import select

from chatsupport.auth.totp_seed import secret_for
from chatsupport.domain.clock import FrozenClock
from chatsupport.domain.roles import Role
from chatsupport.settings import resolve_secret_key
from chatsupport.storage.tables import ResponderRow
from tests.conftest import FAST_HASH
from tests.helpers import PASSWORD
from tests.live import LiveServer, live_server
from tests.web_checks import assert_accessible

WAIT_MS = 10_000
START = datetime(2026, 11, 26, 9, 0, 5, tzinfo=UTC)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(START)


def values(tmp_path: Path, policy: str) -> dict[str, Any]:
    return {
        "data_dir": tmp_path / "data",
        "database_url": f"sqlite+aiosqlite:///{tmp_path / 'two_factor.sqlite3'}",
        "broker_url": "memory://",
        "auto_migrate": True,
        "two_factor": policy,
        **FAST_HASH,
    }


async def open_page(browser: Browser, url: str) -> Page:
    page = await (await browser.new_context(locale="fi-FI")).new_page()
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(str(e)))
    # Failed fetches (401 before login, the favicon) are expected; a CSP refusal is not.
    page.on("console", lambda m: "Refused" in m.text and problems.append(m.text))
    page.problems = problems  # type: ignore[attr-defined]
    page.on("dialog", lambda d: d.accept())
    await page.goto(url)
    return page


async def fill_login(page: Page, login: str) -> None:
    await page.fill("#login", login)
    await page.fill("#password", PASSWORD)
    await page.click("#login-button")


async def enrol_in_page(page: Page, clock: FrozenClock) -> list[str]:
    """Begin, read the key, type the app's code; the recovery codes shown."""
    await page.click("#tf-begin")
    await page.wait_for_selector("#tf-qr", timeout=WAIT_MS)
    loaded = await page.eval_on_selector("#tf-qr", "img => img.complete && img.naturalWidth")
    assert loaded and loaded > 0, "the QR code image did not load under the page's CSP"
    secret = "".join((await page.inner_text("#tf-secret")).split())
    await page.fill("#tf-code", pyotp.TOTP(secret).at(clock.now()))
    await page.click("#tf-confirm")
    await page.wait_for_selector("#tf-recovery li", timeout=WAIT_MS)
    return [c.strip() for c in await page.locator("#tf-recovery li").all_inner_texts()]


async def test_coordinator_enrols_then_logs_in_with_a_code(
    browser: Browser, clock: FrozenClock, tmp_path: Path
) -> None:
    """First login: only the enrolment; then the shell. Next login: the code field appears
    after the password and the app's next code lets the coordinator in."""
    async with live_server(values(tmp_path, "coordinators"), clock=clock) as server:
        await add(server, "koordi", Role.COORDINATOR)
        page = await open_page(browser, server.base + "/coordinator/")
        await fill_login(page, "koordi")
        await page.wait_for_selector("#enrol #tf-begin", timeout=WAIT_MS)
        assert await page.locator("#nav-vastaajat").count() == 0
        codes = await enrol_in_page(page, clock)
        assert len(codes) == 10
        await assert_accessible(page, "two-factor-recovery-codes")
        await page.click("#tf-done")
        await page.wait_for_selector("#nav-vastaajat", timeout=WAIT_MS)

        clock.advance(seconds=30)
        secret = await secret_of(server, "koordi")
        again = await open_page(browser, server.base + "/coordinator/")
        await fill_login(again, "koordi")
        await again.wait_for_selector("#code-field:not([hidden]) #code", timeout=WAIT_MS)
        assert await again.locator("#nav-vastaajat").count() == 0
        right = pyotp.TOTP(secret).at(clock.now())
        await again.fill("#code", f"{(int(right) + 1) % 1_000_000:06d}")
        await again.click("#login-button")
        await again.wait_for_selector("#login-error:has-text('väärä')", timeout=WAIT_MS)
        await again.fill("#code", right)
        await again.click("#login-button")
        await again.wait_for_selector("#nav-vastaajat", timeout=WAIT_MS)
        assert page.problems == [] and again.problems == []  # type: ignore[attr-defined]


async def test_coordinator_resets_a_responders_second_factor(
    browser: Browser, clock: FrozenClock, tmp_path: Path
) -> None:
    """The responders page shows who has a second factor and resets it."""
    async with live_server(values(tmp_path, "off"), clock=clock) as server:
        await add(server, "koordi", Role.COORDINATOR)
        pekka = await add(server, "pekka", Role.PROFESSIONAL)
        rt = server.runtime
        responder = await rt.accounts.get_responder(pekka)
        begun = await rt.two_factor.begin(responder)
        await rt.two_factor.confirm(responder, pyotp.TOTP(begun.secret).at(clock.now()))

        page = await open_page(browser, server.base + "/coordinator/")
        await fill_login(page, "koordi")
        row = page.locator("tr[data-login='pekka']")
        await row.locator(".two-factor-state:has-text('Käytössä')").wait_for(timeout=WAIT_MS)
        await row.locator("button.reset-two-factor").click()
        await row.locator(".two-factor-state:has-text('Ei')").wait_for(timeout=WAIT_MS)
        assert not await rt.two_factor.enrolled(pekka)
        assert page.problems == []  # type: ignore[attr-defined]


async def test_console_enrols_under_the_policy_all(
    browser: Browser, clock: FrozenClock, tmp_path: Path
) -> None:
    """A responder without a second factor sees only the enrolment, then the console."""
    async with live_server(values(tmp_path, "all"), clock=clock) as server:
        await add(server, "anna", Role.PROFESSIONAL)
        page = await open_page(browser, server.base + "/console/")
        await fill_login(page, "anna")
        await page.wait_for_selector("#enrol #tf-begin", timeout=WAIT_MS)
        assert await page.locator("#duty").count() == 0
        await enrol_in_page(page, clock)
        await page.click("#tf-done")
        await page.wait_for_selector("#connection.ok", timeout=WAIT_MS)
        assert page.problems == []  # type: ignore[attr-defined]


async def add(server: LiveServer, login: str, role: Role) -> int:
    created = await server.runtime.accounts.create_responder(
        login_name=login, display_name=login.title(), role=role, password=PASSWORD
    )
    return created.id


async def secret_of(server: LiveServer, login: str) -> str:
    """The enrolled secret, as the authenticator app holds it (derived like the service)."""
    rt = server.runtime
    query = select(ResponderRow.totp_seed).where(ResponderRow.login_name == login)
    async with rt.db.read() as s:
        seed = await s.scalar(query)
    assert seed is not None
    return secret_for(seed, key=resolve_secret_key(rt.settings))
