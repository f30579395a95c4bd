"""The youth widget and the responder console, used in real Chromium against a live server."""

from __future__ import annotations

import asyncio
import functools
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, time, timedelta
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
from playwright.async_api import Browser, Page

from chatsupport.domain.roles import Role
from chatsupport.domain.rota import Shift, ShiftRole
from tests.helpers import PASSWORD, add_user
from tests.live import LiveServer
from tests.test_hub import on_duty

NEUTRAL_SITE = "https://yle.fi/"
CLICK_CLAIM = (
    "(() => { const b = document.querySelector('.tag .claim'); b?.click(); return !!b; })()"
)
WAIT_MS = 10_000


@contextmanager
def static_site(directory: Path, port: int) -> Iterator[None]:
    """A plain HTTP server for ``directory`` on loopback, in a thread."""
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(directory))
    site = ThreadingHTTPServer(("127.0.0.1", port), handler)
    thread = threading.Thread(target=site.serve_forever, daemon=True)
    thread.start()
    try:
        yield
    finally:
        site.shutdown()
        site.server_close()


async def youth_page(browser: Browser, server: LiveServer) -> Page:
    context = await browser.new_context(viewport={"width": 390, "height": 780})
    page = await context.new_page()
    await page.route(f"{NEUTRAL_SITE}**", lambda route: route.fulfill(body="<p>sää</p>"))
    await page.goto(server.base + "/")
    await page.wait_for_selector("#start", timeout=WAIT_MS)
    return page


# Counts the console's alerts: each tone it plays and each desktop notification it shows.
COUNT_ALERTS = """
window.__alerts = { sounds: 0, notes: 0 };
const RealAudio = window.AudioContext;
window.AudioContext = class extends RealAudio {
  createOscillator() { window.__alerts.sounds++; return super.createOscillator(); }
};
window.Notification = class {
  static permission = "granted";
  static requestPermission() { return Promise.resolve("granted"); }
  constructor() { window.__alerts.notes++; }
};
"""
HOSTILE = ['<img src=x onerror="window.__pwned=1">', "<script>window.__pwned=1</script>"]


async def console_page(browser: Browser, server: LiveServer, login: str) -> Page:
    context = await browser.new_context(viewport={"width": 1100, "height": 760})
    page = await context.new_page()
    await page.add_init_script(COUNT_ALERTS)
    await page.goto(server.base + "/console/")
    await page.fill("#login", login)
    await page.fill("#password", PASSWORD)
    await page.click("#login-button")
    await page.wait_for_selector("#duty", timeout=WAIT_MS)
    await page.wait_for_selector("#connection.ok", timeout=WAIT_MS)
    return page


async def youth_writes_to(youth: Page, console: Page, text: str) -> None:
    """The youth starts a chat, ``console`` claims it, the youth writes ``text`` and the
    console has it."""
    await youth.click("#start")
    await console.click(".tag .claim", timeout=WAIT_MS)
    await youth.wait_for_selector("#who", timeout=WAIT_MS)
    await youth.fill("#message", text)
    await youth.click("#send")
    await console.wait_for_selector("article.chat .msg.youth", timeout=WAIT_MS)


async def fill_counselling_form(
    console: Page, *, level: int, concerns: tuple[str, ...] = ("MOOD",)
) -> None:
    """Fill the open diary form (not sent): a counselling contact about ``concerns`` (the
    first primary) at concern ``level``, one referral; at level 2-3 no child-protection
    concern."""
    await console.wait_for_selector("#diary-form", timeout=WAIT_MS)
    await console.select_option("#diary-contact_type", "COUNSELLING")
    await console.select_option("#diary-outcome", "COMPLETED")
    await console.select_option("#diary-caller", "SELF")
    await console.select_option("#diary-age_band", "A13_15")
    for code in concerns:
        await console.check(f"#diary-concern-{code}")
    await console.check(f"#diary-primary-{concerns[0]}")
    await console.check(f"#diary-level-{level}")
    if level >= 2:
        await console.check("#diary-cp-no")
    await console.check("#diary-referral-SCHOOL_NURSE")
    await console.select_option("#diary-how-SCHOOL_NURSE", "ENCOURAGED")


async def test_pages_are_served_with_a_strict_policy(server: LiveServer, host_site: str) -> None:
    """The youth page may be framed by the family-centre site; the console by nobody."""
    async with httpx.AsyncClient(base_url=server.base) as client:
        youth = await client.get("/")
        console = await client.get("/console/")
        script = await client.get("/static/youth/youth.js")
        embed = await client.get("/embed.js")
    assert youth.status_code == console.status_code == script.status_code == 200
    assert f"frame-ancestors 'self' {host_site}" in youth.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in console.headers["content-security-policy"]
    assert youth.headers["referrer-policy"] == "no-referrer"
    assert embed.headers["content-type"].startswith("text/javascript")


