"""Accessibility in real Chromium: axe-core finds no WCAG 2.1 AA violation on any youth screen
or console view, the youth flow works with the keyboard only, the closed screen shows the next
opening and 112. Every screen is saved as a screenshot (tests/web_checks.py)."""

from __future__ import annotations

from datetime import time, timedelta

import httpx
from playwright.async_api import Browser, Page

from chatsupport.domain.roles import Role
from chatsupport.domain.rota import Shift, ShiftRole
from tests.helpers import add_user, login
from tests.live import LiveServer
from tests.test_hub import on_duty
from tests.test_web import (
    WAIT_MS,
    console_page,
    youth_page,
)
from tests.web_checks import assert_accessible

PHONE = {"width": 390, "height": 780}


async def add_canned(server: LiveServer) -> None:
    await add_user(server.runtime, "kaisa", Role.COORDINATOR)
    async with httpx.AsyncClient(base_url=server.base) as client:
        csrf = {"X-CSRF-Token": await login(client, "kaisa")}
        body = {"lang": "fi", "title": "Tervehdys", "text": "Hei! Kiva, että kirjoitit."}
        assert (await client.post("/api/canned", json=body, headers=csrf)).status_code == 201


async def closed_page(browser: Browser, server: LiveServer, lang: str = "fi") -> Page:
    page = await (await browser.new_context(viewport=PHONE)).new_page()
    await page.goto(f"{server.base}/?lang={lang}")
    await page.wait_for_selector("#next-open", timeout=WAIT_MS)
    return page


async def test_closed_screen_shows_next_opening_and_112(
    server: LiveServer, browser: Browser
) -> None:
    """No shift now: the youth sees the closed screen with the closed text, the next opening
    (or that none is set) and the always-open services with 112, in each language."""
    for lang, closed_word in (("fi", "kiinni"), ("sv", "stängd"), ("en", "closed")):
        page = await closed_page(browser, server, lang)
        text = await page.locator("main").inner_text()
        assert closed_word in text.lower()
        assert "112" in await page.locator("#services").inner_text()
        assert await page.locator("#start").count() == 0
        if lang == "fi":
            assert "ei ole vielä sovittu" in await page.locator("#next-open").inner_text()
            await assert_accessible(page, "youth-closed")


async def test_closed_screen_from_the_refusal_frame_with_local_time(
    server: LiveServer, browser: Browser
) -> None:
    """Open while the page still thought it open: the service.closed frame's `closed` object
    is shown, with the next opening in the rota's local time."""
    page = await (await browser.new_context(viewport=PHONE)).new_page()
    # The page answers "open" first (a stale answer), so the youth presses start.
    stale = {"open": True, "accepts_new_chats": True, "texts": None}
    await page.route("**/api/public/opening*", lambda r: r.fulfill(json=stale))
    await page.goto(server.base + "/")
    await page.wait_for_selector("#start", timeout=WAIT_MS)
    rt = server.runtime
    anna = await add_user(rt, "anna", Role.PROFESSIONAL)
    tomorrow = rt.clock.now().astimezone(rt.rota.settings.zone).date() + timedelta(days=1)
    shift = Shift(
        id=0,
        role=ShiftRole.PROFESSIONAL,
        starts=time(10, 0),
        ends=time(12, 0),
        responder_ids=frozenset({anna}),
        on_date=tomorrow,
    )
    await rt.rota.save_shift(shift)
    await page.click("#start")
    await page.wait_for_selector("#services", timeout=WAIT_MS)
    assert "112" in await page.locator("#services").inner_text()
    assert "10.00" in await page.locator("#next-open").inner_text()  # 10:00 Helsinki time
    stored = await page.evaluate("sessionStorage.getItem('chatsupport.youth')")
    assert "token" not in (stored or "") or '"token":null' in stored  # nothing was opened


