"""The youth page after the exploratory review of 2026-11-27 (/tmp/rev_youth/findings.md): each
test drives real Chromium against a live server and fails on the page as it was reviewed."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, Page

from chatsupport.broker.limit_store import MemoryLimitStore
from tests.helpers import PASSWORD
from tests.live import LiveServer
from tests.test_hub import on_duty
from tests.test_web import NEUTRAL_SITE, WAIT_MS, console_page, youth_page
from tests.web_checks import assert_accessible, screenshot, web_server

ANNOUNCER = "document.getElementById('announcer').textContent"
FOCUSED = "document.activeElement && (document.activeElement.id || document.activeElement.tagName)"


async def active_chat(browser: Browser, server: LiveServer) -> tuple[Page, Page]:
    """An on-duty professional's console and a youth whose chat it claimed."""
    await on_duty(server, "anna")
    console = await console_page(browser, server, "anna")
    youth = await youth_page(browser, server)
    await youth.click("#start")
    await console.click(".tag .claim", timeout=WAIT_MS)
    await youth.wait_for_selector("#who", timeout=WAIT_MS)
    return youth, console


async def console_says(console: Page, text: str) -> None:
    await console.fill("article.chat textarea", text)
    await console.keyboard.press("Enter")


async def wait_announced(page: Page, text: str) -> None:
    await page.wait_for_function(
        f"() => {ANNOUNCER}.includes({text!r})", timeout=WAIT_MS, polling=50
    )


# --- 1. quick exit by Shift x3 ------------------------------------------------------------


async def test_typing_capitals_and_shift_tab_do_not_leave(
    server: LiveServer, browser: Browser
) -> None:
    """Capitals typed fast and Shift+Tab three times are not "Shift pressed 3 times"; bare
    Shift presses are, in the message box too, with feedback after the first ones."""
    await on_duty(server, "anna")
    youth = await youth_page(browser, server)
    await youth.click("#start")
    await youth.wait_for_selector("#queue-place", timeout=WAIT_MS)
    await youth.click("#message")
    for char in "Isä Ja Äiti riitelee":
        if char.isupper():
            await youth.keyboard.down("Shift")
            await youth.keyboard.type(char)  # "Ä" arrives as text, without a keydown
            await youth.keyboard.up("Shift")
        else:
            await youth.keyboard.type(char)
        await youth.wait_for_timeout(120)
    assert await youth.locator("#message").input_value() == "Isä Ja Äiti riitelee"
    for _ in range(3):
        await youth.keyboard.press("Shift+Tab")
        await youth.wait_for_timeout(400)
    await youth.wait_for_timeout(300)
    assert youth.url.startswith(server.base)
    assert await youth.locator("#queue-title").count() == 1

    # Two bare presses: visible feedback; the window passes: the count starts again.
    await youth.focus("#message")
    await youth.keyboard.press("Shift")
    await youth.keyboard.press("Shift")
    hint = youth.locator("#shift-hint")
    await hint.wait_for(state="visible", timeout=WAIT_MS)
    assert "Shift" in await hint.inner_text()
    await screenshot(youth, "youth-review-shift-twice")
    await youth.wait_for_timeout(1700)
    assert await hint.is_hidden()
    await youth.keyboard.press("Shift")
    await youth.wait_for_timeout(300)
    assert youth.url.startswith(server.base)

    # Three bare presses in the message box: gone.
    await youth.wait_for_timeout(1600)
    for _ in range(3):
        await youth.keyboard.press("Shift")
    await youth.wait_for_url(f"{NEUTRAL_SITE}**", timeout=WAIT_MS)


async def someone_waits(browser: Browser, server: LiveServer) -> Page:
    """Another young person opened a chat and waits in the queue: their page."""
    first = await youth_page(browser, server)
    await first.click("#start")
    await first.wait_for_selector("#queue-place", timeout=WAIT_MS)
    return first


# --- 2. a refused new chat ---------------------------------------------------------------


async def test_a_full_queue_is_said_plainly_with_112_and_a_way_back(
    tmp_path: Path, browser: Browser
) -> None:
    """queue.full on open: not "Yhdistetään…" forever but a plain message, 112 as a link, the
    always-open services, and a button back to the start."""
    async with web_server(tmp_path, None, max_waiting_chats=1) as server:
        await on_duty(server, "anna")
        await someone_waits(browser, server)
        youth = await youth_page(browser, server)
        await youth.click("#start")
        await youth.wait_for_selector("#refused", timeout=WAIT_MS)
        assert "ruuhka" in (await youth.locator("#refused-title").inner_text()).lower()
        assert await youth.get_attribute("#refused-call-112", "href") == "tel:112"
        assert "112" in await youth.locator("#services").inner_text()
        assert await youth.evaluate(FOCUSED) == "refused-title"
        await assert_accessible(youth, "youth-review-queue-full")
        await youth.click("#refused-back")
        await youth.wait_for_selector("#start", timeout=WAIT_MS)
        assert await youth.evaluate(FOCUSED) == "start"


