"""The responder console after the exploratory review (findings of /console/): what the
responder is doing survives every update. The caret and selection stay in the reply box,
keyboard focus stays on the button it was on, an ended chat does not take the focus, message
lists stay where the responder scrolled them, other chats show their unread messages, every
request for the responder alerts like a tag, the tags' waiting times count up, the youth's
"kirjoittaa…" stops with the draft, and the diary says which field to mend."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page

from tests.live import LiveServer
from tests.test_hub import on_duty
from tests.test_web import (
    WAIT_MS,
    console_page,
    fill_counselling_form,
    youth_page,
    youth_writes_to,
)
from tests.test_web_support import expert_and_backup_consoles, expert_chat_with_backup_watching
from tests.web_checks import SHOTS, assert_accessible, screenshot, web_server


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[LiveServer]:
    async with web_server(tmp_path, sweep_interval_secs=0.5) as live:
        yield live


async def shot(page: Page, name: str) -> None:
    """The full page, and the viewport as the responder sees it (test-results/screenshots)."""
    await screenshot(page, f"console-review-{name}")
    await page.screenshot(path=str(SHOTS / f"console-review-{name}-viewport.png"))


async def chat_ids(console: Page) -> list[str]:
    ids: list[str] = await console.eval_on_selector_all(
        "article.chat:not(.watched)", "els => els.map(e => e.dataset.chat)"
    )
    return ids


async def youth_says(youth: Page, console: Page, text: str, chat_id: str) -> None:
    """The youth sends ``text``; the console has it in that chat."""
    await youth.fill("#message", text)
    await youth.click("#send")
    await console.wait_for_function(
        "([id, text]) => [...document.querySelectorAll("
        "`article.chat[data-chat='${id}'] .msg.youth`)].some(m => m.textContent.includes(text))",
        arg=[chat_id, text],
        timeout=WAIT_MS,
    )


async def second_chat(browser: Browser, server: LiveServer, console: Page) -> tuple[Page, str]:
    """Another youth opens a chat and the console claims it: (the youth's page, its id)."""
    before = set(await chat_ids(console))
    youth = await youth_page(browser, server)
    await youth.click("#start")
    await console.click(".tag .claim", timeout=WAIT_MS)
    await youth.wait_for_selector("#who", timeout=WAIT_MS)
    await console.wait_for_function(
        f"() => document.querySelectorAll('article.chat').length === {len(before) + 1}",
        timeout=WAIT_MS,
    )
    (new,) = set(await chat_ids(console)) - before
    return youth, new


async def focused(page: Page) -> dict[str, str | None]:
    state: dict[str, str | None] = await page.evaluate(
        "(() => { const a = document.activeElement;"
        " return { tag: a?.tagName, id: a?.id || null, key: a?.dataset?.focusKey || null }; })()"
    )
    return state


async def test_caret_and_selection_stay_in_the_reply_box(
    server: LiveServer, browser: Browser
) -> None:
    """Finding 1: the responder types, a message (or "typing") arrives in this chat or
    another, she types on: the text comes out in the order she typed it, with the caret
    where it was, also in the middle of the text and with a selection."""
    await on_duty(server, "anna")
    console = await console_page(browser, server, "anna")
    youth = await youth_page(browser, server)
    await youth_writes_to(youth, console, "Minua kiusataan")
    (chat,) = await chat_ids(console)
    other, other_id = await second_chat(browser, server, console)
    box = f"#draft-{chat}"

    await console.click(box)
    await console.keyboard.type("Kiitos kun kerroit")
    await youth_says(youth, console, "koulussa", chat)  # in the same chat
    await youth_says(other, console, "hei", other_id)  # and in the other one
    await console.keyboard.type(", kerro lisää")
    assert await console.input_value(box) == "Kiitos kun kerroit, kerro lisää"

    # The caret in the middle of the text and a selection survive as well.
    await console.fill(box, "Hello world")
    await console.evaluate(f"document.querySelector('{box}').setSelectionRange(5, 5)")
    await other.fill("#message", "kirjoitan")  # "typing" reaches the console: a render
    await console.wait_for_selector(
        f"article.chat[data-chat='{other_id}'] .typing:has-text('kirjoittaa')", timeout=WAIT_MS
    )
    await console.keyboard.type(",")
    assert await console.input_value(box) == "Hello, world"
    await console.evaluate(f"document.querySelector('{box}').setSelectionRange(7, 12)")
    await youth_says(youth, console, "oletko siellä", chat)
    await console.keyboard.type("Anna")
    assert await console.input_value(box) == "Hello, Anna"
    assert (await focused(console))["id"] == f"draft-{chat}"
    await shot(console, "1_caret_kept")


async def test_note_draft_keeps_its_caret(server: LiveServer, browser: Browser) -> None:
    """Finding 1 in the backup's note box: a youth message in the watched chat re-renders
    the page while the backup writes a note; the note comes out as typed."""
    backup, _expert, youth = await expert_chat_with_backup_watching(server, browser)
    note = "article.watched .notes textarea"
    await backup.click(note)
    await backup.keyboard.type("Kysy onko")
    await youth.fill("#message", "Isä huutaa")
    await youth.click("#send")
    await backup.wait_for_selector("article.watched .msg.youth >> nth=1", timeout=WAIT_MS)
    await backup.keyboard.type(" hän turvassa")
    assert await backup.input_value(note) == "Kysy onko hän turvassa"


async def test_buttons_keep_the_focus_and_a_claim_moves_it_to_the_reply_box(
    server: LiveServer, browser: Browser
) -> None:
    """Finding 5: a keyboard user on "Siirrä toiselle", "Lopeta chat" or a tag's "Vastaa"
    keeps the focus there when a frame re-renders the page; claiming with Enter takes the
    focus into the new chat's reply box."""
    await on_duty(server, "anna")
    console = await console_page(browser, server, "anna")
    youth = await youth_page(browser, server)
    await youth_writes_to(youth, console, "Hei")
    (chat,) = await chat_ids(console)

    for selector, key in ((".transfer", f"transfer:{chat}"), (".end", f"end:{chat}")):
        await console.focus(f"article.chat {selector}")
        await youth_says(youth, console, f"viesti {key}", chat)
        assert (await focused(console))["key"] == key

    # "Siirrä toiselle" by keyboard: on to its choices (nobody else on duty: "Sulje"), back.
    await console.focus("article.chat .transfer")
    await console.keyboard.press("Enter")
    await console.wait_for_function(
        f"() => document.activeElement?.dataset.focusKey === 'transfer-close:{chat}'",
        timeout=WAIT_MS,
    )
    await console.keyboard.press("Enter")
    assert (await focused(console))["key"] == f"transfer:{chat}"

    other = await youth_page(browser, server)
    await other.click("#start")
    await console.wait_for_selector(".tag .claim", timeout=WAIT_MS)
    await console.focus(".tag .claim")
    await youth_says(youth, console, "vielä yksi", chat)  # a render while on the tag
    assert str((await focused(console))["key"]).startswith("claim:")
    await console.keyboard.press("Enter")
    await console.wait_for_function(
        "() => document.querySelectorAll('article.chat').length === 2", timeout=WAIT_MS
    )
    new = next(c for c in await chat_ids(console) if c != chat)
    await console.wait_for_function(
        f"() => document.activeElement && document.activeElement.id === 'draft-{new}'",
        timeout=WAIT_MS,
    )
    await console.keyboard.type("Hei, olen Anna")
    assert await console.input_value(f"#draft-{new}") == "Hei, olen Anna"
    await assert_accessible(console, "console-review-claimed-by-keyboard")


async def test_an_ended_chat_does_not_take_the_focus_or_push_the_live_chat_away(
    server: LiveServer, browser: Browser
) -> None:
    """Finding 2: the responder types in chat B when the youth of chat A ends it: her
    keystrokes stay in B's reply box (never a diary option), she is told A ended, and at
    1280x720 the live chat B stays on the screen. Ending a chat herself still takes her to
    its form."""
    await on_duty(server, "anna")
    console = await console_page(browser, server, "anna")
    await console.set_viewport_size({"width": 1280, "height": 720})
    youth_a = await youth_page(browser, server)
    await youth_writes_to(youth_a, console, "Hei")
    youth_b, b = await second_chat(browser, server, console)
    await youth_says(youth_b, console, "Moi", b)

    await console.click(f"#draft-{b}")
    await console.keyboard.type("Ymmärrän ")
    await youth_a.click("#end")
    await youth_a.click("#end-confirm", timeout=WAIT_MS)
    await console.wait_for_selector("#diary-form", timeout=WAIT_MS)
    await console.keyboard.type("kyllä sen")
    assert await console.input_value(f"#draft-{b}") == "Ymmärrän kyllä sen"
    assert await console.input_value("#diary-contact_type") == ""
    assert (await focused(console))["id"] == f"draft-{b}"
    await console.wait_for_function(
        "() => document.getElementById('announcer').textContent.includes('päättyi')",
        timeout=WAIT_MS,
    )
    box = await console.locator(f"article.chat[data-chat='{b}'] textarea").bounding_box()
    assert box is not None and box["y"] + box["height"] <= 720  # the live reply box is in view
    await shot(console, "3_other_chat_ended")
    await assert_accessible(console, "console-review-other-chat-ended")

    # Ending a chat herself ("Lopeta chat"): the form of that chat takes the focus.
    await console.click("#diary-form button:has-text('Täytä myöhemmin')")
    console.on("dialog", lambda dialog: dialog.accept())
    await console.click(f"article.chat[data-chat='{b}'] .end")
    await console.wait_for_selector(f"article.chat[data-chat='{b}'] .ended", timeout=WAIT_MS)
    await console.wait_for_function(
        "() => document.activeElement && document.activeElement.id === 'diary-contact_type'",
        timeout=WAIT_MS,
    )


async def test_lists_stay_where_scrolled_and_other_chats_show_unread(
    server: LiveServer, browser: Browser
) -> None:
    """Finding 6: a list scrolled up to re-read stays there when the youth writes; a list at
    the bottom follows new messages. A youth message in a chat not in use marks it "1 uutta"
    until the responder goes there; the announcement names the chat."""
    await on_duty(server, "anna")
    console = await console_page(browser, server, "anna")
    youth = await youth_page(browser, server)
    await youth_writes_to(youth, console, "Viesti 0")
    (chat,) = await chat_ids(console)
    for n in range(1, 14):
        await youth_says(youth, console, f"Viesti {n}", chat)
    messages = f"article.chat[data-chat='{chat}'] .messages"
    at_bottom = (
        f'(() => {{ const l = document.querySelector("{messages}");'
        " return l.scrollTop + l.clientHeight >= l.scrollHeight - 8; })()"
    )
    assert await console.evaluate(at_bottom)  # it followed the messages so far

    await console.click(f"#draft-{chat}")
    await console.eval_on_selector(messages, "l => l.scrollTop = 0")
    await youth_says(youth, console, "Viesti 14", chat)
    assert await console.eval_on_selector(messages, "l => l.scrollTop") == 0

    await console.eval_on_selector(messages, "l => l.scrollTop = l.scrollHeight")
    await youth_says(youth, console, "Viesti 15", chat)
    assert await console.evaluate(at_bottom)

    other, other_id = await second_chat(browser, server, console)
    await console.click(f"#draft-{chat}")  # working in the first chat
    await youth_says(other, console, "Oletko siellä?", other_id)
    badge = console.locator(f"article.chat[data-chat='{other_id}'] .unread-count")
    assert await badge.inner_text() == "1 uutta"
    assert await console.locator(f"article.chat[data-chat='{chat}'] .unread-count").count() == 0
    await console.wait_for_function(
        f"() => document.getElementById('announcer').textContent.includes('{other_id[:6]}')",
        timeout=WAIT_MS,
    )
    await shot(console, "4_unread")
    await assert_accessible(console, "console-review-unread")
    await console.click(f"#draft-{other_id}")  # she goes there: read
    assert await badge.count() == 0
    await youth_says(other, console, "Hyvä", other_id)  # the chat in use: nothing unread
    assert await badge.count() == 0


async def alert_count(page: Page) -> int:
    counts = await page.evaluate("window.__alerts")
    return int(counts["sounds"]) + int(counts["notes"])


async def test_support_request_alerts_the_backup_like_a_tag(
    server: LiveServer, browser: Browser
) -> None:
    """Finding 4: "Pyydä tukea" plays a tone, shows a notification and flashes the title
    on the backup's console (DOMAIN.md 3.1)."""
    backup, expert = await expert_and_backup_consoles(server, browser)
    youth = await youth_page(browser, server)
    await youth_writes_to(youth, expert, "En tiedä mitä tehdä")
    await backup.wait_for_selector("#connection.ok", timeout=WAIT_MS)
    await asyncio.sleep(0.5)  # the tag's own alerts are over
    before = await backup.evaluate("window.__alerts")
    await expert.click(".support-ask", timeout=WAIT_MS)
    await backup.wait_for_selector(".support-alert", timeout=WAIT_MS)
    after = await backup.evaluate("window.__alerts")
    assert after["sounds"] > before["sounds"] and after["notes"] > before["notes"]
    await backup.wait_for_function("() => document.title === 'Tukipyyntö!'", timeout=WAIT_MS)
    await backup.click(".support-alert .watch")
    await backup.wait_for_selector("article.watched", timeout=WAIT_MS)
    await backup.wait_for_function("() => document.title === 'Vastaajan konsoli'", timeout=WAIT_MS)


async def anna_in_a_chat_and_bert(browser: Browser, server: LiveServer) -> tuple[Page, Page, Page]:
    """Anna and Bert on duty with consoles open; a youth wrote to Anna, who claimed the chat:
    (Anna's console, Bert's console, the youth's page)."""
    await on_duty(server, "anna")
    await on_duty(server, "bert")
    anna = await console_page(browser, server, "anna")
    bert = await console_page(browser, server, "bert")
    youth = await youth_page(browser, server)
    await youth_writes_to(youth, anna, "Hei")
    return anna, bert, youth


async def test_transfer_offer_and_hidden_tab_message_alert(
    server: LiveServer, browser: Browser
) -> None:
    """Finding 4 and 13: a transfer offer alerts the one offered, and the card says until
    when it stands, with Hyväksy and Hylkää side by side; a youth message while the console
    tab is hidden alerts and flashes the title until the tab is seen again."""
    anna, bert, youth = await anna_in_a_chat_and_bert(browser, server)
    (chat,) = await chat_ids(anna)
    await bert.wait_for_selector(".tag", state="detached", timeout=WAIT_MS)
    await asyncio.sleep(0.3)

    before = await alert_count(bert)
    await anna.click("article.chat .transfer")
    await anna.click(".transfer-to", timeout=WAIT_MS)
    offer = bert.locator(".transfer-offer")
    await offer.wait_for(timeout=WAIT_MS)
    assert await alert_count(bert) >= before + 2
    text = await offer.inner_text()
    assert text.startswith("Ammattilainen") and "vastaa viimeistään klo" in text
    accept = await bert.locator(".transfer-offer .accept").bounding_box()
    decline = await bert.locator(".transfer-offer .decline").bounding_box()
    assert accept and decline and 0 < decline["x"] - (accept["x"] + accept["width"]) < 30
    await bert.wait_for_function("() => document.title === 'Siirtotarjous!'", timeout=WAIT_MS)
    await shot(bert, "5_transfer_offer")
    await assert_accessible(bert, "console-review-transfer-offer")
    await bert.click(".transfer-offer .decline")

    # Anna's tab goes to the background; the youth writes.
    await anna.evaluate(
        "Object.defineProperty(document, 'hidden', { configurable: true, get: () => true });"
        "document.dispatchEvent(new Event('visibilitychange'))"
    )
    before = await alert_count(anna)
    await youth_says(youth, anna, "Oletko siellä?", chat)
    assert await alert_count(anna) >= before + 2
    await anna.wait_for_function("() => document.title === '(1) Uusi viesti!'", timeout=WAIT_MS)
    await anna.evaluate(
        "Object.defineProperty(document, 'hidden', { configurable: true, get: () => false });"
        "document.dispatchEvent(new Event('visibilitychange'))"
    )
    await anna.wait_for_function("() => document.title === 'Vastaajan konsoli'", timeout=WAIT_MS)


async def test_tag_waiting_time_counts_up_without_moving_focus(
    server: LiveServer, browser: Browser
) -> None:
    """Finding 9: with nothing else happening the tag's "Odottaa 0 s" counts up, and the
    focus stays on the tag's button."""
    await on_duty(server, "anna")
    console = await console_page(browser, server, "anna")
    youth = await youth_page(browser, server)
    await youth.click("#start")
    await console.wait_for_selector(".tag .claim", timeout=WAIT_MS)
    assert "Odottaa 0 s" in await console.inner_text(".tag")
    await console.focus(".tag .claim")
    await console.wait_for_function(
        "() => /Odottaa [1-9]\\d* s/.test(document.querySelector('.tag').textContent)", timeout=9000
    )
    assert str((await focused(console))["key"]).startswith("claim:")


async def test_typing_stops_when_the_draft_is_emptied_or_left(
    server: LiveServer, browser: Browser
) -> None:
    """Finding (typing): the youth's "kirjoittaa…" goes when the responder empties the reply
    box, and after about 5 s without a keystroke."""
    await on_duty(server, "anna")
    console = await console_page(browser, server, "anna")
    sent: list[dict[str, object]] = []

    def on_socket(ws: object) -> None:
        ws.on("framesent", lambda payload: sent.append(json.loads(payload)))  # type: ignore[attr-defined]

    console.on("websocket", on_socket)
    await console.reload()
    await console.wait_for_selector("#connection.ok", timeout=WAIT_MS)
    youth = await youth_page(browser, server)
    await youth_writes_to(youth, console, "Hei")
    (chat,) = await chat_ids(console)

    def typing() -> list[object]:
        return [f["active"] for f in sent if f.get("type") == "typing"]

    await console.click(f"#draft-{chat}")
    await console.keyboard.type("Hei")
    await youth.wait_for_selector("#typing:not(:empty)", timeout=WAIT_MS)
    for _ in range(3):
        await console.keyboard.press("Backspace")
    await youth.wait_for_selector("#typing:empty", timeout=2000)  # well before its own 8 s
    assert typing() == [True, False]

    await console.keyboard.type("Mietin")
    await youth.wait_for_selector("#typing:not(:empty)", timeout=WAIT_MS)
    await asyncio.sleep(5.5)  # she stops writing
    assert typing() == [True, False, True, False]
    await youth.wait_for_selector("#typing:empty", timeout=1000)
    assert await console.input_value(f"#draft-{chat}") == "Mietin"  # the draft itself stays


async def ended_chat_with_form(browser: Browser, server: LiveServer) -> Page:
    await on_duty(server, "anna")
    console = await console_page(browser, server, "anna")
    console.on("dialog", lambda dialog: dialog.accept())
    youth = await youth_page(browser, server)
    await youth_writes_to(youth, console, "Hei")
    await console.click("article.chat .end")
    await console.wait_for_selector("#diary-form", timeout=WAIT_MS)
    return console


async def test_diary_errors_name_the_field_and_go_when_mended(
    server: LiveServer, browser: Browser
) -> None:
    """Finding 10: a refused form says which field is missing, next to it (aria-invalid,
    the focus there); the message goes once the field is filled; "Valitse enintään kolme
    huolta" goes when a concern is unticked."""
    console = await ended_chat_with_form(browser, server)
    await console.click("#diary-submit")
    error = console.locator("#diary-error-contact_type")
    await error.wait_for(timeout=WAIT_MS)
    assert "Yhteydenoton tyyppi" in await error.inner_text()
    assert await console.get_attribute("#diary-contact_type", "aria-invalid") == "true"
    assert (await focused(console))["id"] == "diary-contact_type"
    assert "Jokin pakollinen" not in await console.inner_text("#diary-form")
    await shot(console, "8_diary_missing")
    await assert_accessible(console, "console-review-diary-missing")
    await console.select_option("#diary-contact_type", "COUNSELLING")
    assert await error.count() == 0
    for dim, value in (("outcome", "COMPLETED"), ("caller", "SELF"), ("age_band", "A13_15")):
        await console.select_option(f"#diary-{dim}", value)

    await console.click("#diary-submit")  # a conversation needs its concerns
    await console.wait_for_selector("#diary-error-concern", timeout=WAIT_MS)
    assert "Huolet" in await console.inner_text("#diary-error-concern")
    for code in ("MOOD", "SCHOOL", "FAMILY"):
        await console.check(f"#diary-concern-{code}")
    assert await console.locator("#diary-error-concern").count() == 0
    await console.check("#diary-level-2")
    await console.check("#diary-referral-SCHOOL_NURSE")
    await console.select_option("#diary-how-SCHOOL_NURSE", "ENCOURAGED")
    await console.click("#diary-submit")  # level 2 without the child-protection flag
    await console.wait_for_selector("#diary-error-cp", timeout=WAIT_MS)
    assert "Lastensuojelullinen huoli" in await console.inner_text("#diary-error-cp")
    await console.check("#diary-cp-no")
    assert await console.locator("#diary-error-cp").count() == 0

    await console.click("#diary-concern-BULLYING + label")  # a fourth concern
    sticky = console.locator("#diary-error-concern")
    assert "enintään kolme" in await sticky.inner_text()
    await console.uncheck("#diary-concern-FAMILY")
    assert await sticky.count() == 0
    await console.click("#diary-submit")
    await console.wait_for_selector("#diary", state="detached", timeout=WAIT_MS)


async def test_cap_and_ended_urgent_chat(tmp_path: Path, browser: Browser) -> None:
    """Finding 14: at the cap the tag's "Vastaa" says it is not available now (and why); the
    "hätä nyt" banner leaves a chat once it has ended; the status bar fits one row at
    1280 px."""
    async with web_server(tmp_path, responder_chat_cap=1) as server:
        await on_duty(server, "anna")
        console = await console_page(browser, server, "anna")
        await console.set_viewport_size({"width": 1280, "height": 720})
        bar = await console.locator("header.bar").bounding_box()
        assert bar is not None and bar["height"] < 70  # one row
        youth = await youth_page(browser, server)
        await youth.click("#start-urgent")
        await console.click(".tag .claim", timeout=WAIT_MS)
        await console.wait_for_selector("article.chat .youth-urgent-note", timeout=WAIT_MS)
        other = await youth_page(browser, server)
        await other.click("#start")
        claim = console.locator(".tag .claim")
        await claim.wait_for(timeout=WAIT_MS)
        assert await claim.get_attribute("aria-disabled") == "true"
        assert "on jo 1 chat auki" in await console.inner_text("#cap-note")
        await shot(console, "9_cap")
        await assert_accessible(console, "console-review-cap")
        await claim.click(force=True)  # aria-disabled: still in the tab order, says why
        assert "enimmäismäärä" in await console.inner_text("#notice")
        assert await console.locator("article.chat").count() == 1

        await youth.click("#end")
        await youth.click("#end-confirm", timeout=WAIT_MS)
        await console.wait_for_selector("article.chat .ended", timeout=WAIT_MS)
        assert await console.locator("article.chat .youth-urgent-note").count() == 0
        assert await claim.get_attribute("aria-disabled") is None  # room for the next one


async def test_a_lapsed_transfer_offer_tells_the_one_offered(
    tmp_path: Path, browser: Browser
) -> None:
    """Finding 13: an offer that expires before an answer does not vanish without a word
    from the screen of the one offered."""
    async with web_server(tmp_path, transfer_offer_secs=1.5, sweep_interval_secs=0.5) as server:
        anna, bert, _ = await anna_in_a_chat_and_bert(browser, server)
        await anna.click("article.chat .transfer")
        await anna.click(".transfer-to", timeout=WAIT_MS)
        await bert.wait_for_selector(".transfer-offer .accept", timeout=WAIT_MS)
        lapsed = bert.locator(".transfer-offer.lapsed")
        await lapsed.wait_for(timeout=WAIT_MS)
        assert "Siirtotarjous vanheni" in await lapsed.inner_text()
        assert await bert.locator(".transfer-offer .accept").count() == 0
        await assert_accessible(bert, "console-review-offer-lapsed")
        await bert.click(".transfer-offer.lapsed button")
        assert await lapsed.count() == 0


DRAFTS = "JSON.parse(sessionStorage.getItem('chatsupport.diaryDrafts') || '{}')"


async def test_a_half_filled_diary_form_survives_later_and_a_reload(
    server: LiveServer, browser: Browser
) -> None:
    """Choices made on a diary form stay through "Täytä myöhemmin" and a reload of the
    console; the draft holds codes only, nothing the youth wrote; filing the form or
    logging out clears it."""
    await on_duty(server, "anna")
    console = await console_page(browser, server, "anna")
    youth = await youth_page(browser, server)
    await youth_writes_to(youth, console, "salaisuus jota ei saa tallentaa")
    await youth.click("#end")
    await youth.click("#end-confirm", timeout=WAIT_MS)
    await fill_counselling_form(console, level=2, concerns=("MOOD", "SCHOOL"))

    async def form_as_left() -> None:
        await console.click("#diary-pending .fill", timeout=WAIT_MS)
        assert await console.input_value("#diary-contact_type") == "COUNSELLING"
        assert await console.input_value("#diary-age_band") == "A13_15"
        assert await console.is_checked("#diary-concern-SCHOOL")
        assert await console.is_checked("#diary-primary-MOOD")
        assert await console.is_checked("#diary-level-2")
        assert await console.is_checked("#diary-cp-no")
        assert await console.input_value("#diary-how-SCHOOL_NURSE") == "ENCOURAGED"

    await console.click("#diary-form button:has-text('Täytä myöhemmin')")
    await console.wait_for_selector("#diary-form", state="detached", timeout=WAIT_MS)
    await form_as_left()
    await console.click("#diary-form button:has-text('Täytä myöhemmin')")
    await console.reload()
    await console.wait_for_selector("#connection.ok", timeout=WAIT_MS)
    await form_as_left()
    stored = json.dumps(await console.evaluate(DRAFTS))
    assert "COUNSELLING" in stored and "salaisuus" not in stored
    await screenshot(console, "console-diary-draft-after-reload")

    await console.click("#diary-submit")
    await console.wait_for_selector("#diary", state="detached", timeout=WAIT_MS)
    assert await console.evaluate(DRAFTS) == {}

    # A draft left at logout goes with the session.
    youth2 = await youth_page(browser, server)
    await youth_writes_to(youth2, console, "toinen")
    await youth2.click("#end")
    await youth2.click("#end-confirm", timeout=WAIT_MS)
    await console.wait_for_selector("#diary-form", timeout=WAIT_MS)
    await console.select_option("#diary-contact_type", "COUNSELLING")
    assert await console.evaluate(DRAFTS) != {}
    await console.click("#logout")
    await console.wait_for_selector("#login", timeout=WAIT_MS)
    assert await console.evaluate(DRAFTS) == {}
