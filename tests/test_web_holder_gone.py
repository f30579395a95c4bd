"""A responder's browser dies mid-chat, in real Chromium: a colleague's console shows the chat
again ("VASTAAJA POISSA"), the young person is told and keeps writing, the colleague continues
the chat with its history. Logging out with a chat open asks first."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, Dialog

from chatsupport.domain.roles import Role
from tests.helpers import add_user
from tests.live import LiveServer
from tests.rota_helpers import put_on_shift_now
from tests.test_web import WAIT_MS, console_page, youth_page, youth_writes_to
from tests.web_checks import assert_accessible, web_server


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[LiveServer]:
    async with web_server(tmp_path, sweep_interval_secs=0.5, holder_gone_secs=2.0) as live:
        yield live


async def test_a_colleague_continues_the_chat_of_a_responder_whose_browser_died(
    server: LiveServer, browser: Browser
) -> None:
    rt = server.runtime
    sanna = await add_user(rt, "sanna", Role.PROFESSIONAL, "Sanna")
    pekka = await add_user(rt, "pekka", Role.PROFESSIONAL, "Pekka")
    await put_on_shift_now(rt, [sanna, pekka])
    first = await console_page(browser, server, "sanna")
    colleague = await console_page(browser, server, "pekka")
    rt.hub.invalidate_on_duty()
    youth = await youth_page(browser, server)
    await youth_writes_to(youth, first, "Kotona on riitaa")
    await colleague.wait_for_selector("#waiting-list .tag", state="detached", timeout=WAIT_MS)
    asked: list[str] = []

    async def stay(dialog: Dialog) -> None:
        asked.append(dialog.message)
        await dialog.dismiss()

    first.once("dialog", stay)  # logging out with a chat open asks first
    await first.click("#logout")
    await first.wait_for_timeout(300)
    assert asked and "Sinulla on 1 chat kesken" in asked[0]
    assert await first.locator("article.chat").count() == 1  # still signed in

    await first.context.close()  # Sanna's browser dies
    tag = colleague.locator("#waiting-list .tag.holder-gone")
    await tag.wait_for(timeout=WAIT_MS)
    shown = await tag.inner_text()
    assert "VASTAAJA POISSA" in shown and "Jatka keskustelua" in shown
    await assert_accessible(colleague, "console-holder-gone-tag")
    away = youth.locator("#holder-away")
    await away.wait_for(timeout=WAIT_MS)
    assert "toinen aikuinen voi jatkaa" in await away.inner_text()
    await assert_accessible(youth, "youth-holder-away")
    await youth.fill("#message", "Onko siellä ketään?")
    await youth.click("#send")

    await colleague.click("#waiting-list .tag.holder-gone .claim")
    chat = colleague.locator("article.chat")
    await chat.locator(".msg.youth", has_text="Onko siellä ketään?").wait_for(timeout=WAIT_MS)
    assert "Kotona on riitaa" in await chat.locator(".messages").inner_text()
    assert await colleague.locator("#waiting-list .tag").count() == 0
    await youth.locator("#who", has_text="Pekka").wait_for(timeout=WAIT_MS)
    assert await youth.locator("#holder-away").count() == 0
    assert "Sinulle vastaa ammattilainen Pekka." in await youth.locator("#who").inner_text()
    await colleague.fill("article.chat textarea", "Olen Pekka, jatketaan tästä.")
    await colleague.press("article.chat textarea", "Enter")
    await youth.locator(".msg", has_text="jatketaan tästä").wait_for(timeout=WAIT_MS)
    await assert_accessible(youth, "youth-holder-gone-continued")