async def test_too_many_chats_from_one_network_is_said_in_the_childs_language(
    tmp_path: Path, browser: Browser
) -> None:
    """rate.too_many_chats (a shared school network, or a block): in English for an English
    page, with 112; the refused socket does not keep asking."""
    async with web_server(tmp_path, None, youth_chats_per_key_per_hour=1) as server:
        await on_duty(server, "anna")
        await someone_waits(browser, server)
        youth = await youth_page(browser, server)
        await youth.goto(f"{server.base}/?lang=en")
        await youth.wait_for_selector("#start", timeout=WAIT_MS)
        await youth.click("#start")
        await youth.wait_for_selector("#refused", timeout=WAIT_MS)
        text = await youth.locator("#refused").inner_text()
        assert "cannot start" in text and "112" in text and "Back to the start" in text
        await screenshot(youth, "youth-review-too-many-chats-en")


# --- 3. the message rate limit -------------------------------------------------------------


async def test_messages_over_the_rate_limit_are_kept_and_sent_later(
    tmp_path: Path, browser: Browser
) -> None:
    """Past the per-minute limit the messages wait (the child is told calmly), are sent
    again when the minute is over, reach the adult once each and in order."""
    async with web_server(tmp_path, None, youth_messages_per_minute=3) as server:
        youth, console = await active_chat(browser, server)
        for n in range(1, 6):
            await youth.fill("#message", f"viesti {n}")
            await youth.press("#message", "Enter")
        await youth.wait_for_selector("#slow-notice", timeout=WAIT_MS)
        assert "eivät katoa" in await youth.locator("#slow-notice").inner_text()
        assert await youth.locator(".msg.pending").count() == 2
        assert await youth.locator(".error").count() == 0  # not "Jokin meni vikaan"
        await screenshot(youth, "youth-review-rate-limited")
        # a message written meanwhile waits behind them
        await youth.fill("#message", "viesti 6")
        await youth.press("#message", "Enter")
        assert await youth.locator(".msg.pending").count() == 3
        # The minute is over (the counter is forgotten rather than waiting for it).
        store = server.runtime.limits.message_store
        assert isinstance(store, MemoryLimitStore)
        store._counts.clear()
        await youth.wait_for_selector(".msg.pending", state="detached", timeout=15_000)
        await youth.wait_for_selector("#slow-notice", state="detached", timeout=WAIT_MS)
        await console.wait_for_selector("article.chat .msg.youth >> nth=5", timeout=WAIT_MS)
        texts = await console.locator("article.chat .msg.youth").all_inner_texts()
        assert [t.removeprefix("Nuori: ") for t in texts] == [f"viesti {n}" for n in range(1, 7)]
        youth_texts = await youth.locator(".msg.youth .text").all_inner_texts()
        assert youth_texts == [f"viesti {n}" for n in range(1, 7)]


# --- 4. the adult's typing notice -------------------------------------------------------------


async def test_typing_notice_goes_when_the_adult_stops(
    server: LiveServer, browser: Browser
) -> None:
    """The adult starts a reply and leaves it: the notice goes after some seconds, even when
    no "stopped typing" frame ever comes (the console's own idle frame is held back here)."""
    await on_duty(server, "anna")
    context = await browser.new_context(viewport={"width": 1100, "height": 760})
    console = await context.new_page()

    def without_typing_stop(ws: Any) -> None:
        server_side = ws.connect_to_server()

        def to_server(message: Any) -> None:
            if '"typing"' in str(message) and '"active":false' in str(message).replace(" ", ""):
                return
            server_side.send(message)

        ws.on_message(to_server)
        server_side.on_message(lambda message: ws.send(message))

    await console.route_web_socket("**/ws/responder", without_typing_stop)
    await console.goto(server.base + "/console/")
    await console.fill("#login", "anna")
    await console.fill("#password", PASSWORD)
    await console.click("#login-button")
    await console.wait_for_selector("#connection.ok", timeout=WAIT_MS)
    youth = await youth_page(browser, server)
    await youth.click("#start")
    await console.click(".tag .claim", timeout=WAIT_MS)
    await youth.wait_for_selector("#who", timeout=WAIT_MS)
    await console.fill("article.chat textarea", "Hmm, mietin")
    await youth.wait_for_function(
        "() => document.getElementById('typing').textContent !== ''", timeout=WAIT_MS
    )
    await console.fill("article.chat textarea", "")
    await youth.wait_for_function(
        "() => document.getElementById('typing').textContent === ''", timeout=12_000
    )


