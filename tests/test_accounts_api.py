"""Staff accounts over the real HTTP API, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import select

from chatsupport.domain.roles import Role
from chatsupport.storage.database import Database
from chatsupport.storage.tables import ResponderRow, StaffSessionRow
from tests.helpers import PASSWORD, add_user, error_code, login, running_app


async def test_password_stored_as_argon2id_never_plain(settings_values: dict[str, Any]) -> None:
    """A created account stores an argon2id hash; the password appears in no column."""
    async with running_app(settings_values) as (client, rt):
        await add_user(rt, "coord", Role.COORDINATOR)
        csrf = await login(client, "coord")
        new_password = "a brand new secret phrase"
        response = await client.post(
            "/api/responders",
            json={
                "login_name": "Sanna",
                "display_name": "Sanna S",
                "role": "professional",
                "password": new_password,
            },
            headers={"X-CSRF-Token": csrf},
        )
        assert response.status_code == 201, response.text
        assert response.json()["login_name"] == "sanna"
        assert "password" not in response.text
        async with rt.db.read() as s:
            rows = list(await s.scalars(select(ResponderRow)))
        for row in rows:
            assert row.password_hash.startswith("$argon2id$")
            assert new_password not in repr(vars(row)) and PASSWORD not in repr(vars(row))


async def test_wrong_password_and_unknown_user_get_the_same_answer(
    settings_values: dict[str, Any],
) -> None:
    """Wrong password and unknown name both answer 401 auth.invalid_credentials."""
    async with running_app(settings_values) as (client, rt):
        await add_user(rt, "sanna", Role.PROFESSIONAL)
        wrong = await client.post(
            "/api/auth/login", json={"login_name": "sanna", "password": "nope"}
        )
        unknown = await client.post(
            "/api/auth/login", json={"login_name": "ghost", "password": "nope"}
        )
        assert wrong.status_code == unknown.status_code == 401
        assert error_code(wrong) == error_code(unknown) == "auth.invalid_credentials"
        assert wrong.json() == unknown.json()


async def test_unknown_name_costs_one_argon2_verification_like_a_wrong_password(
    settings_values: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """An unknown name runs the same argon2 verification as a wrong password (equal timing)."""
    async with running_app(settings_values) as (client, rt):
        await add_user(rt, "sanna", Role.PROFESSIONAL)
        calls: list[str] = []
        original = rt.hasher._verify_sync

        def counting(stored_hash: str, password: str) -> bool:
            calls.append(stored_hash[:9])
            return original(stored_hash, password)

        monkeypatch.setattr(rt.hasher, "_verify_sync", counting)
        await client.post("/api/auth/login", json={"login_name": "sanna", "password": "nope"})
        await client.post("/api/auth/login", json={"login_name": "ghost", "password": "nope"})
        assert calls == ["$argon2id", "$argon2id"]


async def test_repeated_failures_lock_the_account(settings_values: dict[str, Any]) -> None:
    """After the allowed failures the name is locked (429 auth.locked), even for the password."""
    settings_values["login_max_failures"] = 3
    async with running_app(settings_values) as (client, rt):
        await add_user(rt, "sanna", Role.PROFESSIONAL)
        for _ in range(3):
            r = await client.post("/api/auth/login", json={"login_name": "sanna", "password": "x"})
            assert r.status_code == 401
        locked = await client.post(
            "/api/auth/login", json={"login_name": "sanna", "password": PASSWORD}
        )
        assert locked.status_code == 429
        assert error_code(locked) == "auth.locked"
        assert int(locked.headers["Retry-After"]) > 0


async def test_unknown_names_lock_like_known_ones(settings_values: dict[str, Any]) -> None:
    """A lockout does not reveal whether a name exists: unknown names lock too."""
    settings_values["login_max_failures"] = 2
    async with running_app(settings_values) as (client, _):
        for _ in range(2):
            await client.post("/api/auth/login", json={"login_name": "ghost", "password": "x"})
        r = await client.post("/api/auth/login", json={"login_name": "ghost", "password": "x"})
        assert error_code(r) == "auth.locked"


async def test_success_resets_the_failure_count(settings_values: dict[str, Any]) -> None:
    """A successful login clears earlier failures."""
    settings_values["login_max_failures"] = 2
    async with running_app(settings_values) as (client, rt):
        await add_user(rt, "sanna", Role.PROFESSIONAL)
        await client.post("/api/auth/login", json={"login_name": "sanna", "password": "x"})
        await login(client, "sanna")
        r = await client.post("/api/auth/login", json={"login_name": "sanna", "password": "x"})
        assert error_code(r) == "auth.invalid_credentials"


async def test_professional_gets_403_and_anonymous_401_on_coordinator_routes(
    settings_values: dict[str, Any],
) -> None:
    """Coordinator routes refuse a professional (403) and a logged-out client (401)."""
    async with running_app(settings_values) as (client, rt):
        await add_user(rt, "sanna", Role.PROFESSIONAL)
        for path in ("/api/responders", "/api/rota"):
            anonymous = await client.get(path)
            assert anonymous.status_code == 401
            assert error_code(anonymous) == "auth.required"
        await login(client, "sanna")
        for path in ("/api/responders", "/api/rota"):
            forbidden = await client.get(path)
            assert forbidden.status_code == 403
            assert error_code(forbidden) == "auth.forbidden"


async def test_state_change_without_csrf_token_is_refused(settings_values: dict[str, Any]) -> None:
    """A POST with the session cookie but without the CSRF header changes nothing (403)."""
    async with running_app(settings_values) as (client, rt):
        await add_user(rt, "coord", Role.COORDINATOR)
        csrf = await login(client, "coord")
        body = {
            "login_name": "new1",
            "display_name": "N",
            "role": "professional",
            "password": "long enough password",
        }
        missing = await client.post("/api/responders", json=body)
        wrong = await client.post("/api/responders", json=body, headers={"X-CSRF-Token": "x" * 64})
        assert missing.status_code == wrong.status_code == 403
        assert error_code(missing) == error_code(wrong) == "auth.csrf_failed"
        assert len(await rt.accounts.list_responders()) == 1
        ok = await client.post("/api/responders", json=body, headers={"X-CSRF-Token": csrf})
        assert ok.status_code == 201


async def test_me_returns_the_csrf_token_after_a_reload(settings_values: dict[str, Any]) -> None:
    """GET /api/auth/me gives the signed-in responder and the same CSRF token as login."""
    async with running_app(settings_values) as (client, rt):
        await add_user(rt, "sanna", Role.PROFESSIONAL, name="Sanna")
        csrf = await login(client, "sanna")
        me = await client.get("/api/auth/me")
        assert me.json() == {
            "responder": {
                "id": 1,
                "login_name": "sanna",
                "display_name": "Sanna",
                "role": "professional",
                "active": True,
                "two_factor": False,
                "languages": ["fi"],
            },
            "csrf_token": csrf,
            "must_enrol": False,
        }


async def test_session_cookie_flags(settings_values: dict[str, Any]) -> None:
    """The session cookie is HttpOnly and SameSite=Strict, and Secure over https."""
    async with running_app(settings_values, base_url="https://testserver") as (client, rt):
        await add_user(rt, "sanna", Role.PROFESSIONAL)
        r = await client.post("/api/auth/login", json={"login_name": "sanna", "password": PASSWORD})
        cookie = r.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=strict" in cookie and "secure" in cookie
    async with running_app(settings_values) as (client, rt):
        r = await client.post("/api/auth/login", json={"login_name": "sanna", "password": PASSWORD})
        assert "secure" not in r.headers["set-cookie"].lower()


async def test_logout_ends_the_session(settings_values: dict[str, Any]) -> None:
    """After logout the old cookie no longer authenticates."""
    async with running_app(settings_values) as (client, rt):
        await add_user(rt, "sanna", Role.PROFESSIONAL)
        csrf = await login(client, "sanna")
        cookie = client.cookies.get("cs_session")
        assert (
            await client.post("/api/auth/logout", headers={"X-CSRF-Token": csrf})
        ).status_code == 204
        client.cookies.set("cs_session", cookie or "")
        assert (await client.get("/api/auth/me")).status_code == 401
        async with rt.db.read() as s:
            assert list(await s.scalars(select(StaffSessionRow))) == []


async def test_coordinator_manages_accounts(settings_values: dict[str, Any]) -> None:
    """Create, rename, deactivate and reset the password of a responder through the API; only
    a deactivation or a changed role ends their sessions."""
    async with running_app(settings_values) as (client, rt):
        await add_user(rt, "coord", Role.COORDINATOR)
        sanna = await add_user(rt, "sanna", Role.EXPERIENCE_EXPERT)
        csrf = {"X-CSRF-Token": await login(client, "coord")}
        renamed = await client.patch(
            f"/api/responders/{sanna}", json={"display_name": "Aino"}, headers=csrf
        )
        assert renamed.json()["display_name"] == "Aino"
        reset = await client.post(
            f"/api/responders/{sanna}/password",
            json={"password": "another long password"},
            headers=csrf,
        )
        assert reset.status_code == 204
        async with running_app(settings_values) as (other, _):
            await login(other, "sanna", "another long password")
            # a save that sends her role unchanged (with new languages) keeps her signed in
            kept = {"role": "experience_expert", "languages": ["fi", "sv"]}
            await client.patch(f"/api/responders/{sanna}", json=kept, headers=csrf)
            assert (await other.get("/api/auth/me")).status_code == 200
            off = await client.patch(
                f"/api/responders/{sanna}", json={"active": False}, headers=csrf
            )
            assert off.json()["active"] is False
            assert (await other.get("/api/auth/me")).status_code == 401  # session ended
            again = await other.post(
                "/api/auth/login", json={"login_name": "sanna", "password": "another long password"}
            )
            assert error_code(again) == "auth.invalid_credentials"


async def test_coordinator_sets_the_languages_a_responder_answers_in(
    settings_values: dict[str, Any],
) -> None:
    """Finnish unless told; one or more of fi, sv, en, kept in that order; anything else or
    none is refused with a stable code and changes nothing."""
    async with running_app(settings_values) as (client, rt):
        await add_user(rt, "coord", Role.COORDINATOR)
        csrf = {"X-CSRF-Token": await login(client, "coord")}
        body = {"display_name": "Sara", "role": "professional", "password": "long enough password"}
        first = {**body, "login_name": "s1"}
        plain = await client.post("/api/responders", json=first, headers=csrf)
        assert plain.json()["languages"] == ["fi"]
        both = {**body, "login_name": "s2", "languages": ["sv", "fi"]}
        made = await client.post("/api/responders", json=both, headers=csrf)
        assert made.status_code == 201 and made.json()["languages"] == ["fi", "sv"]
        sara = made.json()["id"]
        changed = await client.patch(
            f"/api/responders/{sara}", json={"languages": ["en", "sv"]}, headers=csrf
        )
        assert changed.json()["languages"] == ["sv", "en"]
        assert (await rt.accounts.get_responder(sara)).languages == ("sv", "en")
        for wrong in ([], ["de"], "fi"):
            refused = await client.patch(
                f"/api/responders/{sara}", json={"languages": wrong}, headers=csrf
            )
            assert (refused.status_code, error_code(refused)) == (422, "request.invalid")
        assert (await client.get(f"/api/responders/{sara}")).json()["languages"] == ["sv", "en"]


async def test_coordinator_cannot_deactivate_themself(settings_values: dict[str, Any]) -> None:
    """The last door stays open: a coordinator cannot deactivate or demote their own account."""
    async with running_app(settings_values) as (client, rt):
        me = await add_user(rt, "coord", Role.COORDINATOR)
        csrf = {"X-CSRF-Token": await login(client, "coord")}
        r = await client.patch(f"/api/responders/{me}", json={"active": False}, headers=csrf)
        assert r.status_code == 422 and error_code(r) == "account.self_change"


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (
            {
                "login_name": "a b",
                "display_name": "x",
                "role": "professional",
                "password": "long enough password",
            },
            "account.invalid_login_name",
        ),
        (
            {"login_name": "abc", "display_name": "x", "role": "professional", "password": "short"},
            "account.weak_password",
        ),
        (
            {
                "login_name": "abc",
                "display_name": "x",
                "role": "superuser",
                "password": "long enough password",
            },
            "request.invalid",
        ),
        (
            {
                "login_name": "abc",
                "display_name": "x",
                "role": "professional",
                "password": "long enough password",
                "is_admin": True,
            },
            "request.invalid",
        ),
        (
            {
                "login_name": "coord",
                "display_name": "x",
                "role": "professional",
                "password": "long enough password",
            },
            "account.login_name_taken",
        ),
    ],
)
async def test_bad_account_input_gets_a_stable_code(
    settings_values: dict[str, Any], body: dict[str, object], code: str
) -> None:
    """Each kind of bad account input has its own stable error code and stores nothing."""
    async with running_app(settings_values) as (client, rt):
        await add_user(rt, "coord", Role.COORDINATOR)
        csrf = {"X-CSRF-Token": await login(client, "coord")}
        r = await client.post("/api/responders", json=body, headers=csrf)
        assert 400 <= r.status_code < 500
        assert error_code(r) == code
        assert len(await rt.accounts.list_responders()) == 1


async def test_errors_never_echo_the_input(settings_values: dict[str, Any]) -> None:
    """Validation errors name the field but never repeat the value that arrived."""
    canary = "CANARY-private-text-8812"
    async with running_app(settings_values) as (client, _):
        r = await client.post("/api/auth/login", json={"login_name": canary, "extra": canary})
        assert r.status_code == 422
        assert canary not in r.text
        assert set(r.json()) == {"error"}
        malformed = await client.post(
            "/api/auth/login",
            content=b'{"x": "' + canary.encode(),
            headers={"content-type": "application/json"},
        )
        assert error_code(malformed) == "request.malformed_json"
        assert canary not in malformed.text


async def test_unknown_route_and_method_answer_json(settings_values: dict[str, Any]) -> None:
    """Unknown paths and methods get JSON errors with stable codes too."""
    async with running_app(settings_values) as (client, _):
        assert error_code(await client.get("/api/nothing-here")) == "http.not_found"
        assert error_code(await client.delete("/api/auth/login")) == "http.method_not_allowed"


async def test_a_body_over_the_ceiling_is_refused_before_any_route_reads_it(
    settings_values: dict[str, Any],
) -> None:
    """413 `request.too_large`, whether the length is declared or the body comes in chunks;
    a body under the ceiling reaches the route as before."""
    async with running_app({**settings_values, "max_body_bytes": 16384}) as (client, rt):
        await add_user(rt, "sanna", Role.PROFESSIONAL)
        big = b'{"login_name": "sanna", "password": "' + b"x" * 20000 + b'"}'
        declared = await client.post(
            "/api/auth/login", content=big, headers={"Content-Type": "application/json"}
        )
        assert (declared.status_code, error_code(declared)) == (413, "request.too_large")

        async def chunks() -> AsyncIterator[bytes]:
            for start in range(0, len(big), 4096):
                yield big[start : start + 4096]

        chunked = await client.post(
            "/api/auth/login", content=chunks(), headers={"Content-Type": "application/json"}
        )
        assert (chunked.status_code, error_code(chunked)) == (413, "request.too_large")
        fine = await client.post(
            "/api/auth/login", json={"login_name": "sanna", "password": PASSWORD}
        )
        assert fine.status_code == 200


async def test_login_from_a_foreign_origin_is_refused(settings_values: dict[str, Any]) -> None:
    """A login posted from another site's page is refused (no login CSRF)."""
    async with running_app(settings_values) as (client, rt):
        await add_user(rt, "sanna", Role.PROFESSIONAL)
        r = await client.post(
            "/api/auth/login",
            json={"login_name": "sanna", "password": PASSWORD},
            headers={"Origin": "https://evil.example"},
        )
        assert r.status_code == 403 and error_code(r) == "auth.origin_refused"


