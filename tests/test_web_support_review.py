"""Review of the expert and backup flows in the responder console (rev16 findings 3, 6 and 7),
in real Chromium: the expert can ask for support again and the backup or stand-in hears it
again; the backup's open chat shows the youth's language switch; a stand-in's alert says why
the chat is theirs, and "Toimi tukena" opens it at once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page

from chatsupport.domain.roles import Role
from tests.helpers import add_user
from tests.live import LiveServer
from tests.test_web import WAIT_MS, console_page, youth_page, youth_writes_to
from tests.test_web_support import expert_and_backup_consoles, expert_chat_with_backup_watching
from tests.web_checks import assert_accessible, web_server


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[LiveServer]:
    async with web_server(tmp_path, sweep_interval_secs=0.5) as live:  # presence checks
        yield live


async def notifications(page: Page) -> int:
    """Desktop notifications shown so far (tones repeat on a timer; notifications do not)."""
    return int(await page.evaluate("window.__alerts.notes"))


async def sounds(page: Page) -> int:
    return int(await page.evaluate("window.__alerts.sounds"))


async def test_the_expert_asks_again_and_the_backup_is_alerted_again(
    server: LiveServer, browser: Browser
) -> None:
    """Finding 3, case A: after "Pyydä tukea" the button rests a moment (a double click asks
    once), then reads "Pyydä tukea uudelleen" (a keyboard user finds the focus back on it); the
    status says who was asked and when. Asked again, the backup who already has the chat open
    hears it (tone and notification) and her open chat says the expert asked again."""
    backup, expert, _ = await expert_chat_with_backup_watching(server, browser)
    button = expert.locator("article.chat .support-ask")
    status = expert.locator("article.chat .stand-in-status")
    await expert.wait_for_selector("article.chat .support-ask:not([disabled])", timeout=WAIT_MS)
    assert await button.inner_text() == "Pyydä tukea uudelleen"
    text = await status.inner_text()
    assert text.startswith("Tukenasi: ammattilainen Sanna. Pyysit tukea klo "), text
    assert text.endswith(": pyyntö lähti hänelle."), text
    await assert_accessible(expert, "console-support-ask-again")

    notes, tones = await notifications(backup), await sounds(backup)
    await button.dblclick()  # one request, not two
    await expert.wait_for_selector("article.chat .support-ask[disabled]", timeout=WAIT_MS)
    await backup.wait_for_function(f"() => window.__alerts.notes > {notes}", timeout=WAIT_MS)
    assert await sounds(backup) > tones
    again = backup.locator("article.watched .support-why.again")
    await again.wait_for(timeout=WAIT_MS)
    assert (await again.inner_text()).startswith("Kokemusasiantuntija Aino pyysi tukea uudelleen")
    await expert.wait_for_selector("article.chat .support-ask:not([disabled])", timeout=WAIT_MS)
    assert "Pyysit tukea uudelleen klo " in await status.inner_text()
    assert await notifications(backup) == notes + 1  # the double click asked once

    await button.focus()  # from the keyboard: the focus is back on the button after the rest
    await expert.keyboard.press("Enter")
    await expert.wait_for_selector("article.chat .support-ask[disabled]", timeout=WAIT_MS)
    await expert.wait_for_function(
        "() => document.activeElement?.matches('.support-ask:not([disabled])')", timeout=WAIT_MS
    )
    await backup.wait_for_function(f"() => window.__alerts.notes > {notes + 1}", timeout=WAIT_MS)


async def test_after_an_automatic_request_the_stand_in_opens_the_chat_and_hears_a_re_ask(
    server: LiveServer, browser: Browser
) -> None:
    """Findings 3 (case B) and 7: the backup leaves and the server asks Pekka for Aino, who
    never pressed "Pyydä tukea": her button still asks ("Pyydä tukea uudelleen"). Pekka's
    "Toimi tukena" opens the chat at once, without a tone for his own answer, and says why it
    is his (Aino did not ask). Aino asks again: Pekka hears it. Reloaded, his alert still says
    why, not that Aino asked."""
    backup, expert = await expert_and_backup_consoles(server, browser)
    await add_user(server.runtime, "pekka", Role.PROFESSIONAL, "Pekka")
    youth = await youth_page(browser, server)
    await youth_writes_to(youth, expert, "Pelottaa")
    await backup.context.close()  # the backup leaves
    await expert.wait_for_selector("#backup-presence.warn", timeout=WAIT_MS)
    other = await console_page(browser, server, "pekka")
    await other.locator(".support-alert.stand-in.backup-left").wait_for(timeout=WAIT_MS)
    await expert.wait_for_selector("article.chat .stand-in-status", timeout=WAIT_MS)
    button = expert.locator("article.chat .support-ask")
    assert (await button.inner_text(), await button.is_disabled()) == (
        "Pyydä tukea uudelleen",
        False,
    )

    notes = await notifications(other)
    await other.click(".support-alert.stand-in .stand-in-accept")
    panel = other.locator("article.watched")
    await panel.locator(".msg.youth").wait_for(timeout=WAIT_MS)  # opened without "Avaa chat"
    assert await panel.locator(".support-why").inner_text() == (
        "Kokemusasiantuntija Aino on chatissa ilman tukihenkilöä; toimit tukena."
    )
    await other.wait_for_function(
        "() => document.activeElement?.matches('article.watched .messages')", timeout=WAIT_MS
    )
    assert await notifications(other) == notes  # his own answer is no new request
    await expert.wait_for_selector("article.chat .stand-in-status.ok", timeout=WAIT_MS)

    await other.reload()  # the alert comes back, the chat not open: the list says why
    item = other.locator(".support-alert:not(.stand-in)")
    await item.wait_for(timeout=WAIT_MS)
    text = await item.inner_text()
    assert "Kokemusasiantuntija Aino on chatissa ilman tukihenkilöä; toimit tukena" in text, text
    await other.click(".support-alert .watch")
    await panel.locator(".msg.youth").wait_for(timeout=WAIT_MS)
    await asyncio.sleep(0.5)  # the alerts of the reload are over
    notes = await notifications(other)
    await button.click()
    await other.wait_for_function(f"() => window.__alerts.notes > {notes}", timeout=WAIT_MS)
    await panel.locator(".support-why.again").wait_for(timeout=WAIT_MS)
    status = await expert.locator("article.chat .stand-in-status").inner_text()
    assert status.startswith("Tukenasi: ammattilainen Pekka. Pyysit tukea klo "), status


async def test_the_backup_sees_that_the_youth_switched_language(
    server: LiveServer, browser: Browser
) -> None:
    """Finding 6: the youth switches to Swedish while Sanna reads Aino's chat: Sanna's open
    chat says so, as the holder's does, and that she does not answer in Swedish (the
    expert, not the backup, hands the chat on)."""
    backup, expert, youth = await expert_chat_with_backup_watching(server, browser)
    await youth.select_option("#lang", "sv")
    note = backup.locator("article.watched .lang-note")
    await note.wait_for(timeout=WAIT_MS)
    assert await note.inner_text() == "Nuori vaihtoi kielen: ruotsi (SV). Et vastaa tällä kielellä."
    assert "· SV ·" in await backup.locator("article.watched h3").inner_text()
    await expert.wait_for_selector("article.chat .lang-note", timeout=WAIT_MS)
    await assert_accessible(backup, "console-backup-lang-switch")