# --- 5. a dead connection ---------------------------------------------------------------------

SAW_BANNER = """
window.__sawBanner = false;
new MutationObserver(() => {
  if (document.querySelector("main > .notice[role=status]")) window.__sawBanner = true;
}).observe(document, { childList: true, subtree: true });
"""


async def test_going_offline_shows_the_banner_and_nothing_is_lost(
    server: LiveServer, browser: Browser
) -> None:
    """The browser goes offline: the banner shows at once; a message written meanwhile
    arrives once, when the network is back."""
    youth, console = await active_chat(browser, server)
    await youth.context.set_offline(True)
    banner = youth.locator("main > .notice[role=status]")
    await banner.wait_for(timeout=3000)
    assert "Yhteys katkesi" in await banner.inner_text()
    await youth.fill("#message", "oletko siellä")
    await youth.press("#message", "Enter")
    await screenshot(youth, "youth-review-offline")
    await youth.wait_for_timeout(1500)
    await youth.context.set_offline(False)
    await banner.wait_for(state="detached", timeout=WAIT_MS)
    await console.wait_for_selector("article.chat .msg.youth", timeout=WAIT_MS)
    await console_says(console, "olen täällä")
    await youth.wait_for_selector(".msg.responder", timeout=WAIT_MS)
    await youth.wait_for_selector(".msg.pending", state="detached", timeout=WAIT_MS)
    assert await youth.locator(".msg .text").all_inner_texts() == ["oletko siellä", "olen täällä"]
    assert await console.locator("article.chat .msg.youth").count() == 1


async def test_an_unacknowledged_message_means_a_dead_socket(
    server: LiveServer, browser: Browser
) -> None:
    """The first socket goes silent both ways (a phone that lost its signal): a message
    unacknowledged for ~10 s shows the banner, a new socket resumes, and the message
    reaches the adult once."""
    await on_duty(server, "anna")
    console = await console_page(browser, server, "anna")
    context = await browser.new_context(viewport={"width": 390, "height": 780})
    youth = await context.new_page()
    await youth.add_init_script(SAW_BANNER)
    sockets: list[Any] = []
    dead: set[int] = set()

    def proxy(ws: Any) -> None:
        number = len(sockets)
        sockets.append(ws)
        server_side = ws.connect_to_server()

        def to_server(message: Any) -> None:
            if number not in dead:
                server_side.send(message)

        def to_page(message: Any) -> None:
            if number not in dead:
                ws.send(message)

        ws.on_message(to_server)
        server_side.on_message(to_page)

    await youth.route_web_socket("**/ws/youth", proxy)
    await youth.goto(server.base + "/")
    await youth.click("#start")
    await console.click(".tag .claim", timeout=WAIT_MS)
    await youth.wait_for_selector("#who", timeout=WAIT_MS)
    await youth.evaluate("window.__sawBanner = false")
    dead.add(len(sockets) - 1)
    await youth.fill("#message", "kuuluuko")
    await youth.press("#message", "Enter")
    await youth.wait_for_function("() => window.__sawBanner", timeout=15_000)
    await console.wait_for_selector("article.chat .msg.youth", timeout=WAIT_MS)
    await youth.wait_for_selector(".msg.pending", state="detached", timeout=WAIT_MS)
    assert len(sockets) >= 2
    await console_says(console, "kuuluu")
    await youth.wait_for_selector(".msg.responder", timeout=WAIT_MS)
    await asyncio.sleep(0.5)
    assert await youth.locator(".msg .text").all_inner_texts() == ["kuuluuko", "kuuluu"]
    assert await console.locator("article.chat .msg.youth").count() == 1


# --- 6. screen readers: announcements and focus ---------------------------------------------