async def test_pages_and_health_answer_head_as_get_without_a_body(
    server: LiveServer, host_site: str
) -> None:
    """Uptime monitors and proxies often ask with HEAD: the same status and headers as GET
    (the page's policy too), and no body."""
    async with httpx.AsyncClient(base_url=server.base) as client:
        for path in ("/", "/console/", "/coordinator/", "/embed.js", "/healthz", "/readyz"):
            head, get = await client.head(path), await client.get(path)
            assert (head.status_code, get.status_code) == (200, 200), path
            assert head.content == b"", path
            assert head.headers["content-type"] == get.headers["content-type"], path
        youth = await client.head("/")
    assert f"frame-ancestors 'self' {host_site}" in youth.headers["content-security-policy"]


async def test_chat_from_two_browsers_with_a_claim_race(
    server: LiveServer, browser: Browser
) -> None:
    """Youth opens, both on-duty consoles are tagged, both claim at once: one wins, the
    other is told plainly; messages go both ways; a reload keeps the chat."""
    await on_duty(server, "anna")
    await on_duty(server, "bert")
    consoles = [await console_page(browser, server, login) for login in ("anna", "bert")]
    youth = await youth_page(browser, server)

    await youth.click("#start")
    await youth.wait_for_selector("#queue-place", timeout=WAIT_MS)
    for console in consoles:
        await console.wait_for_selector(".tag .claim", timeout=WAIT_MS)
        assert await console.evaluate("document.documentElement.dataset.waiting") == "1"
        alerts = await console.evaluate("window.__alerts")
        assert alerts["sounds"] >= 1 and alerts["notes"] >= 1  # a tone and a notification

    # Both click in the same instant (Playwright's own click waits for the element to settle,
    # and the loser's button may be gone by then, which would be no race at all).
    clicked = await asyncio.gather(*(c.evaluate(CLICK_CLAIM) for c in consoles))
    assert any(clicked)
    for console, did_click in zip(consoles, clicked, strict=True):
        if did_click:
            await console.wait_for_selector("article.chat, #notice", timeout=WAIT_MS)
    winners = [c for c in consoles if await c.locator("article.chat").count() == 1]
    assert len(winners) == 1
    winner = winners[0]
    loser, loser_clicked = next(
        (c, k) for c, k in zip(consoles, clicked, strict=True) if c is not winner
    )
    await loser.wait_for_selector(".tag", state="detached", timeout=WAIT_MS)
    if loser_clicked:
        assert "ehti ensin" in await loser.locator("#notice").inner_text()
    assert await loser.locator("article.chat").count() == 0

    await youth.wait_for_selector("#who", timeout=WAIT_MS)
    assert "ammattilainen" in await youth.locator("#who").inner_text()
    await youth.fill("#message", "Hei, tarvitsen apua")
    await youth.click("#send")
    await winner.wait_for_selector("article.chat .msg.youth", timeout=WAIT_MS)
    assert await youth.locator("#message").input_value() == ""

    await winner.fill("article.chat textarea", "Hei! Kerro lisää.")
    await winner.keyboard.press("Enter")
    await youth.wait_for_selector(".msg.responder", timeout=WAIT_MS)

    await youth.reload()
    await youth.wait_for_selector(".msg.responder", timeout=WAIT_MS)
    texts = await youth.locator(".msg .text").all_inner_texts()
    assert texts == ["Hei, tarvitsen apua", "Hei! Kerro lisää."]

    # Markup from either side is shown as text and never runs.
    for hostile in HOSTILE:
        await youth.fill("#message", hostile)
        await youth.click("#send")
    await winner.fill("article.chat textarea", HOSTILE[0])
    await winner.keyboard.press("Enter")
    await youth.wait_for_selector(".msg.responder >> nth=1", timeout=WAIT_MS)
    await winner.wait_for_selector("article.chat .msg.youth >> nth=2", timeout=WAIT_MS)
    youth_texts = await youth.locator(".msg .text").all_inner_texts()
    assert youth_texts[-3:] == [*HOSTILE, HOSTILE[0]]
    console_texts = await winner.locator("article.chat .msg").all_inner_texts()
    assert console_texts[-3:] == [
        f"Nuori: {HOSTILE[0]}",
        f"Nuori: {HOSTILE[1]}",
        f"Sinä: {HOSTILE[0]}",
    ]
    for page in (youth, winner):
        assert await page.evaluate("window.__pwned") is None
        assert await page.locator(".msg img, .msg script").count() == 0
    stored = await youth.evaluate("sessionStorage.getItem('chatsupport.youth')")
    assert "tarvitsen" not in stored  # only the token and language are kept in the tab


