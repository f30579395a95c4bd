"""The coordinator pages, used in real Chromium against a live server."""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, Page

from chatsupport.domain.roles import Role
from chatsupport.domain.rota import ShiftRole
from chatsupport.storage import diary
from tests.conftest import FAST_HASH
from tests.diary_data import generate
from tests.helpers import PASSWORD, add_user
from tests.live import LiveServer, live_server
from tests.rota_helpers import put_on_shift_now
from tests.web_checks import assert_accessible

WAIT_MS = 10_000
HOSTILE = 'Hej! <img src=x onerror="window.__pwned=1"><script>window.__pwned=1</script>'
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


async def signed_in(browser: Browser, server: LiveServer, login: str, width: int = 1280) -> Page:
    context = await browser.new_context(
        viewport={"width": width, "height": 900}, accept_downloads=True, locale="fi-FI"
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


async def new_weekly_shift(
    browser: Browser, server: LiveServer, *, weekday: int, starts: str, ends: str
) -> Page:
    """The coordinator's rota section with the new-shift form filled up to its times."""
    page = await signed_in(browser, server, "koordi")
    await page.wait_for_selector("#responders", timeout=WAIT_MS)
    await page.click("#nav-vuorot")
    await page.wait_for_selector("#shift-form", timeout=WAIT_MS)
    await page.select_option("#shift-weekday", str(weekday))
    await page.fill("#shift-starts", starts)
    await page.fill("#shift-ends", ends)
    return page


async def responder_id(server: LiveServer, login: str) -> int:
    responders = await server.runtime.accounts.list_responders()
    return next(r.id for r in responders if r.login_name == login)


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

    assert "suomi" in await page.inner_text(f"{row} td.languages")  # Finnish unless told

    await page.click(f"{row} button:has-text('Muokkaa')")
    await page.fill("#edit-name", "Eeva (kokemusasiantuntija)")
    await page.uncheck("#edit-lang-fi")
    await page.click("#edit-form button[type=submit]")
    await page.wait_for_selector("#edit-error:has-text('vähintään yksi kieli')", timeout=WAIT_MS)
    await page.check("#edit-lang-sv")
    await page.check("#edit-lang-fi")
    await page.click("#edit-form button[type=submit]")
    await page.wait_for_selector(f"{row}:has-text('Eeva (kokemusasiantuntija)')", timeout=WAIT_MS)
    assert await page.inner_text(f"{row} td.languages") == "suomi, ruotsi"
    accounts = await server.runtime.accounts.list_responders()
    assert next(r for r in accounts if r.login_name == "eeva").languages == ("fi", "sv")

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


async def test_the_coordinator_story(server: LiveServer, browser: Browser) -> None:
    """The coordinator creates a responder, puts them on a weekly shift in the grid, closes a
    holiday, edits the Swedish closed text, adds a diary code, sees the charts of a year of
    diary data and downloads a CSV export that the csv module reads."""
    async with server.runtime.db.write() as s:
        await diary.add_facts(s, facts=generate(600))
    page = await signed_in(browser, server, "koordi")
    page.on("dialog", lambda d: d.accept())
    await page.wait_for_selector("#responders", timeout=WAIT_MS)
    await page.fill("#new-login", "eeva")
    await page.fill("#new-name", "Eeva")
    await page.select_option("#new-role", "professional")
    await page.check("#new-lang-sv")  # Eeva answers in Finnish and Swedish
    await page.fill("#new-password-create", PASSWORD)
    await page.click("#create-button")
    await page.wait_for_selector("#responders tr[data-login='eeva']", timeout=WAIT_MS)
    eeva_id = await responder_id(server, "eeva")

    # the rota: a Tuesday shift for Eeva, then a refused one (overlap) shown next to the form
    await page.click("#nav-vuorot")
    await page.wait_for_selector("#shift-form", timeout=WAIT_MS)
    await page.select_option("#shift-weekday", "1")
    await page.fill("#shift-starts", "15:00")
    await page.fill("#shift-ends", "19:30")
    await page.check(f"#shift-person-{eeva_id}")
    await page.click("#shift-save")
    block = ".week .day[data-weekday='1'] .block:has-text('Eeva')"
    await page.wait_for_selector(block, timeout=WAIT_MS)
    assert "15:00\u201319:30" in await page.inner_text(block)
    assert "FI SV" in await page.inner_text(block)  # the Swedish cover shows when planning
    assert "kielet suomi, ruotsi" in (await page.get_attribute(block, "aria-label") or "")
    await page.select_option("#shift-weekday", "1")
    await page.fill("#shift-starts", "18:00")
    await page.fill("#shift-ends", "21:00")
    await page.check(f"#shift-person-{eeva_id}")
    await page.click("#shift-save")
    await page.wait_for_selector("#shift-error:has-text('päällekkäinen')", timeout=WAIT_MS)
    await page.fill("#closure-date", "2026-12-24")
    await page.fill("#closure-note", "Jouluaatto")
    await page.click("#closure-save")
    await page.wait_for_selector("#exceptions tr:has-text('Jouluaatto')", timeout=WAIT_MS)
    await page.click(block)  # a block opens its shift in the form
    await page.wait_for_selector("#shift-form-title:has-text('Muokkaa')", timeout=WAIT_MS)
    await shot(page, "rota")
    shifts, _ = await server.runtime.rota.listing()
    assert [(s.weekday, s.responder_ids) for s in shifts] == [(1, frozenset({eeva_id}))]

    # the Swedish closed text
    await page.click("#nav-tekstit")
    await page.wait_for_selector("#texts-form", timeout=WAIT_MS)
    await page.select_option("#texts-lang", "sv")
    await page.wait_for_selector("#texts-form[data-lang='sv']", timeout=WAIT_MS)
    await page.fill("#text-closed", "Chatten är stängd nu. Vi öppnar igen på tisdag.")
    await page.fill("#text-accessibility", "Respons: tillganglighet@example.fi")
    await page.click("#texts-save")
    await page.wait_for_selector("#texts-done:has-text('tallennettu')", timeout=WAIT_MS)
    await shot(page, "texts")
    async with httpx.AsyncClient(base_url=server.base) as client:
        opening = (await client.get("/api/public/opening", params={"lang": "sv"})).json()
        about = (await client.get("/api/public/about", params={"lang": "sv"})).json()
    assert "Vi öppnar igen på tisdag." in str(opening)
    assert about["accessibility"] == "Respons: tillganglighet@example.fi"

    # a canned reply in Swedish; text that looks like markup stays text
    await page.click("#nav-valmiit")
    await page.wait_for_selector("#canned-form", timeout=WAIT_MS)
    await page.select_option("#canned-lang", "sv")
    await page.wait_for_selector("#canned-form[data-lang='sv']", timeout=WAIT_MS)
    await page.fill("#canned-form-title-input", "Hälsning")
    await page.fill("#canned-text", HOSTILE)
    await page.click("#canned-save")
    await page.wait_for_selector("#canned tr:has-text('Hälsning')", timeout=WAIT_MS)
    assert await page.inner_text("#canned td.canned-text") == HOSTILE
    assert await page.evaluate("window.__pwned === undefined")
    replies = await page.evaluate("fetch('/api/canned?lang=sv').then(r => r.json())")
    assert [r["title"] for r in replies] == ["Hälsning"]
    await shot(page, "canned")

    # a new concern code
    await page.click("#nav-luokitus")
    await page.wait_for_selector("#terms", timeout=WAIT_MS)
    assert "0" in await page.inner_text("#pending-count")
    await page.fill("#new-code", "GAMING")
    await page.fill("#new-fi", "Pelaaminen")
    await page.fill("#new-sv", "Spelande")
    await page.click("#term-add")
    await page.wait_for_selector(
        "#terms tr[data-code='GAMING']:has-text('Spelande')", timeout=WAIT_MS
    )
    await page.click("#terms tr[data-code='GAMING'] button:has-text('Poista käytöstä')")
    await page.wait_for_selector("#terms tr[data-code='GAMING'].inactive", timeout=WAIT_MS)
    await shot(page, "taxonomy")

    # statistics of 2025 by quarter: charts, suppressed marks as marks, a CSV download
    await page.click("#nav-tilastot")
    await page.wait_for_selector("#period-form", timeout=WAIT_MS)
    await page.fill("#stat-start", "2025-01-01")
    await page.fill("#stat-end", "2025-12-31")
    await page.select_option("#stat-granularity", "quarter")
    await page.click("#stat-show")
    await page.wait_for_selector("#total-contacts:has-text('600')", timeout=WAIT_MS)
    charts = ["volume", "answered", "waiting", "concerns", "referrals", "feedback", "heatmap"]
    for chart in charts:
        label = await page.get_attribute(f"#chart-{chart} svg", "aria-label")
        assert label and len(label) > 20, chart
    assert await page.locator("#chart-volume svg rect").count() == 4
    assert "<5" in await page.inner_text("#report")  # small cells keep their mark
    await shot(page, "statistics")
    async with page.expect_download() as info:
        await page.click("#export-csv")
    download = await info.value
    path = await download.path()
    text = (await asyncio.to_thread(path.read_bytes)).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    contacts = rows.index(["Yhteydenotot"])
    assert rows[contacts + 1][1:] == ["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4", "Yhteensä"]

    # by week, small counts appear: drawn as their mark, not as a bar
    await page.select_option("#stat-granularity", "week")
    await page.click("#stat-show")
    await page.wait_for_selector("#chart-volume svg text:text-is('2025-W01')", timeout=WAIT_MS)
    assert await page.locator("#chart-answered svg text:text-is('<5')").count() > 0
    await shot(page, "statistics-weeks")
    assert page.errors == []  # type: ignore[attr-defined]


async def test_a_phone_can_use_the_pages(server: LiveServer, browser: Browser) -> None:
    """At phone width the nav, the responder list and the rota are reachable (screenshots)."""
    page = await signed_in(browser, server, "koordi", width=390)
    await page.wait_for_selector("#responders", timeout=WAIT_MS)
    await shot(page, "phone-responders")
    await page.click("#nav-vuorot")
    await page.wait_for_selector("#shift-form", timeout=WAIT_MS)
    await shot(page, "phone-rota")
    assert page.errors == []  # type: ignore[attr-defined]


async def test_an_expert_night_shift_needs_a_backup(server: LiveServer, browser: Browser) -> None:
    """An experience-expert shift without a backup is refused next to the form; with one it
    shows on the grid, past midnight as a second piece on the next day, with the backup."""
    expert = await server.runtime.accounts.create_responder(
        login_name="eeva", display_name="Eeva KA", role=Role.EXPERIENCE_EXPERT, password=PASSWORD
    )
    page = await new_weekly_shift(browser, server, weekday=4, starts="22:00", ends="02:00")
    await page.select_option("#shift-role", "experience_expert")
    await page.check(f"#shift-person-{expert.id}")
    await page.click("#shift-save")
    await page.wait_for_selector("#shift-error:has-text('Loppuaika on ennen')", timeout=WAIT_MS)
    await page.check("#shift-next-day")
    await page.click("#shift-save")
    await page.wait_for_selector("#shift-error:has-text('varahenkilö')", timeout=WAIT_MS)
    await page.select_option("#shift-backup", label="Pekka P")
    await page.click("#shift-save")
    friday = ".week .day[data-weekday='4'] .block:has-text('Eeva KA')"
    saturday = ".week .day[data-weekday='5'] .block:has-text('jatkuu')"
    await page.wait_for_selector(friday, timeout=WAIT_MS)
    assert "varalla Pekka P" in await page.inner_text(friday)
    await page.wait_for_selector(saturday, timeout=WAIT_MS)
    await shot(page, "rota-expert")
    assert page.errors == []  # type: ignore[attr-defined]


async def test_a_shift_to_midnight_reads_24(server: LiveServer, browser: Browser) -> None:
    """A shift that ends at midnight shows as "16:00-24:00" on the grid and in the list, not
    as "16:00-00:00", which looked like a shift ending before it starts."""
    page = await new_weekly_shift(browser, server, weekday=2, starts="16:00", ends="00:00")
    await page.check("#shift-next-day")
    await page.check(f"#shift-person-{await responder_id(server, 'pekka')}")
    await page.click("#shift-save")
    block = ".week .day[data-weekday='2'] .block:has-text('Pekka P')"
    await page.wait_for_selector(block, timeout=WAIT_MS)
    assert (await page.inner_text(f"{block} strong")) == "16:00\u201324:00"
    row = "#shift-list tbody tr"
    assert await page.locator(row).count() == 1
    # the list is folded on a wide screen: its text, not what is rendered
    assert (await page.locator(f"{row} td").first.text_content()) == "16:00\u201324:00"
    assert page.errors == []  # type: ignore[attr-defined]


async def test_every_section_passes_axe(server: LiveServer, browser: Browser) -> None:
    """axe-core finds no WCAG 2.1 A/AA violation on any coordinator section."""
    page = await signed_in(browser, server, "koordi")
    await page.wait_for_selector("#nav-vastaajat", timeout=WAIT_MS)
    sections = (
        "vastaajat",
        "tilanne",
        "vuorot",
        "tekstit",
        "valmiit",
        "luokitus",
        "tilastot",
        "loki",
    )
    for section in sections:
        await page.click(f"#nav-{section}")
        await page.wait_for_selector(f"#nav-{section}[aria-current]", timeout=WAIT_MS)
        await page.wait_for_selector("main h2", timeout=WAIT_MS)  # the section has drawn
        await page.wait_for_selector("text=Ladataan", state="detached", timeout=WAIT_MS)
        await page.wait_for_load_state("networkidle")
        await assert_accessible(page, f"coordinator-a11y-{section}")


async def test_unanswered_debriefs_show_on_the_responders_page(
    server: LiveServer, browser: Browser
) -> None:
    """An expert's debrief request nobody has answered is listed for the coordinator, with
    who was asked; once a professional answers, it is gone (axe passes with it shown)."""
    rt = server.runtime
    aino = await add_user(rt, "aino", Role.EXPERIENCE_EXPERT, "Aino")
    asked = await rt.debriefs.ask(expert=await rt.accounts.get_responder(aino))
    page = await signed_in(browser, server, "koordi")
    panel = page.locator("#debrief-watch")
    await panel.wait_for(timeout=WAIT_MS)
    text = await panel.inner_text()
    assert "Vastaamattomat purkupyynnöt (1)" in text
    assert "Aino (Kokemusasiantuntija) pyysi purkua" in text and "kuka tahansa" in text
    await assert_accessible(page, "coordinator-debrief-watch")
    pekka = await responder_id(server, "pekka")
    await rt.debriefs.answer(responder=await rt.accounts.get_responder(pekka), debrief_id=asked.id)
    await page.reload()
    await page.wait_for_selector("#responders", timeout=WAIT_MS)
    assert await panel.count() == 0


async def test_the_audit_trail_shows_who_did_what(server: LiveServer, browser: Browser) -> None:
    """ "Tapahtumaloki": an account the coordinator made and a transcript a professional read
    show with names, in words, newest first; no text of any chat."""
    async with httpx.AsyncClient(base_url=server.base) as client:
        r = await client.post(
            "/api/auth/login", json={"login_name": "koordi", "password": PASSWORD}
        )
        csrf = {"X-CSRF-Token": r.json()["csrf_token"]}
        body = {"login_name": "uusi", "display_name": "Uusi Ulla", "role": "professional"}
        made = await client.post(
            "/api/responders", headers=csrf, json={**body, "password": PASSWORD}
        )
        assert made.status_code == 201, made.text
        path = f"/api/responders/{made.json()['id']}"
        renamed = await client.patch(path, headers=csrf, json={"display_name": "Ulla U"})
        assert renamed.status_code == 200, renamed.text
    page = await signed_in(browser, server, "koordi")
    await page.click("#nav-loki")
    table = page.locator("#audit-table")
    await table.wait_for(timeout=WAIT_MS)
    rows = await table.locator("tbody tr").all_inner_texts()
    assert "Muutti tiliä" in rows[0] and "Tili: Ulla U" in rows[0]  # newest first, by name
    assert "nimi muuttui" in rows[0]  # what changed, in words (never the name itself)
    assert "Loi tilin" in rows[1] and "Kaisa Koordinaattori (Koordinaattori)" in rows[1]
    assert "rooli: Ammattilainen" in rows[1]
    await assert_accessible(page, "coordinator-audit")


async def test_the_situation_now_shows_what_needs_attention(
    server: LiveServer, browser: Browser
) -> None:
    """ "Tilanne nyt": open, one chat waiting, Pekka on duty without his console, and the
    expert's shift that does not open because Bert (the backup) is away; axe passes."""
    rt = server.runtime
    await put_on_shift_now(rt, [await responder_id(server, "pekka")])
    aino = await add_user(rt, "aino", Role.EXPERIENCE_EXPERT, "Aino")
    bert = await add_user(rt, "bert", Role.PROFESSIONAL, "Bert")
    await put_on_shift_now(rt, [aino], role=ShiftRole.EXPERIENCE_EXPERT, backup_id=bert)
    await rt.chats.create_chat(lang="fi")
    page = await signed_in(browser, server, "koordi")
    await page.click("#nav-tilanne")
    await page.wait_for_selector("#situation", timeout=WAIT_MS)
    text = await page.inner_text("#situation")
    assert "Chat on auki." in text and "Jonossa: 1" in text
    assert "Pekka P (Ammattilainen) \u2013 ei kirjautuneena konsoliin" in text
    assert "Aino: tukihenkilö Bert ei ole kirjautuneena konsoliin" in text
    await assert_accessible(page, "coordinator-situation")
