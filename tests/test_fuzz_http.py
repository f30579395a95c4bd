"""Schemathesis over the whole HTTP API, as each role: anonymous, professional, coordinator.

For every operation in the OpenAPI document, generated requests (valid and invalid) must
never produce a 5xx or a traceback; every error has the documented shape with a stable code
and does not echo the request; a refused request changes nothing in the database.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from chatsupport.app import create_app
from chatsupport.settings import Settings
from tests.threaded_server import ThreadedServer, threaded_server

# Tables a refused request may legitimately touch: failed logins are counted, and a login
# opens a session.
BOOKKEEPING = {"login_throttle", "staff_sessions", "alembic_version"}
SESSIONS = {"anonymous": None, "professional": "anna", "coordinator": "koordi"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ThreadedServer]:
    with threaded_server(Path(tmp_path_factory.mktemp("schemathesis"))) as running:
        yield running


def _openapi() -> dict[str, Any]:
    """The same document the service serves at /api/openapi.json (building it needs no
    database: the app is created, not started)."""
    document: dict[str, Any] = create_app(Settings(database_url="sqlite+aiosqlite://")).openapi()
    return document


def table_counts(server: ThreadedServer) -> dict[str, int]:
    with sqlite3.connect(server.database) as conn:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    return {n: server.count(n) for n in names if n not in BOOKKEEPING}


def declared_names(document: dict[str, Any]) -> set[str]:
    """Every property and parameter name the API declares (errors may name those)."""
    names: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            names.update(value.get("properties", {}))
            names.update(v for v in value.get("enum", []) if isinstance(v, str))
            if value.get("in") in ("path", "query", "header", "cookie"):
                names.add(value["name"])
            for inner in value.values():
                walk(inner)
        elif isinstance(value, list):
            for inner in value:
                walk(inner)

    walk(document)
    return names


OPENAPI = _openapi()
DECLARED = declared_names(OPENAPI)
OPENAPI_TEXT = json.dumps(OPENAPI)
# Hypothesis also draws strings from the literals of the code under test (its "constants"),
# so a request may carry one of the service's own texts, e.g. "Log in first.", which the 401
# then repeats: that is the service speaking, not an echo of what arrived.
SOURCE_TEXT = "\n".join(
    path.read_text(encoding="utf-8")
    for path in (Path(__file__).resolve().parents[1] / "src" / "chatsupport").rglob("*.py")
)
schema = schemathesis.openapi.from_dict(OPENAPI)


def request_strings(case: Any) -> set[str]:
    """Distinctive strings the request carried (body, query, path): none may come back."""
    found: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, str) and len(value.strip()) >= 12 and value not in DECLARED:
            found.add(value)
        elif isinstance(value, dict):
            for k, v in value.items():
                walk(k)
                walk(v)
        elif isinstance(value, list | tuple):
            for v in value:
                walk(v)

    for part in (case.body, case.query, case.path_parameters):
        walk(part)
    return found


FUZZ = settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))


def resets_own_password(case: Any, login: str | None, server: ThreadedServer) -> bool:
    """Would end the fuzzing session itself (it works, and logs the account out)."""
    own = server.ids.get(login or "")
    return case.path.endswith("/password") and str(case.path_parameters.get("responder_id")) == str(
        own
    )


def check_case(case: Any, role: str, server: ThreadedServer) -> None:
    login = SESSIONS[role]
    if resets_own_password(case, login, server):
        return
    cookies, headers = server.session(login) if login else ({}, {})
    before = table_counts(server)
    response = case.call(base_url=server.base, headers=headers, cookies=cookies)
    assert response.status_code < 500, response.text
    assert b"Traceback" not in response.content
    if response.status_code < 400:
        return
    body = response.json()
    assert set(body) == {"error"} and isinstance(body["error"]["code"], str), body
    for secret in request_strings(case):
        # Error texts are built from the API's own schema (field names, patterns, limits):
        # a generated string that happens to be part of the schema is not an echo.
        own_text = secret in OPENAPI_TEXT or secret in SOURCE_TEXT
        if secret not in body["error"]["code"] and not own_text:
            assert secret not in response.text, (secret, response.text)
    assert table_counts(server) == before, "a refused request changed the database"


@schema.parametrize()
@FUZZ
def test_api_as_anonymous(case: Any, server: ThreadedServer) -> None:
    """Anyone on the internet: never a 5xx, an echo, or a change."""
    check_case(case, "anonymous", server)


@schema.parametrize()
@FUZZ
def test_api_as_professional(case: Any, server: ThreadedServer) -> None:
    """A responder: never a 5xx, an echo, or a change from a refused request."""
    check_case(case, "professional", server)


@schema.parametrize()
@FUZZ
def test_api_as_coordinator(case: Any, server: ThreadedServer) -> None:
    """The coordinator: never a 5xx, an echo, or a change from a refused request."""
    check_case(case, "coordinator", server)


def test_sessions_are_real(server: ThreadedServer) -> None:
    """The roles above are real sessions (so the fuzzing reaches past the login check)."""
    import httpx

    for login, role in (("anna", "professional"), ("koordi", "coordinator")):
        cookies, _ = server.session(login)
        me = httpx.get(f"{server.base}/api/auth/me", cookies=cookies)
        assert json.loads(me.text)["responder"]["role"] == role
