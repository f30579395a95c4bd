"""Fixes from the exploratory review of the coordinator pages (findings 4, 6, 8 and 9).

- 4: the rota shows only the languages of responders who can answer (not deactivated ones);
- 6: the closure form's time errors are its own, in Finnish (``rota.closure_times_incomplete``);
- 8: the responders table fits 1280x720 and 1024x768, every action button on screen;
- 9: focus moves to the section heading after login; a youth text of only zero-width
  characters is refused like an empty one; a long chart label is cut at its end, not its start.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pyotp
import pytest
from playwright.async_api import Browser, Page

from chatsupport.domain import rota as r
from chatsupport.domain.errors import ChatSupportError
from chatsupport.domain.roles import Role
from chatsupport.domain.rota import Closure, Shift, ShiftRole
from chatsupport.domain.youth_texts import DEFAULT_TEXTS, YouthTexts, is_blank
from tests.helpers import PASSWORD, add_user, error_code, login, running_app
from tests.live import LiveServer
from tests.web_checks import assert_accessible, screenshot, web_server

WAIT_MS = 10_000
HKI = ZoneInfo("Europe/Helsinki")


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[LiveServer]:
    async with web_server(tmp_path) as live:
        await live.runtime.accounts.create_responder(
            login_name="koordi",
            display_name="Kaisa Koordinaattori",
            role=Role.COORDINATOR,
            password=PASSWORD,
        )
        yield live


async def signed_in(browser: Browser, server: LiveServer, width: int, height: int) -> Page:
    context = await browser.new_context(viewport={"width": width, "height": height}, locale="fi-FI")
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.errors = errors  # type: ignore[attr-defined]
    await page.goto(server.base + "/coordinator/")
    await page.fill("#login", "koordi")
    await page.fill("#password", PASSWORD)
    await page.click("#login-button")
    await page.wait_for_selector("#responders", timeout=WAIT_MS)
    return page


# --- finding 4: languages on the rota ------------------------------------------------------


async def test_rota_languages_leave_out_deactivated_responders(
    server: LiveServer, browser: Browser
) -> None:
    """Pekka, the only Swedish speaker, is deactivated: the rota list and the week grid no
    longer claim Swedish cover (the youth API already says so)."""
    rt = server.runtime
    sanna = await rt.accounts.create_responder(
        login_name="sanna", display_name="Sanna", role=Role.PROFESSIONAL, password=PASSWORD
    )
    pekka = await rt.accounts.create_responder(
        login_name="pekka",
        display_name="Pekka",
        role=Role.PROFESSIONAL,
        password=PASSWORD,
        languages=("fi", "sv", "en"),
    )
    await rt.rota.save_shift(
        Shift(
            id=0,
            role=ShiftRole.PROFESSIONAL,
            starts=time(14),
            ends=time(18),
            responder_ids=frozenset({sanna.id, pekka.id}),
            weekday=0,
        )
    )
    page = await signed_in(browser, server, 1280, 900)
    await page.click("#nav-vuorot")
    row = "#shift-list tbody tr"
    block = ".week .day[data-weekday='0'] .block"
    await page.wait_for_selector(block, timeout=WAIT_MS)
    assert await page.locator(f"{row} td.langs").text_content() == "suomi, ruotsi, englanti"
    assert await page.inner_text(f"{block} .langs") == "FI SV EN"

    await rt.accounts.update_responder(responder_id=pekka.id, active=False)
    await page.reload()
    await page.click("#nav-vuorot")
    await page.wait_for_selector(f"{block}:has-text('ei käytössä')", timeout=WAIT_MS)
    assert await page.locator(f"{row} td.langs").text_content() == "suomi"
    assert await page.inner_text(f"{block} .langs") == "FI"
    assert "kielet suomi." in (await page.get_attribute(block, "aria-label") or "")
    await screenshot(page, "coordinator-review-rota-languages")
    assert page.errors == []  # type: ignore[attr-defined]


# --- finding 6: the closure form's errors ------------------------------------------------------


def test_closed_hours_with_one_time_have_their_own_code() -> None:
    for bad in (
        Closure(1, date(2026, 12, 24), time(15), None),
        Closure(1, date(2026, 12, 24), None, time(15)),
    ):
        with pytest.raises(ChatSupportError) as caught:
            r.validate_closure(bad, zone=HKI)
        assert caught.value.code == r.CLOSURE_TIMES_INCOMPLETE == "rota.closure_times_incomplete"
    with pytest.raises(ChatSupportError) as caught:  # the existing code is unchanged
        r.validate_closure(Closure(1, date(2026, 12, 24), time(15), time(14)), zone=HKI)
    assert caught.value.code == "rota.end_before_start"


async def test_closed_hours_with_one_time_over_http(settings_values: dict[str, Any]) -> None:
    async with running_app(settings_values) as (client, rt):
        await add_user(rt, "koordi", Role.COORDINATOR)
        headers = {"X-CSRF-Token": await login(client, "koordi")}
        body = {"date": "2026-12-24", "starts": "15:00", "note": ""}
        refused = await client.post("/api/rota/closures", json=body, headers=headers)
        assert refused.status_code == 422
        assert error_code(refused) == "rota.closure_times_incomplete"


async def test_closure_form_errors_are_its_own_and_finnish(
    server: LiveServer, browser: Browser
) -> None:
    """End before start does not point to the shift form's next-day box; only a start time
    gives a Finnish sentence, not the server's English."""
    page = await signed_in(browser, server, 1280, 900)
    await page.click("#nav-vuorot")
    await page.wait_for_selector("#closure-form", timeout=WAIT_MS)
    await page.fill("#closure-date", "2026-11-28")
    await page.fill("#closure-starts", "18:00")
    await page.fill("#closure-ends", "10:00")
    await page.click("#closure-save")
    error = page.locator("#closure-error")
    await page.wait_for_selector("#closure-error:has-text('alkuaika')", timeout=WAIT_MS)
    text = await error.inner_text()
    assert "seuraavana päivänä" not in text and "keskiyön" in text
    await screenshot(page, "coordinator-review-closure-reverse")

    await page.fill("#closure-ends", "")
    await page.click("#closure-save")
    await page.wait_for_selector("#closure-error:has-text('sekä alku- että')", timeout=WAIT_MS)
    text = await error.inner_text()
    assert "Tarkista kentät" not in text and "give both" not in text
    await screenshot(page, "coordinator-review-closure-half")
    assert page.errors == []  # type: ignore[attr-defined]