async def test_queue_places_and_the_end_are_announced_and_focus_is_kept(
    server: LiveServer, browser: Browser
) -> None:
    """Start moves focus to the new screen (not the body); a change of queue place and the end
    of the chat go to the live region; at the end focus is on its heading."""
    await on_duty(server, "anna")
    console = await console_page(browser, server, "anna")
    first = await someone_waits(browser, server)
    youth = await youth_page(browser, server)
    await youth.focus("#start")
    await youth.keyboard.press("Enter")
    await youth.wait_for_selector("#queue-place", timeout=WAIT_MS)
    assert await youth.evaluate(FOCUSED) == "queue-title"
    await wait_announced(youth, "Ennen sinua jonossa: 1.")
    assert await youth.locator("[aria-live]").count() == 1  # the announcer only

    await first.click("#end")  # the one before leaves
    await first.click("#end-confirm")
    await wait_announced(youth, "Olet seuraavana vuorossa.")
    await console.click(".tag .claim", timeout=WAIT_MS)
    await youth.wait_for_selector("#who", timeout=WAIT_MS)
    await youth.focus("#message")
    console.on("dialog", lambda dialog: dialog.accept())  # "Lopetetaanko chat?"
    await console.click("article.chat .end")
    await youth.wait_for_selector("#ended", timeout=WAIT_MS)
    await wait_announced(youth, "Aikuinen lopetti chatin.")
    assert await youth.evaluate(FOCUSED) == "ended"


async def test_urgent_start_moves_focus_to_112(server: LiveServer, browser: Browser) -> None:
    """ "I need help now" with the keyboard: focus lands on the 112 text, not the body."""
    await on_duty(server, "anna")
    youth = await youth_page(browser, server)
    await youth.focus("#start-urgent")
    await youth.keyboard.press("Enter")
    await youth.wait_for_selector("#urgent-help", timeout=WAIT_MS)
    assert await youth.evaluate(FOCUSED) == "urgent-title"
    await youth.keyboard.press("Tab")
    assert await youth.evaluate(FOCUSED) == "call-112"


async def test_ending_from_the_youth_side_focuses_the_end(
    server: LiveServer, browser: Browser
) -> None:
    youth, _console = await active_chat(browser, server)
    await youth.click("#end")
    await youth.click("#end-confirm")
    await youth.wait_for_selector("#ended", timeout=WAIT_MS)
    await wait_announced(youth, "Chat päättyi.")
    await youth.wait_for_function("() => document.activeElement.id === 'ended'", timeout=WAIT_MS)


# --- 7. scrolling ---------------------------------------------------------------------------------


async def test_the_list_stays_where_the_child_reads(server: LiveServer, browser: Browser) -> None:
    """Scrolled up to re-read: typing and new messages do not pull the list down; at the
    bottom it follows new messages."""
    youth, console = await active_chat(browser, server)
    for n in range(12):
        await console_says(console, f"Rivi {n}\n" * 3)
    await youth.wait_for_selector(".msg.responder >> nth=11", timeout=WAIT_MS)
    at_bottom = (
        "(() => { const l = document.getElementById('messages');"
        " return l.scrollHeight - l.scrollTop - l.clientHeight < 5; })()"
    )
    assert await youth.evaluate(at_bottom)
    await youth.evaluate("document.getElementById('messages').scrollTop = 0")
    await console.fill("article.chat textarea", "kirjoitan")
    await youth.wait_for_function(
        "() => document.getElementById('typing').textContent !== ''", timeout=WAIT_MS
    )
    assert await youth.evaluate("document.getElementById('messages').scrollTop") == 0
    await console.keyboard.press("Enter")
    await youth.wait_for_selector(".msg.responder >> nth=12", timeout=WAIT_MS)
    assert await youth.evaluate("document.getElementById('messages').scrollTop") == 0
    await screenshot(youth, "youth-review-new-below")
    await youth.click("#new-below")  # "Uusi viesti alempana": to the end, and it goes
    assert await youth.evaluate(at_bottom)
    assert await youth.locator("#new-below").count() == 0
    assert await youth.evaluate(FOCUSED) == "messages"
    await console_says(console, "uusi")
    await youth.wait_for_selector(".msg.responder >> nth=13", timeout=WAIT_MS)
    assert await youth.evaluate(at_bottom)


# --- 8. smaller findings --------------------------------------------------------------------


async def test_a_long_paste_is_not_cut_silently(server: LiveServer, browser: Browser) -> None:
    """5,000 characters pasted: kept whole, the child is told it is too long, nothing sent."""
    youth, console = await active_chat(browser, server)
    await youth.focus("#message")
    await youth.keyboard.insert_text("a" * 5000)
    assert len(await youth.locator("#message").input_value()) == 5000
    count = youth.locator("#message-count")
    await count.wait_for(state="visible", timeout=WAIT_MS)
    assert "liian pitkä" in await count.inner_text()
    await youth.click("#send")
    assert await youth.locator(".msg.youth").count() == 0
    assert len(await youth.locator("#message").input_value()) == 5000
    await screenshot(youth, "youth-review-too-long")
    await youth.fill("#message", "a" * 3900)
    await youth.dispatch_event("#message", "input")
    assert "3900 / 4000" in await count.inner_text()
    await youth.click("#send")
    await console.wait_for_selector("article.chat .msg.youth", timeout=WAIT_MS)