async def test_changed_hash_parameters_rehash_on_login(settings_values: dict[str, Any]) -> None:
    """When argon2 parameters change, the next successful login stores a hash with the new ones."""
    async with running_app(settings_values) as (_, rt):
        await add_user(rt, "sanna", Role.PROFESSIONAL)
    settings_values["password_hash_time_cost"] = 2
    async with running_app(settings_values) as (client, rt):
        await login(client, "sanna")
        async with rt.db.read() as s:
            stored = await s.scalar(select(ResponderRow.password_hash))
        assert stored is not None and ",t=2," in stored


async def test_health_and_readiness(settings_values: dict[str, Any]) -> None:
    """/healthz answers while alive; /readyz reports the database and the broker."""
    async with running_app(settings_values) as (client, rt):
        assert (await client.get("/healthz")).json() == {"status": "ok"}
        ready = await client.get("/readyz")
        assert ready.status_code == 200
        assert ready.json() == {"ready": True, "checks": {"database": True, "broker": True}}
        # The database is gone: readiness asks one that cannot be reached. The live one is
        # not disposed under the app, whose background purge may be using it (a connection
        # cut off mid-transaction that way leaked into later tests as a ResourceWarning).
        live, rt.db = rt.db, Database("postgresql+asyncpg://nobody@127.0.0.1:9/none")
        try:
            down = await client.get("/readyz")
        finally:
            gone, rt.db = rt.db, live
            await gone.dispose()
        assert down.status_code == 503
        assert down.json()["checks"]["database"] is False
