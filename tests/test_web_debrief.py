"""Debrief after a heavy chat, in real Chromium: the expert files a level-2 record, the
backup's console shows the request, the backup answers "Otan yhteyttä", the expert's console
says who will call (also after a reload); the expert can ask again by hand. Every view passes
axe (docs/architecture.md, "Debrief")."""

from __future__ import annotations

from playwright.async_api import Browser

from chatsupport.domain.roles import Role
from chatsupport.domain.rota import ShiftRole
from chatsupport.storage import debriefs
from tests.helpers import PASSWORD, add_user
from tests.live import LiveServer
from tests.rota_helpers import put_on_shift_now
from tests.test_web import (
    WAIT_MS,
    console_page,
    fill_counselling_form,
    youth_page,
    youth_writes_to,
)
from tests.test_web_support import expert_and_backup_consoles
from tests.web_checks import assert_accessible


async def test_a_heavy_chat_brings_the_backup_to_debrief(
    server: LiveServer, browser: Browser
) -> None:
    rt = server.runtime
    backup, expert = await expert_and_backup_consoles(server, browser)
    await add_user(rt, "pekka", Role.PROFESSIONAL, "Pekka")
    other = await console_page(browser, server, "pekka")
    expert.on("dialog", lambda dialog: dialog.accept())
    assert await expert.locator("#debriefs .debrief").count() == 0
    await assert_accessible(expert, "console-debrief-expert-empty")

    youth = await youth_page(browser, server)
    await youth_writes_to(youth, expert, "Kotona on tosi paha olla")
    await expert.click("article.chat .end")
    await fill_counselling_form(expert, level=2)
    await expert.click("#diary-submit")
    await expert.wait_for_selector("#diary-form", state="detached", timeout=WAIT_MS)

    await expert.wait_for_selector("#debriefs .debrief", timeout=WAIT_MS)
    text = await expert.inner_text("#debriefs")
    assert "puretaan aina" in text and "lähti: ammattilainen Sanna" in text and "Odottaa" in text
    request = backup.locator("#debriefs .debrief-request")
    await request.wait_for(timeout=WAIT_MS)
    shown = await request.inner_text()
    assert "kokemusasiantuntija Aino pyytää purkua (raskas keskustelu)" in shown
    assert "Kotona" not in shown  # nothing of the chat comes with it
    await assert_accessible(backup, "console-debrief-request")
    assert await other.locator("#debriefs").count() == 0  # asked of Sanna, not of Pekka

    await backup.click("#debriefs .debrief-answer")
    await backup.wait_for_selector("#debriefs", state="detached", timeout=WAIT_MS)
    await expert.wait_for_selector("#debriefs .debrief.answered", timeout=WAIT_MS)
    assert "Ammattilainen Sanna ottaa sinuun yhteyttä" in await expert.inner_text("#debriefs")
    await assert_accessible(expert, "console-debrief-answered")

    await expert.reload()
    await expert.wait_for_selector("#debriefs .debrief.answered", timeout=WAIT_MS)
    await expert.click("#debrief-ask")  # by hand, any time
    await backup.wait_for_selector("#debriefs .debrief-request", timeout=WAIT_MS)
    assert "(pyysi itse)" in await backup.inner_text("#debriefs")
    assert await expert.locator("#debriefs .debrief").count() == 2


async def test_an_answer_whose_announcement_was_lost_shows_within_a_minute(
    server: LiveServer, browser: Browser
) -> None:
    """The backup's answer is stored but its live frame never comes (as in a broker gap): the
    expert's console, reading the list every minute, shows it after the minute passes."""
    rt = server.runtime
    aino = await add_user(rt, "aino", Role.EXPERIENCE_EXPERT, "Aino")
    sanna = await add_user(rt, "sanna", Role.PROFESSIONAL, "Sanna")
    await put_on_shift_now(rt, [aino], role=ShiftRole.EXPERIENCE_EXPERT, backup_id=sanna)
    expert = await (await browser.new_context()).new_page()
    await expert.clock.install()  # real time flows; fast_forward runs the minute's timer
    await expert.goto(server.base + "/console/")
    await expert.fill("#login", "aino")
    await expert.fill("#password", PASSWORD)
    await expert.click("#login-button")
    await expert.click("#debrief-ask", timeout=WAIT_MS)
    await expert.wait_for_selector("#debriefs .debrief", timeout=WAIT_MS)

    mine, _ = await rt.debriefs.listing(responder=await rt.accounts.get_responder(aino))
    async with rt.db.write() as s:  # answered without any announcement
        assert await debriefs.answer(s, debrief_id=mine[0].id, by=sanna, now=rt.clock.now())
    await expert.wait_for_timeout(500)
    assert await expert.locator("#debriefs .debrief.answered").count() == 0
    await expert.clock.fast_forward(61_000)
    await expert.wait_for_selector("#debriefs .debrief.answered", timeout=WAIT_MS)
    assert "Ammattilainen Sanna ottaa sinuun yhteyttä" in await expert.inner_text("#debriefs")