async def test_every_youth_screen_and_console_view_is_accessible(
    server: LiveServer, browser: Browser
) -> None:
    """Start, waiting, chat, ended (with the feedback question) at phone size; console login,
    waiting list, chat with canned replies and the diary form: no WCAG 2.1 AA violation."""
    await add_canned(server)
    await on_duty(server, "anna")
    login_page = await (await browser.new_context()).new_page()
    await login_page.goto(server.base + "/console/")
    await login_page.wait_for_selector("#login", timeout=WAIT_MS)
    await assert_accessible(login_page, "console-login")

    console = await console_page(browser, server, "anna")
    console.on("dialog", lambda dialog: dialog.accept())
    youth = await youth_page(browser, server)
    await assert_accessible(youth, "youth-start")
    await youth.click("#start")
    await youth.wait_for_selector("#queue-place", timeout=WAIT_MS)
    await assert_accessible(youth, "youth-waiting")
    await console.wait_for_selector(".tag .claim", timeout=WAIT_MS)
    await assert_accessible(console, "console-waiting-list")

    await console.click(".tag .claim")
    await youth.wait_for_selector("#who", timeout=WAIT_MS)
    await youth.fill("#message", "hei, voinko kysyä jotain?")
    await youth.click("#send")
    await console.wait_for_selector("article.chat .msg.youth", timeout=WAIT_MS)
    await console.select_option("article.chat .canned select", label="Tervehdys")
    assert "Kiva, että" in await console.locator("article.chat textarea").input_value()
    await console.keyboard.press("Enter")
    await youth.wait_for_selector(".msg.responder", timeout=WAIT_MS)
    await assert_accessible(youth, "youth-chat")
    await assert_accessible(console, "console-chat")

    await console.click("article.chat .end")
    await console.wait_for_selector("#diary-form", timeout=WAIT_MS)
    await console.check("#diary-concern-MOOD")
    await assert_accessible(console, "console-diary-form")
    await youth.wait_for_selector("#feedback", timeout=WAIT_MS)
    await assert_accessible(youth, "youth-ended")
    await youth.click("#feedback-a_little")
    await youth.wait_for_selector("#feedback-thanks", timeout=WAIT_MS)
    await assert_accessible(youth, "youth-ended-thanks")


async def tab_to(page: Page, element_id: str, *, presses: int = 25) -> None:
    """Press Tab until the element has focus (fails after ``presses``)."""
    for _ in range(presses):
        await page.keyboard.press("Tab")
        if await page.evaluate("document.activeElement && document.activeElement.id") == element_id:
            return
    raise AssertionError(f"#{element_id} is not reachable with Tab")


async def test_youth_flow_with_the_keyboard_only(server: LiveServer, browser: Browser) -> None:
    """Start, write, read the answer, end the chat and answer "did this help?" with Tab, Enter
    and typing only; focus is visible and never lost to the page body."""
    await on_duty(server, "anna")
    console = await console_page(browser, server, "anna")
    youth = await youth_page(browser, server)
    await tab_to(youth, "start")
    await youth.keyboard.press("Enter")
    await console.click(".tag .claim", timeout=WAIT_MS)
    await youth.wait_for_selector("#who", timeout=WAIT_MS)
    await tab_to(youth, "message")
    await youth.keyboard.type("tarvitsen apua")
    await youth.keyboard.press("Enter")
    await console.wait_for_selector("article.chat .msg.youth", timeout=WAIT_MS)
    assert await youth.evaluate("document.activeElement.id") == "message"  # focus kept
    await console.fill("article.chat textarea", "kerro lisää")
    await console.keyboard.press("Enter")
    await youth.wait_for_selector(".msg.responder", timeout=WAIT_MS)
    await tab_to(youth, "end")
    await youth.keyboard.press("Enter")
    await youth.wait_for_selector("dialog[open] #end-confirm", timeout=WAIT_MS)
    assert await youth.evaluate("document.activeElement.id") == "end-confirm"
    await youth.keyboard.press("Enter")
    await youth.wait_for_selector("#feedback", timeout=WAIT_MS)
    await tab_to(youth, "feedback-yes")
    outline = await youth.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"  # the focus is visible
    await youth.keyboard.press("Enter")
    await youth.wait_for_selector("#feedback-thanks", timeout=WAIT_MS)
    await tab_to(youth, "again")
