"""A professional rereads an ended chat and deletes it once documented, in real Chromium
(docs/architecture.md, "Reading an ended chat"): after the chat's panel is closed the console's
"Päättyneet keskustelut" lists it, shows its messages, and "Kirjattu - poista" leaves no message
of it in the database. An experience expert's console has no such section. Axe passes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser

from chatsupport.domain.roles import Role
from chatsupport.storage.tables import MessageRow
from tests.helpers import add_user
from tests.live import LiveServer
from tests.test_hub import on_duty
from tests.test_retention import count
from tests.test_web import WAIT_MS, console_page, youth_page, youth_writes_to
from tests.web_checks import assert_accessible, web_server


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[LiveServer]:
    async with web_server(tmp_path, transcript_retention_days=14) as live:
        yield live


async def test_an_ended_chat_is_read_again_and_deleted(
    server: LiveServer, browser: Browser
) -> None:
    await on_duty(server, "anna")
    await add_user(server.runtime, "aino", Role.EXPERIENCE_EXPERT)
    console = await console_page(browser, server, "anna")
    console.on("dialog", lambda dialog: dialog.accept())
    youth = await youth_page(browser, server)
    await youth_writes_to(youth, console, "Äiti juo taas")
    await console.fill("article.chat .composer textarea", "Kiitos kun kerroit")
    await console.keyboard.press("Enter")
    await console.wait_for_selector("article.chat .msg.responder:not(.pending)", timeout=WAIT_MS)
    await console.click("article.chat .end")
    await console.wait_for_selector("article.chat .ended", timeout=WAIT_MS)
    await console.click("article.chat button:has-text('Sulje')")

    await console.click("#transcripts-load")
    item = console.locator("#transcript-list .transcript")
    await item.wait_for(timeout=WAIT_MS)
    assert "2 viestiä" in await item.inner_text() and "vastasit" in await item.inner_text()
    assert "14 päivän" in await console.inner_text("#transcripts")
    await console.click("#transcript-list .transcript-read")
    view = console.locator("article.transcript-view")
    await view.wait_for(timeout=WAIT_MS)
    assert await view.locator(".msg").all_inner_texts() == [
        "Nuori: Äiti juo taas",
        "Sinä: Kiitos kun kerroit",
    ]
    await assert_accessible(console, "console-transcript")

    await view.locator(".transcript-delete").click()
    await view.wait_for(state="detached", timeout=WAIT_MS)
    await console.wait_for_selector(
        "#transcript-list .transcript:has-text('viestit poistettu')", timeout=WAIT_MS
    )
    assert await count(server.runtime, MessageRow) == 0

    expert = await console_page(browser, server, "aino")
    assert await expert.locator("#transcripts").count() == 0
