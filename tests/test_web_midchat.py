"""Mid-chat, in real Chromium:

* a socket that dies without closing (a phone that lost its signal) is found by the pages'
  heartbeat even when the page only listens (docs/protocol.md, "Heartbeat"); the page's own
  clock is fake there, so its 25 s + 10 s pass in a moment;
* a young person who switches language mid-chat: the adult's console shows it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from playwright.async_api import Browser, Page

from tests.helpers import PASSWORD
from tests.live import LiveServer
from tests.test_hub import on_duty
from tests.test_web import NEUTRAL_SITE, WAIT_MS, console_page, youth_page
from tests.test_web_youth_review import active_chat
from tests.web_checks import assert_accessible, screenshot

PAST_THE_HEARTBEAT_MS = 40_000  # 25 s quiet, then 10 s without a pong, with room


class Sockets:
    """Every socket a page opens on ``path``, relayed by Playwright; ``kill_latest()`` makes
    the newest one silent both ways without closing it. Counts the pings that reach the
    server."""

    def __init__(self) -> None:
        self.count = 0
        self.dead: set[int] = set()
        self.pings = 0

    def kill_latest(self) -> None:
        self.dead.add(self.count - 1)

    def relay(self, ws: Any) -> None:
        number = self.count
        self.count += 1
        server_side = ws.connect_to_server()

        def to_server(message: Any) -> None:
            if number in self.dead:
                return
            if isinstance(message, str) and '"ping"' in message:
                self.pings += 1
            server_side.send(message)

        def to_page(message: Any) -> None:
            if number not in self.dead:
                ws.send(message)

        ws.on_message(to_server)
        server_side.on_message(to_page)


async def until(check: Callable[[], bool], secs: float = 10.0) -> None:
    async with asyncio.timeout(secs):
        while not check():
            await asyncio.sleep(0.05)


async def relayed_console(browser: Browser, server: LiveServer, login: str) -> tuple[Page, Sockets]:
    """A signed-in console on a fake clock, its sockets relayed through ``Sockets``."""
    context = await browser.new_context(viewport={"width": 1100, "height": 760})
    page = await context.new_page()
    await page.clock.install()
    sockets = Sockets()
    await page.route_web_socket("**/ws/responder", sockets.relay)
    await page.goto(server.base + "/console/")
    await page.fill("#login", login)
    await page.fill("#password", PASSWORD)
    await page.click("#login-button")
    await page.wait_for_selector("#connection.ok", timeout=WAIT_MS)
    return page, sockets


async def test_a_youth_who_only_reads_gets_the_answer_after_a_silent_drop(
    server: LiveServer, browser: Browser
) -> None:
    """The youth's socket goes silent while the adult answers. The page has sent nothing, so
    no unacknowledged message can tell; the heartbeat does: a ping, no pong, a new socket, a
    resume, and the answer shows once."""
    await on_duty(server, "anna")
    console = await console_page(browser, server, "anna")
    context = await browser.new_context(viewport={"width": 390, "height": 780})
    youth = await context.new_page()
    await youth.clock.install()
    sockets = Sockets()
    await youth.route_web_socket("**/ws/youth", sockets.relay)
    await youth.route(f"{NEUTRAL_SITE}**", lambda route: route.fulfill(body="<p>sää</p>"))
    await youth.goto(server.base + "/")
    await youth.click("#start")
    await console.click(".tag .claim", timeout=WAIT_MS)
    await youth.wait_for_selector("#who", timeout=WAIT_MS)

    sockets.kill_latest()
    await console.fill("article.chat textarea", "oletko vielä siellä?")
    await console.keyboard.press("Enter")
    await console.wait_for_selector("article.chat .msg.responder", timeout=WAIT_MS)
    await youth.clock.run_for(20_000)  # quiet, but not long enough to ask
    assert sockets.pings == 0 and sockets.count == 1
    await youth.clock.run_for(PAST_THE_HEARTBEAT_MS - 20_000)
    await until(lambda: sockets.count >= 2)
    await youth.wait_for_selector(".msg.responder", timeout=WAIT_MS)
    await screenshot(youth, "youth-heartbeat-resumed")
    assert await youth.locator(".msg .text").all_inner_texts() == ["oletko vielä siellä?"]


async def test_a_live_quiet_socket_is_kept(server: LiveServer, browser: Browser) -> None:
    """A quiet but live socket answers the ping and stays: no reconnect, no banner."""
    await on_duty(server, "anna")
    page, sockets = await relayed_console(browser, server, "anna")
    # Two minutes of the page's time, a second at a time with a real pause after each, so
    # that a pong has the real time it needs (a fake minute in one go would outrun it).
    for _ in range(120):
        await page.clock.run_for(1000)
        await asyncio.sleep(0.05)
    await until(lambda: sockets.pings >= 2)
    assert sockets.count == 1
    assert await page.locator("#connection.ok").count() == 1


async def test_a_listening_console_gets_the_tag_after_a_silent_drop(
    server: LiveServer, browser: Browser
) -> None:
    """The console's socket goes silent; a young person opens a chat meanwhile. The
    heartbeat finds the dead socket, the console connects again and shows the tag."""
    await on_duty(server, "anna")
    console, sockets = await relayed_console(browser, server, "anna")

    sockets.kill_latest()
    youth = await youth_page(browser, server)
    await youth.click("#start")
    await youth.wait_for_selector("#queue-place", timeout=WAIT_MS)
    assert await console.locator(".tag").count() == 0
    await console.clock.run_for(PAST_THE_HEARTBEAT_MS)
    await until(lambda: sockets.count >= 2)
    await console.wait_for_selector(".tag .claim", timeout=WAIT_MS)
    await console.click(".tag .claim")
    await youth.wait_for_selector("#who", timeout=WAIT_MS)


async def test_a_language_switch_mid_chat_shows_in_the_console(
    server: LiveServer, browser: Browser
) -> None:
    """The youth switches to Swedish: the adult's chat says so (and the screen reader
    hears it), with a word on handing it on when she does not answer in Swedish, and its
    header shows SV; after a reload the chat still says she does not answer in Swedish."""
    youth, console = await active_chat(browser, server)
    await youth.select_option("#lang", "sv")
    note = console.locator("article.chat .lang-note")
    await note.wait_for(timeout=WAIT_MS)
    assert await note.inner_text() == (  # Anna answers in Finnish only
        "Nuori vaihtoi kielen: ruotsi (SV). Et vastaa tällä kielellä: voit siirtää chatin toiselle."
    )
    assert "· SV" in await console.locator("article.chat h3").inner_text()
    await console.wait_for_function(
        "() => document.getElementById('announcer').textContent.includes('ruotsi')",
        timeout=WAIT_MS,
    )
    await assert_accessible(console, "console-language-switched")
    await console.reload()  # still said: the chat is in a language she does not answer in
    await console.wait_for_selector("article.chat .lang-note", timeout=WAIT_MS)
    assert await console.locator("article.chat .lang-note").inner_text() == (
        "Chat on kielellä ruotsi (SV), jolla et vastaa: voit siirtää chatin toiselle."
    )
