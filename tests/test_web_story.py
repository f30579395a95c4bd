"""The whole story in real browsers: a youth opens the widget on the family-centre site, two
consoles are tagged, both claim and one wins, messages go both ways, the youth reloads and
goes on, the responder ends and files the diary form, the youth answers "did this help?", and
the coordinator sees the contact in the statistics and downloads the CSV export."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import timedelta
from pathlib import Path

import httpx
from playwright.async_api import Browser, Page
from sqlalchemy import select

from chatsupport.domain.roles import Role
from chatsupport.storage.tables import DiaryRecordRow
from tests.helpers import add_user, login
from tests.live import LiveServer
from tests.test_hub import on_duty
from tests.test_web import (
    CLICK_CLAIM,
    WAIT_MS,
    console_page,
    fill_counselling_form,
    static_site,
)
from tests.web_checks import screenshot


async def embedded_youth(browser: Browser, server: LiveServer, host_site: str, site: Path) -> Page:
    """The family centre's page with the one-line snippet; returns the chat frame's page."""
    snippet = f'<script src="{server.base}/embed.js" data-lang="fi"></script>'
    (site / "index.html").write_text(f"<html><body><h1>Perhekeskus</h1>{snippet}</body></html>")
    page = await (await browser.new_context(viewport={"width": 390, "height": 780})).new_page()
    await page.goto(f"{host_site}/")
    await page.click("text=Chat")
    return page


async def claim_race(consoles: list[Page]) -> tuple[Page, Page]:
    """Both consoles click claim in the same instant; returns (winner, loser)."""
    for console in consoles:
        await console.wait_for_selector(".tag .claim", timeout=WAIT_MS)
    clicked = await asyncio.gather(*(c.evaluate(CLICK_CLAIM) for c in consoles))
    assert any(clicked)
    for console in consoles:
        await console.wait_for_selector("article.chat, #notice, .tag >> nth=-1", timeout=WAIT_MS)
    await asyncio.sleep(0.5)
    winners = [c for c in consoles if await c.locator("article.chat").count() == 1]
    assert len(winners) == 1
    loser = next(c for c in consoles if c is not winners[0])
    await loser.wait_for_selector(".tag", state="detached", timeout=WAIT_MS)
    return winners[0], loser


async def fill_diary(console: Page) -> None:
    await console.wait_for_selector("#diary-form", timeout=WAIT_MS)
    assert "(1)" in await console.locator("#diary-title").inner_text()
    await console.click("#diary-submit")  # empty: the API's refusal is shown plainly
    await console.wait_for_selector("#diary-error", timeout=WAIT_MS)
    await fill_counselling_form(console, level=1, concerns=("MOOD", "SCHOOL"))
    await screenshot(console, "story-console-diary-filled")
    await console.click("#diary-submit")
    await console.wait_for_selector("#diary", state="detached", timeout=WAIT_MS)


async def test_the_whole_story(
    server: LiveServer, browser: Browser, host_site: str, tmp_path: Path
) -> None:
    """Youth → two tagged consoles → race → chat → reload → end → diary → statistics."""
    await on_duty(server, "anna")
    await on_duty(server, "bert")
    await add_user(server.runtime, "kaisa", Role.COORDINATOR)
    consoles = [await console_page(browser, server, login) for login in ("anna", "bert")]
    for console in consoles:
        console.on("dialog", lambda dialog: dialog.accept())
    port = int(host_site.rsplit(":", 1)[1])
    with static_site(tmp_path, port):
        page = await embedded_youth(browser, server, host_site, tmp_path)
        youth = page.frame_locator("iframe")
        await youth.locator("#start").click(timeout=WAIT_MS)
        await youth.locator("#queue-place").wait_for(timeout=WAIT_MS)
        for console in consoles:
            await console.wait_for_selector(".tag .claim", timeout=WAIT_MS)
            alerts = await console.evaluate("window.__alerts")
            assert alerts["sounds"] >= 1 and alerts["notes"] >= 1
        winner, loser = await claim_race(consoles)
        assert await loser.locator("article.chat").count() == 0

        await youth.locator("#who").wait_for(timeout=WAIT_MS)
        await youth.locator("#message").fill("hei, koulussa on vaikeaa")
        await youth.locator("#send").click()
        await winner.wait_for_selector("article.chat .msg.youth", timeout=WAIT_MS)
        await winner.fill("article.chat textarea", "Hei! Kerro lisää.")
        await winner.keyboard.press("Enter")
        await youth.locator(".msg.responder").wait_for(timeout=WAIT_MS)

        await page.reload()  # the youth reloads the family-centre page: the chat goes on
        await page.click("text=Chat")
        await youth.locator(".msg.responder").wait_for(timeout=WAIT_MS)
        texts = await youth.locator(".msg .text").all_inner_texts()
        assert texts == ["hei, koulussa on vaikeaa", "Hei! Kerro lisää."]
        await youth.locator("#message").fill("kiitos")
        await youth.locator("#send").click()
        await winner.wait_for_selector("article.chat .msg.youth >> nth=1", timeout=WAIT_MS)

        await winner.click("article.chat .end")
        await youth.locator("#feedback").wait_for(timeout=WAIT_MS)
        await youth.locator("#feedback-yes").click()
        await youth.locator("#feedback-thanks").wait_for(timeout=WAIT_MS)
        await screenshot(page, "story-youth-ended")
        await fill_diary(winner)

    # A reload of the console shows no pending record any more.
    await winner.reload()
    await winner.wait_for_selector("#connection.ok", timeout=WAIT_MS)
    assert await winner.locator("#diary").count() == 0
    await coordinator_sees_the_contact(server)


async def coordinator_sees_the_contact(server: LiveServer) -> None:
    rt = server.runtime
    today = rt.clock.now().astimezone(rt.settings.zone).date()
    span = {"start": (today - timedelta(days=1)).isoformat(), "end": today.isoformat()}
    async with httpx.AsyncClient(base_url=server.base) as client:
        await login(client, "kaisa")
        stats = await client.get("/api/statistics", params=span)
        assert stats.status_code == 200, stats.text
        body = stats.json()
        contacts = next(t for t in body["tables"] if t["name"] == "contacts")
        assert "'<5'" in str(contacts["rows"])  # one contact: counted, shown as <5
        feedback = {r["code"]: r["display"] for r in body["feedback"]["rows"]}
        assert feedback == {"yes": "<5", "a_little": "0", "no": "0"}
        export = await client.get("/api/statistics/export", params={**span, "format": "csv"})
    assert export.status_code == 200
    assert "attachment" in export.headers["content-disposition"]
    text = export.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert any("<5" in cell for row in rows for cell in row)  # the one contact, suppressed
    async with rt.db.read() as s:
        (record,) = list(await s.scalars(select(DiaryRecordRow)))
    assert record.filed and record.contact_type == "COUNSELLING" and record.concern_level == 1
