"""What the young person is told about the service, in real Chromium (docs/architecture.md,
"What the young person is told about the service"): the about dialog, the safety page and the
accessibility statement open from every screen without leaving the chat, say what the running
settings keep, carry the coordinator's feedback contact, and pass axe; ending can delete the
messages at once.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page

from chatsupport.domain.youth_texts import YouthTexts
from chatsupport.storage.tables import ChatRow, MessageRow
from tests.live import LiveServer
from tests.test_hub import on_duty
from tests.test_retention import count
from tests.test_web import NEUTRAL_SITE, WAIT_MS, console_page, youth_page, youth_writes_to
from tests.web_checks import assert_accessible, web_server

CONTACT_SV = "Respons: tillganglighet@example.fi, 040 123 4567. Utlåtandet är gjort 27.11.2026."


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[LiveServer]:
    # Not the default retention: the page must say what the running service keeps.
    async with web_server(tmp_path, transcript_retention_days=7, diary_retention_months=12) as live:
        yield live


async def chat_under_way(server: LiveServer, browser: Browser, text: str) -> tuple[Page, Page]:
    """Anna (on duty) has claimed the youth's chat and got ``text``: (console, youth)."""
    await on_duty(server, "anna")
    console = await console_page(browser, server, "anna")
    youth = await youth_page(browser, server)
    await youth_writes_to(youth, console, text)
    return console, youth


async def dialog_text(page: Page) -> str:
    await page.wait_for_selector("dialog[open] #dialog-title", timeout=WAIT_MS)
    return await page.locator("dialog").inner_text()


async def test_about_and_statement_open_over_the_chat(server: LiveServer, browser: Browser) -> None:
    """Mid-chat the youth opens "about": the rules and what is kept for the running settings'
    7 days / 12 months; from there the statement with its enforcement body; Escape closes it,
    focus goes back to the link and the chat (with its message) is still there."""
    _console, youth = await chat_under_way(server, browser, "onko tämä nimetön?")

    await youth.click("#about-open")
    text = await dialog_text(youth)
    assert "Lopetamme keskustelun, jos kirjoitat asiattomia viestejä." in text  # the rules
    assert "Viestit poistetaan 7 päivän kuluttua" in text
    assert "säilyy 12 kuukautta" in text
    assert "IP-osoitettasi" in text
    assert await youth.evaluate("document.activeElement.id") == "dialog-title"
    await assert_accessible(youth, "youth-about")

    await youth.click("#show-statement")
    await youth.wait_for_selector("dialog #a11y-contact", timeout=WAIT_MS)
    text = await dialog_text(youth)
    assert "Saavutettavuusseloste" in text and "Traficom" in text and "14 päivän" in text
    await assert_accessible(youth, "youth-statement")
    await youth.keyboard.press("Escape")
    await youth.wait_for_selector("dialog:not([open])", state="attached", timeout=WAIT_MS)
    assert await youth.evaluate("document.activeElement.id") == "about-open"
    assert await youth.locator(".msg.youth .text").all_inner_texts() == ["onko tämä nimetön?"]
    assert await youth.locator("#message").count() == 1  # still in the chat

    await youth.click("#statement-open")  # the footer's own link, straight to the statement
    await youth.wait_for_selector("dialog #a11y-contact", timeout=WAIT_MS)
    await youth.click("#dialog-close")
    await youth.wait_for_selector("dialog:not([open])", state="attached", timeout=WAIT_MS)


async def test_a_link_opens_the_statement_with_the_organisers_contact(
    server: LiveServer, browser: Browser
) -> None:
    """The family centre links `/?lang=sv#tillganglighet`: the Swedish statement opens at once
    with the contact the coordinator wrote; the quick exit in the dialog still leaves; at
    320 px the statement needs no sideways scrolling."""
    drafts = await server.runtime.rota.texts("sv")
    await server.runtime.rota.set_texts(
        "sv",
        YouthTexts(
            opening=drafts.opening,
            closed=drafts.closed,
            emergency=drafts.emergency,
            accessibility=CONTACT_SV,
        ),
    )
    page = await (await browser.new_context()).new_page()
    await page.route(f"{NEUTRAL_SITE}**", lambda route: route.fulfill(body="<p>sää</p>"))
    await page.goto(f"{server.base}/?lang=sv#tillganglighet")
    text = await dialog_text(page)
    assert "Tillgänglighetsutlåtande" in text and "Traficom" in text
    assert await page.inner_text("#a11y-contact") == CONTACT_SV
    assert await page.evaluate("document.documentElement.lang") == "sv"
    await page.click("#dialog-exit")
    await page.wait_for_url(f"{NEUTRAL_SITE}**", timeout=WAIT_MS)

    narrow = await (await browser.new_context(viewport={"width": 320, "height": 640})).new_page()
    await narrow.goto(f"{server.base}/#saavutettavuus")
    await dialog_text(narrow)
    fits = "(d => d.scrollWidth <= d.clientWidth)(document.querySelector('dialog'))"
    assert await narrow.evaluate(fits)  # WCAG 1.4.10: no sideways scrolling at 320 px