# --- finding 8: the responders table at laptop widths -------------------------------------------


FITS = """() => {
  const wrap = document.querySelector('#responders').closest('.table-wrap');
  const box = wrap.getBoundingClientRect();
  const out = [];
  for (const b of document.querySelectorAll('#responders td.actions button')) {
    const r = b.getBoundingClientRect();
    if (r.left < box.left - 0.5 || r.right > box.right + 0.5 || r.right > window.innerWidth)
      out.push(`${b.getAttribute('aria-label')}: ${r.left}-${r.right} ` +
               `outside ${box.left}-${box.right}`);
  }
  return { scroll: wrap.scrollWidth - wrap.clientWidth, outside: out,
           page: document.documentElement.scrollWidth - window.innerWidth };
}"""


@pytest.mark.parametrize(("width", "height"), [(1280, 720), (1024, 768)])
async def test_responder_actions_fit_a_laptop_screen(
    server: LiveServer, browser: Browser, width: int, height: int
) -> None:
    """Every action button (also the two-factor reset) is inside the visible table: no
    sideways scrolling at 1280x720 or 1024x768."""
    rt = server.runtime
    for login_name, name, role, languages in [
        ("sanna", "Sanna Sosiaalityöntekijä", Role.PROFESSIONAL, ("fi", "sv", "en")),
        ("pekka", "Pekka Perhetyöntekijä", Role.PROFESSIONAL, ("fi", "sv")),
        ("aino", "Aino Kokemusasiantuntija", Role.EXPERIENCE_EXPERT, ("fi",)),
    ]:
        await rt.accounts.create_responder(
            login_name=login_name,
            display_name=name,
            role=role,
            password=PASSWORD,
            languages=languages,
        )
    sanna = next(x for x in await rt.accounts.list_responders() if x.login_name == "sanna")
    begun = await rt.two_factor.begin(sanna)
    await rt.two_factor.confirm(sanna, pyotp.TOTP(begun.secret).at(rt.clock.now()))
    aino = next(x for x in await rt.accounts.list_responders() if x.login_name == "aino")
    await rt.accounts.update_responder(responder_id=aino.id, active=False)

    page = await signed_in(browser, server, width, height)
    await page.wait_for_selector("#responders tr[data-login='sanna'] .reset-two-factor")
    await page.wait_for_selector("#responders tr[data-login='aino'] :text('Ota käyttöön')")
    result = await page.evaluate(FITS)
    await screenshot(page, f"coordinator-review-responders-{width}x{height}")
    assert result["outside"] == [], result
    assert result["scroll"] <= 0 and result["page"] <= 0, result
    await assert_accessible(page, f"coordinator-review-responders-a11y-{width}")


