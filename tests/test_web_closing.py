"""Closing with a young person still in the queue, in real Chromium (docs/protocol.md,
"Opening hours and the closed state"; DOMAIN.md 3.3): the queue screen says, in the page's
language, that the chat has closed and nobody may answer, with the always-open services and
the next opening; the notice goes when the service opens again. Axe passes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser

from chatsupport.domain.roles import Role
from tests.helpers import add_user
from tests.live import LiveServer
from tests.rota_helpers import put_on_shift_now
from tests.test_web import WAIT_MS, youth_page
from tests.web_checks import assert_accessible, web_server


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[LiveServer]:
    async with web_server(tmp_path, sweep_interval_secs=0.3) as live:
        yield live


async def test_the_queue_screen_says_the_chat_closed(server: LiveServer, browser: Browser) -> None:
    rt = server.runtime
    anna = await add_user(rt, "anna", Role.PROFESSIONAL)
    shift = await put_on_shift_now(rt, [anna])
    rt.hub.invalidate_on_duty()
    youth = await youth_page(browser, server)
    await youth.select_option("header select", "sv")
    await youth.click("#start")
    await youth.wait_for_selector("#queue-place", timeout=WAIT_MS)
    assert await youth.locator("#closed-waiting").count() == 0

    await rt.rota.delete_shift(shift.id)  # the shift ends with the chat still waiting
    rt.hub.invalidate_on_duty()
    notice = youth.locator("#closed-waiting")
    await notice.wait_for(timeout=WAIT_MS)
    text = await notice.inner_text()
    assert "Chatten har stängt nu" in text and "112" in text
    assert "Nästa öppettid är inte bestämd ännu." in text  # nothing else is planned
    assert await youth.locator("#message").count() == 1  # still in the queue, may write
    await assert_accessible(youth, "youth-closed-while-waiting")

    await put_on_shift_now(rt, [anna])
    rt.hub.invalidate_on_duty()
    await notice.wait_for(state="detached", timeout=WAIT_MS)
    assert await youth.locator("#queue-place").count() == 1