async def test_staying_safe_says_what_the_quick_exit_does_and_does_not(
    server: LiveServer, browser: Browser
) -> None:
    """The footer's "Turvallinen käyttö" (DOMAIN.md 3.2's safety page): what the quick exit
    does, that the history may still show the page, private windows and shared devices; axe
    passes; `/?lang=sv#sakerhet` opens it in Swedish and its quick exit leaves at once."""
    youth = await (await browser.new_context()).new_page()  # closed now: the link is there too
    await youth.goto(server.base + "/")
    await youth.wait_for_selector("#next-open", timeout=WAIT_MS)
    await youth.click("#safety-open")
    text = await dialog_text(youth)
    assert "Turvallinen käyttö" in text and "Shift-näppäintä kolme kertaa" in text
    assert "historiaan voi silti jäädä merkintä" in text and "incognito" in text
    assert "Yhteinen laite" in text
    await assert_accessible(youth, "youth-safety")
    await youth.keyboard.press("Escape")
    await youth.wait_for_selector("dialog:not([open])", state="attached", timeout=WAIT_MS)
    assert await youth.evaluate("document.activeElement.id") == "safety-open"

    page = await (await browser.new_context()).new_page()
    await page.route(f"{NEUTRAL_SITE}**", lambda route: route.fulfill(body="<p>sää</p>"))
    await page.goto(f"{server.base}/?lang=sv#sakerhet")
    text = await dialog_text(page)
    assert "Säker användning" in text and "privat fönster" in text
    await page.click("#dialog-exit")
    await page.wait_for_url(f"{NEUTRAL_SITE}**", timeout=WAIT_MS)


async def test_ending_can_delete_the_messages_at_once(server: LiveServer, browser: Browser) -> None:
    """Ending asks first: "Keep chatting" keeps the chat; ending with "delete the messages now"
    ticked ends it and no message of it is left in the database."""
    console, youth = await chat_under_way(server, browser, "älä säilytä tätä")
    assert await count(server.runtime, MessageRow) == 1

    await youth.click("#end")
    await youth.wait_for_selector("dialog[open] #forget", timeout=WAIT_MS)
    assert not await youth.is_checked("#forget")  # keeping is the default
    await assert_accessible(youth, "youth-end-question")
    await youth.click("#end-cancel")
    await youth.wait_for_selector("dialog:not([open])", state="attached", timeout=WAIT_MS)
    assert await youth.locator("#message").count() == 1

    await youth.click("#end")
    await youth.check("#forget")
    await youth.click("#end-confirm")
    await youth.wait_for_selector("#ended", timeout=WAIT_MS)
    assert await count(server.runtime, MessageRow) == 0
    note = await console.wait_for_selector("article.chat .forgotten", timeout=WAIT_MS)
    assert "ainoa kopio" in await note.inner_text()  # the responder knows it is gone
    assert await count(server.runtime, ChatRow, ChatRow.state == "ended") == 1


async def test_in_swedish_with_nobody_on_duty_who_speaks_it_the_youth_is_told(
    server: LiveServer, browser: Browser
) -> None:
    """Only a Finnish speaker on duty: the Swedish page says so in Swedish, with Swedish
    services, before and in the queue, and Anna's tag says she does not answer in Swedish; the
    Finnish page does not; once the coordinator marks her Swedish-speaking, the Swedish page
    does not either (DOMAIN.md 4.2)."""
    anna = await on_duty(server, "anna")
    console = await console_page(browser, server, "anna")
    page = await (await browser.new_context(viewport={"width": 390, "height": 780})).new_page()
    await page.goto(f"{server.base}/?lang=sv")
    notice = page.locator("#no-speaker")
    await notice.wait_for(timeout=WAIT_MS)
    text = await notice.inner_text()
    assert "ingen vuxen i tjänst som talar svenska" in text and "0800 96 116" in text
    await assert_accessible(page, "youth-no-swedish-speaker")
    await page.click("#start")
    await page.wait_for_selector("#queue-place", timeout=WAIT_MS)
    assert await notice.count() == 1  # still said in the queue
    tag = await console.wait_for_selector(".tag", timeout=WAIT_MS)
    assert "kieli SV (et vastaa tällä kielellä)" in await tag.inner_text()
    await page.select_option("#lang", "fi")
    await page.wait_for_function("document.documentElement.lang === 'fi'", timeout=WAIT_MS)
    assert await notice.count() == 0  # Anna speaks Finnish

    await server.runtime.accounts.update_responder(responder_id=anna, languages=["fi", "sv"])
    swedish = await (await browser.new_context()).new_page()
    await swedish.goto(f"{server.base}/?lang=sv")
    await swedish.wait_for_selector(".status", timeout=WAIT_MS)  # the opening answer is in
    assert await swedish.locator("#no-speaker").count() == 0
