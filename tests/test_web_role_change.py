"""Changing a responder's role on the coordinator page (exploratory review rev16, finding 3).

A new role takes the responder out of every shift of the other role, and out of backing expert
shifts when they are no longer a professional. The coordinator is asked first, with the same
warning as for deactivation; cancelling changes nothing. The rota then marks the responder and
the backup whose role no longer fits the shift, as it marks deactivated people.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import time
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, Page

from chatsupport.domain.roles import Role
from chatsupport.domain.rota import Shift, ShiftRole
from tests.helpers import PASSWORD
from tests.live import LiveServer
from tests.web_checks import assert_accessible, web_server

WAIT_MS = 10_000


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[LiveServer]:
    async with web_server(tmp_path) as live:
        await live.runtime.accounts.create_responder(
            login_name="koordi",
            display_name="Kaisa Koordinaattori",
            role=Role.COORDINATOR,
            password=PASSWORD,
        )
        yield live


async def signed_in(browser: Browser, server: LiveServer) -> Page:
    context = await browser.new_context(viewport={"width": 1280, "height": 900}, locale="fi-FI")
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.errors = errors  # type: ignore[attr-defined]
    await page.goto(server.base + "/coordinator/")
    await page.fill("#login", "koordi")
    await page.fill("#password", PASSWORD)
    await page.click("#login-button")
    await page.wait_for_selector("#responders", timeout=WAIT_MS)
    return page


async def role_of(server: LiveServer, login_name: str) -> Role:
    accounts = await server.runtime.accounts.list_responders()
    return next(a for a in accounts if a.login_name == login_name).role


async def test_a_role_change_warns_first_and_the_rota_marks_it(
    server: LiveServer, browser: Browser
) -> None:
    rt = server.runtime
    people = {}
    for login_name, name, role in [
        ("sanna", "Sanna", Role.PROFESSIONAL),
        ("pekka", "Pekka", Role.PROFESSIONAL),
        ("leena", "Leena", Role.PROFESSIONAL),
        ("aino", "Aino", Role.EXPERIENCE_EXPERT),
    ]:
        people[login_name] = await rt.accounts.create_responder(
            login_name=login_name, display_name=name, role=role, password=PASSWORD
        )
    sanna, pekka, aino = people["sanna"].id, people["pekka"].id, people["aino"].id
    # Monday: Sanna alone; Tuesday: Sanna with Pekka; Thursday: Aino, backed by Sanna
    for weekday, ids in [(0, {sanna}), (1, {sanna, pekka})]:
        await rt.rota.save_shift(
            Shift(
                id=0,
                role=ShiftRole.PROFESSIONAL,
                starts=time(14),
                ends=time(18),
                responder_ids=frozenset(ids),
                weekday=weekday,
            )
        )
    await rt.rota.save_shift(
        Shift(
            id=0,
            role=ShiftRole.EXPERIENCE_EXPERT,
            starts=time(18),
            ends=time(21),
            responder_ids=frozenset({aino}),
            weekday=3,
            backup_id=sanna,
        )
    )

    page = await signed_in(browser, server)
    asked: list[str] = []
    answers: list[bool] = []

    async def answer(dialog: Any) -> None:
        asked.append(dialog.message)
        await (dialog.accept() if answers.pop(0) else dialog.dismiss())

    page.on("dialog", answer)

    # Leena is on no shift: her new role is saved without a question
    await page.click("#responders tr[data-login='leena'] button:has-text('Muokkaa')")
    await page.select_option("#edit-role", "experience_expert")
    await page.click("#edit-form button[type=submit]")
    await page.wait_for_selector("#responders-done:has-text('Tallennettu: Leena')", timeout=WAIT_MS)
    assert asked == []
    assert await role_of(server, "leena") is Role.EXPERIENCE_EXPERT

    # Sanna: asked first; cancelling keeps her role and the form as typed
    row = "#responders tr[data-login='sanna']"
    await page.click(f"{row} button:has-text('Muokkaa')")
    await page.select_option("#edit-role", "experience_expert")
    answers.append(False)
    await page.click("#edit-form button[type=submit]")
    for _ in range(100):  # the question comes after the rota is fetched
        if asked:
            break
        await page.wait_for_timeout(100)
    assert len(asked) == 1, asked
    message = asked[0]
    assert "Ammattilainen → Kokemusasiantuntija" in message
    assert "ainoa käytössä oleva vastaaja 1 vuorossa" in message  # Monday, not Tuesday
    assert "tukihenkilö 1 kokemusasiantuntijavuorossa" in message  # Thursday
    assert await role_of(server, "sanna") is Role.PROFESSIONAL
    assert await page.input_value("#edit-role") == "experience_expert"
    assert "Ammattilainen" in await page.inner_text(f"{row} td[data-label='Rooli']")

    # saved when confirmed
    answers.append(True)
    await page.click("#edit-form button[type=submit]")
    await page.wait_for_selector("#responders-done:has-text('Tallennettu: Sanna')", timeout=WAIT_MS)
    assert len(asked) == 2
    assert await role_of(server, "sanna") is Role.EXPERIENCE_EXPERT

    # the rota marks her on the professional shifts and as Thursday's backup
    await page.click("#nav-vuorot")
    monday = ".week .day[data-weekday='0'] .block"
    await page.wait_for_selector(monday, timeout=WAIT_MS)
    assert "Sanna (eri rooli)" in await page.inner_text(monday)
    assert "Sanna (eri rooli)" in (await page.get_attribute(monday, "aria-label") or "")
    tuesday = await page.inner_text(".week .day[data-weekday='1'] .block")
    assert "Sanna (eri rooli)" in tuesday and "Pekka" in tuesday and "Pekka (" not in tuesday
    thursday = ".week .day[data-weekday='3'] .block"
    assert "varalla Sanna (eri rooli)" in await page.inner_text(f"{thursday} .backup")
    assert "Aino (" not in await page.inner_text(thursday)
    await page.click("#shift-list summary")
    rows = await page.locator("#shift-list tbody tr").all_inner_texts()
    assert sum("Sanna (eri rooli)" in r for r in rows) == 3, rows
    await assert_accessible(page, "coordinator-role-change-rota")
    assert page.errors == []  # type: ignore[attr-defined]
