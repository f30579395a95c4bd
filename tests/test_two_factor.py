"""Two-factor login (TOTP, RFC 6238) for staff, through the HTTP API and the responder socket,
on SQLite and PostgreSQL. Codes are made from the secret with a frozen clock."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import httpx
import pyotp
import pytest
import websockets

from chatsupport.api.runtime import Runtime
from chatsupport.domain.clock import FrozenClock
from chatsupport.domain.errors import NotAuthenticated
from chatsupport.domain.roles import Role
from chatsupport.domain.two_factor import TwoFactorPolicy
from chatsupport.settings import Settings
from chatsupport.storage.tables import ResponderRow
from tests.helpers import PASSWORD, add_user, error_code, login, running_app
from tests.live import WsClient, live_server, session_cookie

START = datetime(2026, 11, 26, 9, 0, 10, tzinfo=UTC)  # 10 s into a 30-second step


@asynccontextmanager
async def app_with(
    values: dict[str, Any], policy: str, **extra: Any
) -> AsyncIterator[tuple[httpx.AsyncClient, Runtime, FrozenClock]]:
    clock = FrozenClock(START)
    async with running_app({**values, "two_factor": policy, **extra}, clock=clock) as (c, rt):
        yield c, rt, clock


async def sign_in(client: httpx.AsyncClient, name: str, code: str | None = None) -> httpx.Response:
    body = {"login_name": name, "password": PASSWORD}
    if code is not None:
        body["code"] = code
    return await client.post("/api/auth/login", json=body)


async def enrol(client: httpx.AsyncClient, csrf: str, clock: FrozenClock) -> tuple[str, list[str]]:
    """Begin and confirm with the current code; the secret and the recovery codes."""
    headers = {"X-CSRF-Token": csrf}
    begun = await client.post("/api/auth/two-factor/begin", headers=headers)
    assert begun.status_code == 200, begun.text
    secret = begun.json()["secret"]
    assert begun.json()["uri"].startswith("otpauth://totp/")
    assert begun.json()["qr_svg"].startswith("<svg")
    code = pyotp.TOTP(secret).at(clock.now())
    confirmed = await client.post(
        "/api/auth/two-factor/confirm", headers=headers, json={"code": code}
    )
    assert confirmed.status_code == 200, confirmed.text
    return secret, confirmed.json()["recovery_codes"]


def code_at(secret: str, clock: FrozenClock) -> str:
    return pyotp.TOTP(secret).at(clock.now())


async def test_a_coordinator_cannot_log_in_without_the_second_factor(
    settings_values: dict[str, Any],
) -> None:
    """First login may only enrol; after enrolment a login needs a fresh code, and a code
    seen once (replayed) is refused. A wrong password never hears about the second factor."""
    async with app_with(settings_values, "coordinators") as (client, rt, clock):
        await add_user(rt, "koordi", Role.COORDINATOR)
        first = await sign_in(client, "koordi")
        assert first.status_code == 200 and first.json()["must_enrol"] is True
        csrf = first.json()["csrf_token"]
        refused = await client.get("/api/responders")
        assert (refused.status_code, error_code(refused)) == (403, "auth.enrolment_required")
        me = await client.get("/api/auth/me")
        assert me.json()["must_enrol"] is True
        status = (await client.get("/api/auth/two-factor")).json()
        assert status == {
            "enrolled": False,
            "pending": False,
            "required": True,
            "recovery_codes_left": 0,
        }

        secret, codes = await enrol(client, csrf, clock)
        assert len(codes) == 10 and len(set(codes)) == 10
        assert (await client.get("/api/responders")).status_code == 200
        assert (await client.get("/api/auth/me")).json()["must_enrol"] is False

        client.cookies.clear()
        asked = await sign_in(client, "koordi")
        assert (asked.status_code, error_code(asked)) == (401, "auth.second_factor_required")
        wrong_password = await client.post(
            "/api/auth/login", json={"login_name": "koordi", "password": "wrong password!"}
        )
        assert error_code(wrong_password) == "auth.invalid_credentials"
        assert "cs_session" not in client.cookies

        clock.advance(seconds=30)  # the confirming code's step is used up
        code = code_at(secret, clock)
        ok = await sign_in(client, "koordi", code)
        assert ok.status_code == 200 and ok.json()["must_enrol"] is False
        assert ok.json()["responder"]["two_factor"] is True
        client.cookies.clear()
        replayed = await sign_in(client, "koordi", code)
        assert (replayed.status_code, error_code(replayed)) == (401, "auth.invalid_second_factor")
        clock.advance(seconds=30)
        assert (await sign_in(client, "koordi", code_at(secret, clock))).status_code == 200


async def test_a_recovery_code_works_exactly_once(settings_values: dict[str, Any]) -> None:
    """Each recovery code opens one session; case, spaces and the dash do not matter."""
    async with app_with(settings_values, "coordinators") as (client, rt, clock):
        await add_user(rt, "koordi", Role.COORDINATOR)
        _, codes = await enrol(client, await login(client, "koordi"), clock)
        client.cookies.clear()
        assert (await sign_in(client, "koordi", codes[0])).status_code == 200
        client.cookies.clear()
        again = await sign_in(client, "koordi", codes[0])
        assert error_code(again) == "auth.invalid_second_factor"
        typed = codes[1].upper().replace("-", " ")
        assert (await sign_in(client, "koordi", typed)).status_code == 200
        left = (await client.get("/api/auth/two-factor")).json()["recovery_codes_left"]
        assert left == 8


async def test_wrong_codes_count_towards_the_lockout(settings_values: dict[str, Any]) -> None:
    """A right password with wrong codes locks the name like wrong passwords do."""
    async with app_with(settings_values, "coordinators", login_max_failures=3) as (
        client,
        rt,
        clock,
    ):
        await add_user(rt, "koordi", Role.COORDINATOR)
        secret, _ = await enrol(client, await login(client, "koordi"), clock)
        client.cookies.clear()
        clock.advance(seconds=30)
        right = code_at(secret, clock)
        wrong = f"{(int(right) + 1) % 1_000_000:06d}"
        for _ in range(3):
            assert error_code(await sign_in(client, "koordi", wrong)) == (
                "auth.invalid_second_factor"
            )
        locked = await sign_in(client, "koordi", right)
        assert (locked.status_code, error_code(locked)) == (429, "auth.locked")


async def test_enrolment_is_pending_until_confirmed(settings_values: dict[str, Any]) -> None:
    """A begun enrolment is not enforced; a wrong first code is refused; begin again while
    enrolled is refused; with the policy off an enrolled account still needs its code."""
    async with app_with(settings_values, "off") as (client, rt, clock):
        await add_user(rt, "anna", Role.PROFESSIONAL)
        csrf = {"X-CSRF-Token": await login(client, "anna")}
        assert (await client.post("/api/auth/two-factor/begin")).status_code == 403  # no CSRF
        begun = (await client.post("/api/auth/two-factor/begin", headers=csrf)).json()
        assert (await client.get("/api/auth/two-factor")).json()["pending"] is True
        client.cookies.clear()
        assert (await sign_in(client, "anna")).status_code == 200  # pending: not in force
        csrf = {"X-CSRF-Token": (await sign_in(client, "anna")).json()["csrf_token"]}
        code = code_at(begun["secret"], clock)
        bad = f"{(int(code) + 1) % 1_000_000:06d}"
        wrong = await client.post("/api/auth/two-factor/confirm", headers=csrf, json={"code": bad})
        assert (wrong.status_code, error_code(wrong)) == (422, "two_factor.invalid_code")
        done = await client.post("/api/auth/two-factor/confirm", headers=csrf, json={"code": code})
        assert done.status_code == 200
        again = await client.post("/api/auth/two-factor/begin", headers=csrf)
        assert (again.status_code, error_code(again)) == (409, "two_factor.already_enrolled")
        client.cookies.clear()
        assert error_code(await sign_in(client, "anna")) == "auth.second_factor_required"


async def test_disable_with_a_code_only_where_the_policy_allows(
    settings_values: dict[str, Any],
) -> None:
    """A professional may turn an optional factor off with a current code; a coordinator,
    who must have one, may not."""
    async with app_with(settings_values, "coordinators") as (client, rt, clock):
        await add_user(rt, "anna", Role.PROFESSIONAL)
        await add_user(rt, "koordi", Role.COORDINATOR)
        csrf = {"X-CSRF-Token": await login(client, "anna")}
        secret, _ = await enrol(client, csrf["X-CSRF-Token"], clock)
        used = code_at(secret, clock)
        stale = await client.request(
            "DELETE", "/api/auth/two-factor", headers=csrf, json={"code": used}
        )
        assert error_code(stale) == "two_factor.invalid_code"  # the confirming code, replayed
        clock.advance(seconds=30)
        off = await client.request(
            "DELETE", "/api/auth/two-factor", headers=csrf, json={"code": code_at(secret, clock)}
        )
        assert off.status_code == 204
        client.cookies.clear()
        assert (await sign_in(client, "anna")).status_code == 200

        client.cookies.clear()
        csrf = {"X-CSRF-Token": await login(client, "koordi")}
        _, codes = await enrol(client, csrf["X-CSRF-Token"], clock)
        refused = await client.request(
            "DELETE", "/api/auth/two-factor", headers=csrf, json={"code": codes[0]}
        )
        assert (refused.status_code, error_code(refused)) == (403, "two_factor.required")


async def test_a_coordinator_resets_a_responders_second_factor(
    settings_values: dict[str, Any],
) -> None:
    """The reset removes the factor and ends the responder's sessions; under the policy
    "all" their next login may only enrol again. A coordinator cannot reset their own."""
    async with app_with(settings_values, "all") as (client, rt, clock):
        anna = await add_user(rt, "anna", Role.PROFESSIONAL)
        koordi = await add_user(rt, "koordi", Role.COORDINATOR)
        await enrol(client, await login(client, "anna"), clock)
        assert (await client.get("/api/canned?lang=fi")).status_code == 200
        annas_session = client.cookies["cs_session"]

        client.cookies.clear()
        await enrol(client, await login(client, "koordi"), clock)
        csrf = {"X-CSRF-Token": (await client.get("/api/auth/me")).json()["csrf_token"]}
        listed = {r["login_name"]: r for r in (await client.get("/api/responders")).json()}
        assert listed["anna"]["two_factor"] is True
        reset = await client.post(f"/api/responders/{anna}/two-factor/reset", headers=csrf)
        assert reset.status_code == 204
        with pytest.raises(NotAuthenticated):
            await rt.accounts.authenticate(annas_session)
        listed = {r["login_name"]: r for r in (await client.get("/api/responders")).json()}
        assert listed["anna"]["two_factor"] is False
        own = await client.post(f"/api/responders/{koordi}/two-factor/reset", headers=csrf)
        assert (own.status_code, error_code(own)) == (422, "two_factor.self_reset")
        unknown = await client.post("/api/responders/99999/two-factor/reset", headers=csrf)
        assert error_code(unknown) == "account.not_found"

        client.cookies.clear()
        again = await sign_in(client, "anna")
        assert again.status_code == 200 and again.json()["must_enrol"] is True
        async with rt.db.read() as s:
            row = await s.get(ResponderRow, anna)
            assert row is not None and row.totp_seed is None


async def test_a_restricted_session_cannot_open_the_responder_socket(
    stack_values: dict[str, Any],
) -> None:
    """Under "all", a responder who has not enrolled is refused by the socket (4103)."""
    stack_values["two_factor"] = "all"
    async with live_server(stack_values) as server:
        await add_user(server.runtime, "anna", Role.PROFESSIONAL)
        cookie = await session_cookie(server, "anna")
        async with websockets.connect(
            f"{server.ws_base}/ws/responder", additional_headers={"Cookie": cookie}
        ) as ws:
            client = WsClient(ws)
            assert (await client.recv())["code"] == "auth.enrolment_required"
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await client.recv()
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 4103


@pytest.mark.parametrize(
    ("environment", "given", "expected"),
    [
        ("production", None, TwoFactorPolicy.COORDINATORS),
        ("development", None, TwoFactorPolicy.OFF),
        ("production", "all", TwoFactorPolicy.ALL),
        ("production", "off", TwoFactorPolicy.OFF),
    ],
)
def test_the_policy_defaults_to_coordinators_in_production(
    environment: str, given: str | None, expected: TwoFactorPolicy
) -> None:
    """Production requires it of coordinators unless told otherwise; development (the demo)
    requires it of nobody."""
    values: dict[str, Any] = {"environment": environment}
    if given is not None:
        values["two_factor"] = given
    assert Settings(**values).two_factor_policy is expected
