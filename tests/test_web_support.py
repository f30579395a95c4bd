"""The backup rule in real Chromium: an expert asks for support in the console and the
backup, in another browser, reads the chat, writes a note and takes the chat over."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, Page

from chatsupport.domain.roles import Role
from chatsupport.domain.rota import ShiftRole
from tests.helpers import add_user
from tests.live import LiveServer
from tests.rota_helpers import put_on_shift_now
from tests.test_web import WAIT_MS, console_page, youth_page, youth_writes_to
from tests.web_checks import assert_accessible, web_server


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[LiveServer]:
    async with web_server(tmp_path, sweep_interval_secs=0.5) as live:  # presence checks
        yield live


async def expert_and_backup_consoles(server: LiveServer, browser: Browser) -> tuple[Page, Page]:
    """Aino (experience expert) on a shift now with Sanna as backup, both consoles open and
    the shift open (the backup's console seen): (the backup's page, the expert's page)."""
    rt = server.runtime
    aino = await add_user(rt, "aino", Role.EXPERIENCE_EXPERT, "Aino")
    sanna = await add_user(rt, "sanna", Role.PROFESSIONAL, "Sanna")
    await put_on_shift_now(rt, [aino], role=ShiftRole.EXPERIENCE_EXPERT, backup_id=sanna)
    backup = await console_page(browser, server, "sanna")
    expert = await console_page(browser, server, "aino")
    await expert.wait_for_selector("#backup-presence.ok", timeout=WAIT_MS)
    rt.hub.invalidate_on_duty()
    return backup, expert


async def expert_chat_with_backup_watching(
    server: LiveServer, browser: Browser
) -> tuple[Page, Page, Page]:
    """Aino (expert, backed by Sanna) holds a chat the youth wrote in, asks for support, and
    Sanna opens it read-only. Returns the backup's, the expert's and the youth's pages."""
    backup, expert = await expert_and_backup_consoles(server, browser)
    youth = await youth_page(browser, server)
    await youth_writes_to(youth, expert, "En tiedä mitä tehdä")

    await expert.click(".support-ask", timeout=WAIT_MS)
    await expert.wait_for_selector(".support-ask[disabled]", timeout=WAIT_MS)  # resting
    await backup.click(".support-alert .watch", timeout=WAIT_MS)
    await backup.wait_for_selector("article.watched .msg.youth", timeout=WAIT_MS)
    return backup, expert, youth


async def test_expert_asks_for_support_and_backup_takes_over(
    server: LiveServer, browser: Browser
) -> None:
    """ "Pyydä tukea" alerts the backup's console; the backup opens the chat read-only, sends
    a note the expert sees and the youth never does, and takes the chat over; the youth is
    told that the chat goes on with her, by name, with no word of the expert any more
    (finding 4 of the review of 27 Nov: the page named both), and her answer reaches them."""
    backup, expert, youth = await expert_chat_with_backup_watching(server, browser)
    assert "En tiedä" in await backup.locator("article.watched .messages").inner_text()

    await backup.fill("article.watched .notes textarea", "Kysy, onko hän turvassa")
    await backup.click("article.watched .notes button[type=submit]")
    await expert.wait_for_selector("article.chat .note", timeout=WAIT_MS)
    assert "turvassa" in await expert.locator("article.chat .note").inner_text()

    await backup.click("article.watched .take-over")
    await youth.wait_for_function(
        "() => document.getElementById('who')?.textContent.includes('Sanna')", timeout=WAIT_MS
    )
    assert await youth.locator("#who").inner_text() == "Sinulle vastaa ammattilainen Sanna."
    assert await youth.locator("#joined").count() == 0
    await youth.wait_for_function(  # and the screen reader hears it
        "() => document.getElementById('announcer').textContent"
        ".startsWith('Keskustelu jatkuu toisen aikuisen kanssa. Sinulle vastaa')",
        timeout=WAIT_MS,
        polling=50,
    )
    await expert.wait_for_selector("article.chat .ended", timeout=WAIT_MS)
    await backup.wait_for_selector("article.chat:not(.watched) textarea", timeout=WAIT_MS)
    await backup.fill("article.chat:not(.watched) .composer textarea >> nth=-1", "Hei, olen Sanna")
    await backup.keyboard.press("Enter")
    await youth.wait_for_selector(".msg.responder", timeout=WAIT_MS)
    assert "Hei, olen Sanna" in await youth.locator(".msg.responder").inner_text()
    assert "turvassa" not in await youth.locator("body").inner_text()


async def test_with_the_backup_joined_each_answer_names_its_writer(
    server: LiveServer, browser: Browser
) -> None:
    """Both adults write after the backup joins: each console shows its own messages as
    "Sinä" and the other's by role and name; the youth sees who wrote each answer, also after
    a reload, which still says that another adult is here; the expert's console, reloaded,
    still shows who joined, that support was asked, and the backup's note."""
    backup, expert, youth = await expert_chat_with_backup_watching(server, browser)
    await backup.fill("article.watched .notes textarea", "Kysy, onko hän turvassa")
    await backup.click("article.watched .notes button[type=submit]")
    await expert.wait_for_selector("article.chat .note", timeout=WAIT_MS)
    await backup.click("article.watched .join")
    await youth.wait_for_selector("#joined", timeout=WAIT_MS)
    await backup.fill("article.watched .composer textarea >> nth=-1", "Hei, olen Sanna")
    await backup.keyboard.press("Enter")  # sends, as in the console's own reply box
    await expert.wait_for_selector("article.chat .msg.colleague", timeout=WAIT_MS)
    await expert.fill("article.chat .composer textarea >> nth=-1", "Hei, olen Aino")
    await expert.keyboard.press("Enter")
    await backup.wait_for_selector("article.watched .msg.colleague", timeout=WAIT_MS)

    expert_sees = await expert.locator("article.chat .msg.responder").all_inner_texts()
    assert expert_sees == ["ammattilainen Sanna: Hei, olen Sanna", "Sinä: Hei, olen Aino"]
    backup_sees = await backup.locator("article.watched .msg.responder").all_inner_texts()
    assert backup_sees == ["Sinä: Hei, olen Sanna", "kokemusasiantuntija Aino: Hei, olen Aino"]
    await youth.wait_for_selector(".msg.responder >> nth=1", timeout=WAIT_MS)
    assert await youth.locator(".msg.responder .author").all_inner_texts() == ["Sanna", "Aino"]
    await youth.reload()  # the chat read back from the store: still named
    await youth.wait_for_selector(".msg.responder >> nth=1", timeout=WAIT_MS)
    assert await youth.locator(".msg.responder .author").all_inner_texts() == ["Sanna", "Aino"]
    assert "Sanna" in await youth.locator("#joined").inner_text()  # still told who else is here
    await expert.reload()  # the console shows what it did: who joined, support asked, notes
    await expert.wait_for_selector("article.chat .joined", timeout=WAIT_MS)
    assert "Sanna" in await expert.locator("article.chat .joined").inner_text()
    await expert.wait_for_selector(".support-ask:text-is('Pyydä tukea uudelleen')", timeout=WAIT_MS)
    assert "turvassa" in await expert.locator("article.chat .note").inner_text()


async def test_a_stand_in_answers_when_the_backup_has_left(
    server: LiveServer, browser: Browser
) -> None:
    """The backup closes the console mid-chat (DOMAIN.md 3.5): with no professional signed in,
    Aino's chat says where help is now; when Pekka signs in, his console is alerted without
    Aino asking ("Toimi tukena") and Aino's chat says support was asked for her; he answers
    and opens the chat as its backup; Aino's chat says who backs her up, also after a reload.
    Axe on each view."""
    backup, expert = await expert_and_backup_consoles(server, browser)
    await add_user(server.runtime, "pekka", Role.PROFESSIONAL, "Pekka")
    youth = await youth_page(browser, server)
    await youth_writes_to(youth, expert, "Pelottaa")
    await backup.context.close()  # the backup leaves
    await expert.wait_for_selector("#backup-presence.warn", timeout=WAIT_MS)
    away = expert.locator("article.chat .backup-away")  # the chat goes on: where help is now
    await away.wait_for(timeout=WAIT_MS)
    assert "pyyntö menee kaikille nyt kirjautuneille ammattilaisille" in await away.inner_text()
    await assert_accessible(expert, "console-backup-away")
    other = await console_page(browser, server, "pekka")

    alert = other.locator(".support-alert.stand-in.backup-left")
    await alert.wait_for(timeout=WAIT_MS)
    assert "Kokemusasiantuntija Aino on chatissa ilman tukihenkilöä" in await alert.inner_text()
    await assert_accessible(other, "console-stand-in-alert")
    status = expert.locator("article.chat .stand-in-status")
    await status.wait_for(timeout=WAIT_MS)
    assert "Pyysimme puolestasi tukea" in await status.inner_text()
    asked = expert.locator("article.chat .support-ask")
    # asked for her, and she may still ask again herself
    assert (await asked.inner_text(), await asked.is_disabled()) == ("Pyydä tukea uudelleen", False)
    await other.click(".support-alert.stand-in .stand-in-accept")  # opens the chat too
    await other.wait_for_selector("article.watched .msg.youth", timeout=WAIT_MS)
    await expert.wait_for_selector("article.chat .stand-in-status.ok", timeout=WAIT_MS)
    assert "Tukenasi: ammattilainen Pekka." in await status.inner_text()
    presence = await expert.locator("#backup-presence").inner_text()  # the bar agrees
    assert presence == "Tukihenkilö ei ole paikalla; tukenasi nyt ammattilainen Pekka"
    await assert_accessible(expert, "console-stand-in-answered")
    await expert.reload()
    await expert.wait_for_selector("article.chat .stand-in-status.ok", timeout=WAIT_MS)
    assert "Pekka" in await expert.locator("article.chat .stand-in-status").inner_text()


async def test_a_joined_backup_is_still_joined_after_a_reload(
    server: LiveServer, browser: Browser
) -> None:
    """Sanna joined Aino's chat and reloads her console: the chat is back in her support
    panel as joined ("liittynyt"), with its history, and what she writes reaches the youth."""
    backup, _, youth = await expert_chat_with_backup_watching(server, browser)
    await backup.click("article.watched .join")
    await youth.wait_for_selector("#joined", timeout=WAIT_MS)
    await backup.reload()
    panel = backup.locator("article.watched")
    await panel.locator(".msg.youth").wait_for(timeout=WAIT_MS)
    assert "liittynyt" in await panel.locator("h3").inner_text()
    await backup.fill("article.watched .composer textarea >> nth=-1", "Olen yhä täällä")
    await backup.keyboard.press("Enter")
    await youth.wait_for_selector(".msg.responder:has-text('Olen yhä täällä')", timeout=WAIT_MS)
    await assert_accessible(backup, "console-backup-rejoined")


async def test_the_backup_sees_whom_she_backs_and_is_asked_before_signing_out(
    server: LiveServer, browser: Browser
) -> None:
    """Sanna has no shift of her own but backs Aino's: her console says so (review of 27 Nov,
    coordinator finding 4: it said only "Ei vuorossa"), and signing out asks first, since
    Aino's shift closes without her."""
    backup, _ = await expert_and_backup_consoles(server, browser)
    note = backup.locator("#backing")
    await note.wait_for(timeout=WAIT_MS)
    assert (await note.inner_text()).startswith("Tukihenkilönä: kokemusasiantuntija Aino (vuoro")
    await assert_accessible(backup, "console-backing")
    asked: list[str] = []

    async def dismiss(dialog: Any) -> None:
        asked.append(dialog.message)
        await dialog.dismiss()

    backup.on("dialog", dismiss)
    await backup.click("#logout")
    await backup.wait_for_timeout(300)
    assert asked and "vuoro sulkeutuu" in asked[0]
    assert await backup.locator("#backing").count() == 1  # still signed in