async def test_the_quick_exit_help_does_not_look_like_the_exit(
    server: LiveServer, browser: Browser
) -> None:
    await on_duty(server, "anna")
    youth = await youth_page(browser, server)
    for lang, label in (("fi", "Miten poistun"), ("sv", "Hur lämnar"), ("en", "How do I leave")):
        await youth.goto(f"{server.base}/?lang={lang}")
        await youth.wait_for_selector("#start", timeout=WAIT_MS)
        assert label in await youth.locator("details summary").inner_text()


async def test_crisis_numbers_can_be_tapped(server: LiveServer, browser: Browser) -> None:
    """112 and the crisis line's number in the always-open services are tel: links."""
    page = await (await browser.new_context(viewport={"width": 360, "height": 640})).new_page()
    await page.goto(server.base + "/")  # closed: the services list is shown
    await page.wait_for_selector("#services", timeout=WAIT_MS)
    assert await page.locator("footer a[href='tel:112']").count() == 1
    assert await page.locator("#services a[href='tel:0925250111']").inner_text() == "09 2525 0111"
    await assert_accessible(page, "youth-review-closed-tel-links")


async def test_200_percent_text_at_320_px_does_not_scroll_sideways(
    server: LiveServer, browser: Browser
) -> None:
    """WCAG 1.4.4 / 1.4.10: with the text twice as big the header wraps, and the language
    menu stays on the screen."""
    await on_duty(server, "anna")
    page = await (await browser.new_context(viewport={"width": 320, "height": 568})).new_page()
    await page.goto(server.base + "/")
    await page.wait_for_selector("#start", timeout=WAIT_MS)
    await page.evaluate("document.documentElement.style.fontSize = '34px'")  # 200 %
    await page.wait_for_timeout(200)
    await screenshot(page, "youth-review-text200-320")
    assert await page.evaluate("document.documentElement.scrollWidth") <= 320
    box = await page.locator("#lang").bounding_box()
    assert box is not None and box["x"] + box["width"] <= 320
    # a header over a third of the screen tall does not stay over what the child reads
    await page.evaluate("window.dispatchEvent(new Event('resize'))")
    position = "getComputedStyle(document.querySelector('header.top')).position"
    assert await page.evaluate(position) == "static"


async def test_focus_is_not_hidden_under_the_header_on_a_short_screen(
    server: LiveServer, browser: Browser
) -> None:
    """WCAG 2.4.11: at 360x330 (landscape, the keyboard open) in English, the focused message
    box is below the sticky header, also after a message arrives."""
    await on_duty(server, "anna")
    console = await console_page(browser, server, "anna")
    page = await (await browser.new_context(viewport={"width": 360, "height": 330})).new_page()
    await page.goto(server.base + "/?lang=en")
    await page.wait_for_selector("#start", timeout=WAIT_MS)
    await page.click("#start")
    await console.click(".tag .claim", timeout=WAIT_MS)
    await page.wait_for_selector("#who", timeout=WAIT_MS)
    for n in range(4):
        await console_says(console, f"Answer {n}")
    await page.wait_for_selector(".msg.responder >> nth=3", timeout=WAIT_MS)
    await page.focus("#message")
    await console_says(console, "one more")
    await page.wait_for_selector(".msg.responder >> nth=4", timeout=WAIT_MS)
    await screenshot(page, "youth-review-short-screen-focus")
    header = await page.locator("header.top").bounding_box()
    box = await page.locator("#message").bounding_box()
    assert header is not None and box is not None
    assert header["height"] < 80
    assert box["y"] >= header["y"] + header["height"] - 1


@pytest.mark.parametrize("path", ["/", "/console/", "/coordinator/"])
async def test_no_page_asks_for_anything_that_is_not_there(
    server: LiveServer, browser: Browser, path: str
) -> None:
    """Loading a page makes no request that fails. (Headless Chromium asks for no favicon,
    so this does not show the favicon fix itself: the pages now name an empty icon, so that a
    desktop browser does not ask for /favicon.ico and get a 404.)"""
    context = await browser.new_context()
    page = await context.new_page()
    failed: list[str] = []
    page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
    await page.goto(server.base + path, wait_until="networkidle")
    await page.wait_for_timeout(300)
    await context.close()
    assert [url for url in failed if "/api/auth/me" not in url] == []  # 401: not signed in
