"""The young person chooses "Minulla on hätä nyt", in real Chromium (docs/architecture.md,
"A young person in danger now"): they see 112 as a link to call at once, also after a reload;
on an expert shift the expert's list puts the chat first and marks it, the backup is alerted
at once, and the holder's chat says so, also after a reload. Every view passes axe."""

from __future__ import annotations

from playwright.async_api import Browser

from tests.live import LiveServer
from tests.test_web import WAIT_MS, youth_page
from tests.test_web_support import expert_and_backup_consoles
from tests.web_checks import assert_accessible


async def test_help_now_shows_112_and_marks_the_chat_for_the_expert_and_backup(
    server: LiveServer, browser: Browser
) -> None:
    backup, expert = await expert_and_backup_consoles(server, browser)

    first = await youth_page(browser, server)  # an ordinary chat opened first
    await first.click("#start")
    await expert.wait_for_selector("#waiting-list .tag", timeout=WAIT_MS)

    youth = await youth_page(browser, server)
    hint = await youth.get_attribute("#start-urgent", "aria-describedby")
    assert hint == "start-urgent-hint"
    await assert_accessible(youth, "youth-start-with-help-now")
    await youth.click("#start-urgent")
    help_box = youth.locator("#urgent-help")
    await help_box.wait_for(timeout=WAIT_MS)
    assert await youth.get_attribute("#call-112", "href") == "tel:112"
    text = await help_box.inner_text()
    assert "Jos olet vaarassa juuri nyt, soita 112." in text and "Aikuiset näkevät" in text
    await youth.wait_for_selector("#queue-place", timeout=WAIT_MS)
    await assert_accessible(youth, "youth-waiting-help-now")

    # The expert's list: the later, urgent chat first, marked; the ordinary one after it.
    await expert.wait_for_selector("#waiting-list .tag.youth-urgent", timeout=WAIT_MS)
    tags = await expert.locator("#waiting-list .tag").all_inner_texts()
    assert len(tags) == 2 and tags[0].startswith("HÄTÄ NYT") and "HÄTÄ" not in tags[1]
    await assert_accessible(expert, "console-tag-help-now")
    # The backup is not on duty as a responder, yet is alerted at once (no 5-minute wait).
    alert = backup.locator("#waiting-list .tag.youth-urgent")
    await alert.wait_for(timeout=WAIT_MS)
    assert "HÄTÄ NYT" in await alert.inner_text()
    assert await backup.locator("#waiting-list .tag").count() == 1  # only the urgent one

    await youth.reload()  # the box stays while the chat waits
    await youth.wait_for_selector("#urgent-help #call-112", timeout=WAIT_MS)

    await expert.click("#waiting-list .tag.youth-urgent .claim")
    note = expert.locator("article.chat .youth-urgent-note")
    await note.wait_for(timeout=WAIT_MS)
    said = await note.inner_text()
    assert "onko hän turvassa juuri nyt" in said and "Pyydä tukea heti" in said
    await youth.wait_for_selector("#who", timeout=WAIT_MS)
    assert await youth.locator("#urgent-help").count() == 0  # an adult answers now
    await backup.wait_for_selector("#waiting-list .tag", state="detached", timeout=WAIT_MS)
    await assert_accessible(expert, "console-chat-help-now")

    await expert.reload()  # the holder's console still says it after a reload
    await expert.wait_for_selector("article.chat .youth-urgent-note", timeout=WAIT_MS)
    assert await expert.locator("#waiting-list .tag.youth-urgent").count() == 0
    assert await expert.locator("#waiting-list .tag").count() == 1  # the ordinary chat