# --- finding 9: focus after login, blank youth texts, long chart labels ------------------------


async def test_focus_moves_to_the_section_heading_after_login(
    server: LiveServer, browser: Browser
) -> None:
    page = await signed_in(browser, server, 1280, 900)
    await page.wait_for_function(
        "document.activeElement && document.activeElement.id === 'responders-title'",
        timeout=WAIT_MS,
    )
    assert await page.evaluate("document.activeElement.textContent") == "Vastaajat"


@pytest.mark.parametrize(
    "blank", ["\u200b\u200b", " \u2060\ufeff\u200c\u200d ", "\u00a0\u200b", "\u3164", ""]
)
def test_a_text_that_shows_nothing_is_empty(blank: str) -> None:
    assert is_blank(blank)
    texts = YouthTexts(opening="Moi", closed="Kiinni", emergency=blank, accessibility="x")
    assert texts.emergency == ""


def test_visible_texts_are_kept_as_they_are() -> None:
    for value in ("Soita 112\u200b", "\u200bSoita 112", "👩\u200d👧", "112"):
        assert not is_blank(value)
        assert YouthTexts(opening=value, closed="c", emergency="e", accessibility="a").opening == (
            value
        )
    for lang, texts in DEFAULT_TEXTS.items():
        assert YouthTexts(**vars_of(texts)) == texts, lang


def vars_of(texts: YouthTexts) -> dict[str, str]:
    return {f: getattr(texts, f) for f in ("opening", "closed", "emergency", "accessibility")}


async def test_zero_width_youth_text_is_refused_like_an_empty_one(
    settings_values: dict[str, Any],
) -> None:
    async with running_app(settings_values) as (client, rt):
        await add_user(rt, "koordi", Role.COORDINATOR)
        headers = {"X-CSRF-Token": await login(client, "koordi")}
        good = {
            "opening": "Hei!",
            "closed": "Kiinni.",
            "emergency": "Soita 112.",
            "accessibility": "x",
        }
        empty = await client.put(
            "/api/rota/texts/en", json={**good, "emergency": " "}, headers=headers
        )
        assert empty.status_code == 422
        for blank in ("\u200b\u200b", "\u2060\ufeff", "\u200b \u200c"):
            refused = await client.put(
                "/api/rota/texts/en", json={**good, "emergency": blank}, headers=headers
            )
            assert refused.status_code == 422, blank
            assert error_code(refused) == error_code(empty)
        stored = (await client.get("/api/rota/texts/en")).json()
        assert stored["emergency"] == DEFAULT_TEXTS["en"].emergency
        saved = await client.put("/api/rota/texts/en", json=good, headers=headers)
        assert saved.status_code == 200


LONG = "Kiusaaminen koulussa tai harrastuksissa sekä netissä tapahtuva häirintä"

CHART = """async (labels) => {
  const { hBarChart } = await import('/static/coordinator/charts.js');
  const rows = labels.map(
    (label, i) => ({ label, cell: { value: 10 + i, display: String(10 + i) } }));
  rows.push({ label: labels[0], cell: { value: null, display: '<5' } });
  const figure = document.createElement('figure');
  figure.id = 'label-test';
  figure.append(hBarChart({ rows, label: 'testi' }));
  document.querySelector('main').prepend(figure);
  const svg = figure.querySelector('svg');
  const width = svg.viewBox.baseVal.width;
  return [...svg.querySelectorAll('text.row-label')].map((t) => {
    const box = t.getBBox();
    return { text: [...t.querySelectorAll('tspan')].map((s) => s.textContent),
             left: box.x, right: box.x + box.width, width,
             title: t.querySelector('title')?.textContent ?? null };
  });
}"""


@pytest.mark.parametrize("width", [1280, 1024])
async def test_long_chart_labels_keep_their_beginning(
    server: LiveServer, browser: Browser, width: int
) -> None:
    """A label longer than a line wraps (two lines at most) and is cut at its end with an
    ellipsis; it never runs off the left edge of the chart."""
    page = await signed_in(browser, server, width, 800)
    labels = [
        LONG,
        "W" * 40,  # one word too long for a line, wide letters
        "Lyhyt",
        "Ensimmäinen " + "hyvin pitkä nimi " * 6,
    ]
    drawn = await page.evaluate(CHART, labels)
    await page.locator("#label-test").screenshot(
        path=str(Path("test-results/screenshots/coordinator-review-chart-labels.png"))
    )
    for label, out in zip(labels, drawn, strict=False):
        assert out["left"] >= 0, out  # nothing cut at the start
        assert out["right"] <= 230, out  # and nothing under the bars
        assert 1 <= len(out["text"]) <= 2, out
        assert label.startswith(out["text"][0].rstrip("…")), out
    assert drawn[2]["text"] == ["Lyhyt"] and drawn[2]["title"] is None
    assert drawn[0]["text"][0].startswith("Kiusaaminen koulussa")
    assert drawn[3]["text"][-1].endswith("…") and drawn[3]["title"] == labels[3]
    assert drawn[1]["text"][0].startswith("WWW") and drawn[1]["text"][0].endswith("…")
    assert drawn[4]["left"] >= 0  # the row with a hidden cell too
    assert page.errors == []  # type: ignore[attr-defined]