async def test_quick_exit_by_shift_three_times(server: LiveServer, browser: Browser) -> None:
    """Shift pressed three times: off to a neutral site, chat forgotten, responder told."""
    await on_duty(server, "anna")
    console = await console_page(browser, server, "anna")
    youth = await youth_page(browser, server)
    await youth.click("#start")
    await console.click(".tag .claim", timeout=WAIT_MS)
    await youth.wait_for_selector("#who", timeout=WAIT_MS)

    for _ in range(3):
        await youth.keyboard.press("Shift")
    await youth.wait_for_url(f"{NEUTRAL_SITE}**", timeout=WAIT_MS)
    await console.wait_for_selector("article.chat .ended", timeout=WAIT_MS)
    assert "pikapoistuminen" in await console.locator("article.chat .ended").inner_text()
    assert await youth.evaluate("sessionStorage.length") == 0
    await youth.go_back()
    assert not youth.url.startswith(server.base)  # the chat page was replaced in history


async def test_quick_exit_is_first_in_keyboard_order(server: LiveServer, browser: Browser) -> None:
    """A keyboard user reaches "leave quickly" with the first Tab, in every language."""
    await on_duty(server, "anna")  # open, so the start screen stays
    youth = await youth_page(browser, server)
    for lang, label in (("fi", "Poistu nopeasti"), ("sv", "Lämna snabbt"), ("en", "Leave quickly")):
        await youth.goto(f"{server.base}/?lang={lang}")
        await youth.wait_for_selector("#start", timeout=WAIT_MS)
        await youth.keyboard.press("Tab")
        focused = await youth.evaluate("document.activeElement.textContent")
        assert focused == label
        assert await youth.evaluate("document.documentElement.lang") == lang


async def test_widget_embeds_in_the_family_centre_site(
    server: LiveServer, browser: Browser, host_site: str, tmp_path: Path
) -> None:
    """The one-line snippet on another origin opens the chat in a frame."""
    await on_duty(server, "anna")  # open, so the start screen stays
    snippet = f'<script src="{server.base}/embed.js" data-lang="sv"></script>'
    (tmp_path / "index.html").write_text(f"<html><body><h1>Perhekeskus</h1>{snippet}</body></html>")
    port = int(host_site.rsplit(":", 1)[1])
    with static_site(tmp_path, port):
        page = await (await browser.new_context()).new_page()
        await page.goto(f"{host_site}/")
        await page.click("text=Chatt")
        frame = page.frame_locator("iframe")
        await frame.locator("#start").wait_for(timeout=WAIT_MS)
        assert await frame.locator("#start").inner_text() == "Börja chatta"


async def test_console_refuses_a_wrong_password(server: LiveServer, browser: Browser) -> None:
    """A wrong password shows an error and no console."""
    await on_duty(server, "anna", Role.PROFESSIONAL)
    page = await (await browser.new_context()).new_page()
    await page.goto(server.base + "/console/")
    await page.fill("#login", "anna")
    await page.fill("#password", "wrong password here")
    await page.click("#login-button")
    await page.wait_for_selector("#login-error:not(:empty)", timeout=WAIT_MS)
    assert await page.locator("#duty").count() == 0


FI_WEEKDAYS = ["ma", "ti", "ke", "to", "pe", "la", "su"]


async def dated_shift(server: LiveServer, responder_id: int, day: date, ends: time) -> None:
    """A professional's shift on ``day`` from 00:00 to ``ends`` (00:00: to midnight)."""
    await server.runtime.rota.save_shift(
        Shift(
            id=0,
            role=ShiftRole.PROFESSIONAL,
            starts=time(0, 0),
            ends=ends,
            responder_ids=frozenset({responder_id}),
            on_date=day,
            ends_next_day=ends == time(0, 0),
        )
    )
    server.runtime.hub.invalidate_on_duty()


async def test_a_shift_to_midnight_ends_at_24(server: LiveServer, browser: Browser) -> None:
    """The console's status bar says a shift running to midnight ends "klo 24.00": "klo
    00.00", read during the shift, looked as if it had already ended."""
    rt = server.runtime
    anna = await add_user(rt, "anna", Role.PROFESSIONAL)
    today = rt.clock.now().astimezone(rt.rota.settings.zone).date()
    await dated_shift(server, anna, today, time(0))
    page = await console_page(browser, server, "anna")
    assert (await page.inner_text("#duty")).endswith("vuoro päättyy klo 24.00")


async def test_a_duty_ending_tomorrow_names_the_day(server: LiveServer, browser: Browser) -> None:
    """Back-to-back shifts chain into one duty: today to midnight, then tomorrow to 02:00 ends
    "tomorrow at 02.00", which the status bar must not show as if it were today."""
    rt = server.runtime
    anna = await add_user(rt, "anna", Role.PROFESSIONAL)
    today = rt.clock.now().astimezone(rt.rota.settings.zone).date()
    tomorrow = today + timedelta(days=1)
    await dated_shift(server, anna, today, time(0))
    await dated_shift(server, anna, tomorrow, time(2))
    page = await console_page(browser, server, "anna")
    when = f"{FI_WEEKDAYS[tomorrow.weekday()]} {tomorrow.day}.{tomorrow.month}. klo 02.00"
    assert (await page.inner_text("#duty")).endswith(f"vuoro päättyy {when}")