async def test_deactivating_the_last_responder_of_a_shift_says_so(
    server: LiveServer, browser: Browser
) -> None:
    """Sanna is alone on Monday's shift and backs Aino's expert shift: the question before
    deactivating her says both shifts will not open; Pekka, who shares nothing, gets the
    plain question."""
    rt = server.runtime
    sanna = await rt.accounts.create_responder(
        login_name="sanna", display_name="Sanna", role=Role.PROFESSIONAL, password=PASSWORD
    )
    pekka = await rt.accounts.create_responder(
        login_name="pekka", display_name="Pekka", role=Role.PROFESSIONAL, password=PASSWORD
    )
    aino = await rt.accounts.create_responder(
        login_name="aino", display_name="Aino", role=Role.EXPERIENCE_EXPERT, password=PASSWORD
    )
    monday = Shift(0, ShiftRole.PROFESSIONAL, time(14), time(18), frozenset({sanna.id}), 0)
    await rt.rota.save_shift(monday)
    expert = Shift(
        0, ShiftRole.EXPERIENCE_EXPERT, time(18), time(20), frozenset({aino.id}), 3, None,
        False, sanna.id,
    )  # fmt: skip
    await rt.rota.save_shift(expert)
    page = await signed_in(browser, server, 1280, 900)
    asked: list[str] = []

    async def answer(dialog: Any) -> None:
        asked.append(dialog.message)
        await dialog.dismiss()

    page.on("dialog", answer)
    await page.click("button[aria-label='Poista käytöstä: Sanna']")
    await page.wait_for_timeout(500)
    await page.click("button[aria-label='Poista käytöstä: Pekka']")
    await page.wait_for_timeout(500)
    assert len(asked) == 2
    assert "ainoa käytössä oleva vastaaja 1 vuorossa" in asked[0]
    assert "tukihenkilö 1 kokemusasiantuntijavuorossa" in asked[0]
    assert "ainoa" not in asked[1] and "tukihenkilö" not in asked[1]
    assert pekka.id and all(r.active for r in await rt.accounts.list_responders())  # dismissed


AXIS = """async (values) => {
  const { barChart } = await import('/static/coordinator/charts.js');
  const cells = values.map((value) => ({ value, display: String(value) }));
  const svg = barChart({ categories: values.map(String), series: [{ name: 'a', cells }],
                         label: 'testi', unit: 'min' });
  return [...svg.querySelectorAll('text')].map((t) => t.textContent)
    .filter((text) => /^[0-9]/.test(text));
}"""


async def test_a_small_scale_axis_names_each_tick_once(
    server: LiveServer, browser: Browser
) -> None:
    """Waiting times of a few seconds in minutes: the axis read "0 · 0,1 · 0,1 · 0,2 · 0,2"
    (review of 27 Nov, coordinator finding 7); each tick has its own label."""
    page = await signed_in(browser, server, 1280, 800)
    ticks = (await page.evaluate(AXIS, [0.1, 0.2]))[:5]
    assert ticks == ["0", "0,05", "0,1", "0,15", "0,2"]


# --- rev16 finding 3: a role change --------------------------------------------------------
# Changing a responder's role on the coordinator page (exploratory review rev16, finding 3).
#
# A new role takes the responder out of every shift of the other role, and out of backing expert
# shifts when they are no longer a professional. The coordinator is asked first, with the same
# warning as for deactivation; cancelling changes nothing. The rota then marks the responder and
# the backup whose role no longer fits the shift, as it marks deactivated people.


async def role_of(server: LiveServer, login_name: str) -> Role:
    accounts = await server.runtime.accounts.list_responders()
    return next(a for a in accounts if a.login_name == login_name).role


async def test_a_role_change_warns_first_and_the_rota_marks_it(
    server: LiveServer, browser: Browser
) -> None:
    rt = server.runtime
    people = {}
    for login_name, name, role in [
        ("sanna", "Sanna", Role.PROFESSIONAL),
        ("pekka", "Pekka", Role.PROFESSIONAL),
        ("leena", "Leena", Role.PROFESSIONAL),
        ("aino", "Aino", Role.EXPERIENCE_EXPERT),
    ]:
        people[login_name] = await rt.accounts.create_responder(
            login_name=login_name, display_name=name, role=role, password=PASSWORD
        )
    sanna, pekka, aino = people["sanna"].id, people["pekka"].id, people["aino"].id
    # Monday: Sanna alone; Tuesday: Sanna with Pekka; Thursday: Aino, backed by Sanna
    for weekday, ids in [(0, {sanna}), (1, {sanna, pekka})]:
        await rt.rota.save_shift(
            Shift(
                id=0,
                role=ShiftRole.PROFESSIONAL,
                starts=time(14),
                ends=time(18),
                responder_ids=frozenset(ids),
                weekday=weekday,
            )
        )
    await rt.rota.save_shift(
        Shift(
            id=0,
            role=ShiftRole.EXPERIENCE_EXPERT,
            starts=time(18),
            ends=time(21),
            responder_ids=frozenset({aino}),
            weekday=3,
            backup_id=sanna,
        )
    )

    page = await signed_in(browser, server, 1280, 900)
    asked: list[str] = []
    answers: list[bool] = []

    async def answer(dialog: Any) -> None:
        asked.append(dialog.message)
        await (dialog.accept() if answers.pop(0) else dialog.dismiss())

    page.on("dialog", answer)

    # Leena is on no shift: her new role is saved without a question
    await page.click("#responders tr[data-login='leena'] button:has-text('Muokkaa')")
    await page.select_option("#edit-role", "experience_expert")
    await page.click("#edit-form button[type=submit]")
    await page.wait_for_selector("#responders-done:has-text('Tallennettu: Leena')", timeout=WAIT_MS)
    assert asked == []
    assert await role_of(server, "leena") is Role.EXPERIENCE_EXPERT

    # Sanna: asked first; cancelling keeps her role and the form as typed
    row = "#responders tr[data-login='sanna']"
    await page.click(f"{row} button:has-text('Muokkaa')")
    await page.select_option("#edit-role", "experience_expert")
    answers.append(False)
    await page.click("#edit-form button[type=submit]")
    for _ in range(100):  # the question comes after the rota is fetched
        if asked:
            break
        await page.wait_for_timeout(100)
    assert len(asked) == 1, asked
    message = asked[0]
    assert "Ammattilainen → Kokemusasiantuntija" in message
    assert "ainoa käytössä oleva vastaaja 1 vuorossa" in message  # Monday, not Tuesday
    assert "tukihenkilö 1 kokemusasiantuntijavuorossa" in message  # Thursday
    assert await role_of(server, "sanna") is Role.PROFESSIONAL
    assert await page.input_value("#edit-role") == "experience_expert"
    assert "Ammattilainen" in await page.inner_text(f"{row} td[data-label='Rooli']")

    # saved when confirmed
    answers.append(True)
    await page.click("#edit-form button[type=submit]")
    await page.wait_for_selector("#responders-done:has-text('Tallennettu: Sanna')", timeout=WAIT_MS)
    assert len(asked) == 2
    assert await role_of(server, "sanna") is Role.EXPERIENCE_EXPERT

    # the rota marks her on the professional shifts and as Thursday's backup
    await page.click("#nav-vuorot")
    monday = ".week .day[data-weekday='0'] .block"
    await page.wait_for_selector(monday, timeout=WAIT_MS)
    assert "Sanna (eri rooli)" in await page.inner_text(monday)
    assert "Sanna (eri rooli)" in (await page.get_attribute(monday, "aria-label") or "")
    tuesday = await page.inner_text(".week .day[data-weekday='1'] .block")
    assert "Sanna (eri rooli)" in tuesday and "Pekka" in tuesday and "Pekka (" not in tuesday
    thursday = ".week .day[data-weekday='3'] .block"
    assert "varalla Sanna (eri rooli)" in await page.inner_text(f"{thursday} .backup")
    assert "Aino (" not in await page.inner_text(thursday)
    await page.click("#shift-list summary")
    rows = await page.locator("#shift-list tbody tr").all_inner_texts()
    assert sum("Sanna (eri rooli)" in r for r in rows) == 3, rows
    await assert_accessible(page, "coordinator-role-change-rota")
    assert page.errors == []  # type: ignore[attr-defined]
