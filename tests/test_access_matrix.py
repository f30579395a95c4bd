"""The access-control matrix: every HTTP route and WebSocket frame, for every role.

The matrix is the table in docs/security.md ("Access matrix"); this module reads it, so the
document and the test are one thing. A route or client frame type missing from the table fails
the test; every cell is a real request made as that role against *another party's* object ids,
and a refused cell must leave the database as it was.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import date, time
from pathlib import Path
from typing import Any

import httpx
import websockets
from fastapi import FastAPI
from sqlalchemy import select
from starlette.routing import Mount, WebSocketRoute

from chatsupport.api.runtime import Runtime
from chatsupport.app import create_app
from chatsupport.domain.canned import CannedReply
from chatsupport.domain.roles import Role
from chatsupport.domain.rota import Closure, Shift, ShiftRole
from chatsupport.hub.frames import RESPONDER_TYPES, YOUTH_TYPES
from chatsupport.services.canned import CannedService
from chatsupport.settings import Settings
from chatsupport.storage.tables import (
    AuditRow,
    Base,
    ChatRow,
    ChatSupportRow,
    SupportNoteRow,
    TransferOfferRow,
)
from tests.conftest import FAST_HASH
from tests.helpers import PASSWORD, add_user
from tests.live import LiveServer, WsClient, live_server, responder, session_cookie, youth
from tests.rota_helpers import put_on_shift_now
from tests.test_diary_api import ended_chat
from tests.test_diary_rules import valid_form
from tests.test_support_hub import open_and_claim

SECURITY_MD = Path(__file__).resolve().parents[1] / "docs" / "security.md"
ROLES = (
    "anonymous",
    "youth",
    "professional",
    "experience_expert",
    "backup",
    "coordinator",
    "enrolling",
)
NO_SESSION = ("anonymous", "youth")
LOGINS = {
    "professional": "anna",
    "experience_expert": "aino",
    "backup": "bert",
    "coordinator": "koordi",
    "enrolling": "erkki",
}
ACCOUNTS = {
    "anna": Role.PROFESSIONAL,
    "bert": Role.PROFESSIONAL,
    "aino": Role.EXPERIENCE_EXPERT,
    "koordi": Role.COORDINATOR,
    "erkki": Role.PROFESSIONAL,
    "spare": Role.PROFESSIONAL,
}
#: Whose objects each role reaches for (see the column notes in docs/security.md).
OTHER = {role: "anna" for role in ROLES} | {"professional": "aino", "backup": "aino"}
NOT_APPLICABLE = "—"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
# Tables that change without any request's doing: sessions, the login throttle, presence.
BOOKKEEPING = {"staff_sessions", "login_throttle", "console_presence", "alembic_version"}
VALUES: dict[str, Any] = {
    "opens_per_minute": 100,
    "login_max_failures": 1000,
    "resume_grace_secs": 600.0,
    "transfer_offer_secs": 600.0,
    **FAST_HASH,
}
WAIT_SECS = 3.0


# --- the table --------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    key: str  # "GET /api/rota", "WS /ws/responder" (the endpoint) or "WS /ws/responder claim"
    cells: dict[str, str]

    @property
    def method(self) -> str:
        return self.key.split()[0]

    @property
    def path(self) -> str:
        return self.key.split()[1]

    @property
    def frame(self) -> str | None:
        parts = self.key.split()
        return parts[2] if len(parts) > 2 else None


def _cells(line: str) -> list[str]:
    return [c.strip().replace("`", "") for c in line.strip().strip("|").split("|")]


def matrix() -> list[Row]:
    """Every row of the access-matrix tables in docs/security.md."""
    text = SECURITY_MD.read_text(encoding="utf-8")
    section = text.split("\n## Access matrix\n", 1)[1].split("\n## ", 1)[0]
    rows: list[Row] = []
    header: list[str] = []
    for line in section.splitlines():
        if not line.startswith("|"):
            continue
        cells = _cells(line)
        if cells[0] in ("route", "frame"):
            header = cells[1:]
            assert tuple(header) == ROLES, f"columns must be {ROLES}, found {header}"
        elif not set(cells[0]) <= set("-: "):
            assert len(cells) == len(ROLES) + 1, f"row {cells[0]}: one cell per role"
            rows.append(Row(cells[0], dict(zip(header, cells[1:], strict=True))))
    return rows


def http_rows() -> list[Row]:
    return [r for r in matrix() if r.method != "WS"]


def ws_rows() -> list[Row]:
    return [r for r in matrix() if r.method == "WS"]


def app_routes(app: FastAPI) -> set[str]:
    """``METHOD /path`` of every route the app serves (HEAD left out: Starlette adds it to
    every GET), ``WS /path`` for WebSocket endpoints, ``GET /mount/{path}`` for mounts."""
    found: set[str] = set()

    def walk(routes: Iterable[Any]) -> None:
        for route in routes:
            if hasattr(route, "original_router"):  # newer FastAPI wraps an included router
                walk(route.original_router.routes)
            elif isinstance(route, Mount):
                found.add(f"GET {route.path}/{{path}}")
            elif isinstance(route, WebSocketRoute):
                found.add(f"WS {route.path}")
            else:
                found.update(f"{m} {route.path}" for m in route.methods - {"HEAD"})

    walk(app.routes)
    return found


def is_refusal(cell: str) -> bool:
    head = cell.split()[0]
    return head in ("error", "close") or (head.isdigit() and int(head) >= 400)


# --- the world: two of everything -------------------------------------------------------


@dataclass(frozen=True)
class World:
    ids: dict[str, int]  # login name -> responder id
    shift_id: int  # a spare weekly shift
    closure_id: int
    canned_id: int
    ended: dict[str, str]  # login name -> an ended chat of theirs with a pending diary record
    youth_token: str  # the youth column's own open chat (held by the professional)
    youth_chat: str
    dead_token: str  # the token of a chat that is over
    debrief_id: int  # the expert's request for a debrief, asked of the backup

    def responder_id(self, role: str) -> int:
        return self.ids["spare" if role == "coordinator" else OTHER[role]]


async def build_world(rt: Runtime) -> World:
    """Accounts, a professional shift (anna) and an expert shift (aino, backup bert) running
    now, spare rota and canned objects, ended chats with pending records, a youth's chat."""
    ids = {login: await add_user(rt, login, role) for login, role in ACCOUNTS.items()}
    await put_on_shift_now(rt, [ids["anna"]])
    await put_on_shift_now(
        rt, [ids["aino"]], role=ShiftRole.EXPERIENCE_EXPERT, backup_id=ids["bert"]
    )
    shift = await rt.rota.save_shift(spare_shift(ids["spare"]))
    closure = await rt.rota.save_closure(Closure(0, date(2031, 12, 24), None, None, "x"))
    canned = await CannedService(db=rt.db, clock=rt.clock).save(
        CannedReply(id=0, lang="fi", title="Hei", text="Hei, kiva että kirjoitit.", position=0)
    )
    ended = {login: await ended_chat(rt, ids[login]) for login in ("anna", "aino")}
    chat, token = await rt.chats.create_chat(lang="fi")
    await rt.chats.claim(responder=await rt.accounts.get_responder(ids["anna"]), chat_id=chat.id)
    dead, dead_token = await rt.chats.create_chat(lang="fi")
    await rt.chats.youth_leaves(dead.id)
    await rt.rota.consoles_seen([ids["bert"]])  # the backup is at work: the request is his
    debrief = await rt.debriefs.ask(expert=await rt.accounts.get_responder(ids["aino"]))
    return World(
        ids, shift.id, closure.id, canned.id, ended, token, chat.id, dead_token, debrief.id
    )


def spare_shift(responder_id: int) -> Shift:
    return Shift(
        id=0,
        role=ShiftRole.PROFESSIONAL,
        starts=time(8),
        ends=time(9),
        responder_ids=frozenset({responder_id}),
        weekday=0,
    )


async def snapshot(rt: Runtime) -> dict[str, list[str]]:
    """Every row of every table but the bookkeeping ones."""
    found: dict[str, list[str]] = {}
    async with rt.db.read() as s:
        for table in Base.metadata.sorted_tables:
            if table.name not in BOOKKEEPING:
                found[table.name] = sorted(repr(tuple(r)) for r in await s.execute(select(table)))
    return found


def changed_tables(before: dict[str, list[str]], after: dict[str, list[str]]) -> list[str]:
    return [name for name in before if before[name] != after.get(name)]


# --- HTTP cells -------------------------------------------------------------------------


@dataclass(frozen=True)
class Call:
    path: str
    body: Any = None
    params: dict[str, str] | None = None


Spec = Callable[[World, str], Call]
CANNED = {"lang": "fi", "title": "Moi", "text": "Moi, kiitos viestistä."}
CODE = {"code": "123456"}
TEXTS = {
    "opening": "Avoinna",
    "closed": "Suljettu",
    "emergency": "Soita 112",
    "accessibility": "Palaute: saavutettavuus@example.fi",
}
RANGE = {"start": "2026-01-01", "end": "2026-01-31"}


def _shift_body(w: World, _: str) -> Call:
    body = {
        "role": "professional",
        "weekday": 0,
        "starts": "08:00",
        "ends": "09:00",
        "responder_ids": [w.ids["spare"]],
    }
    return Call(f"/api/rota/shifts/{w.shift_id}", body)


def _new_shift(w: World, _: str) -> Call:
    body = {
        "role": "professional",
        "date": "2031-01-07",
        "starts": "20:00",
        "ends": "21:00",
        "responder_ids": [w.ids["spare"]],
    }
    return Call("/api/rota/shifts", body)


#: How to make each route's request as a role; plain GETs without parameters need none.
REQUESTS: dict[str, Spec] = {
    "POST /api/auth/login": lambda w, r: Call(
        "/api/auth/login", {"login_name": OTHER[r], "password": "not the password"}
    ),
    "POST /api/auth/logout": lambda w, r: Call("/api/auth/logout"),
    "POST /api/responders": lambda w, r: Call(
        "/api/responders",
        {
            "login_name": f"new_{r}",
            "display_name": "Uusi",
            "role": "professional",
            "password": PASSWORD,
        },
    ),
    "GET /api/responders/{responder_id}": lambda w, r: Call(f"/api/responders/{w.responder_id(r)}"),
    "PATCH /api/responders/{responder_id}": lambda w, r: Call(
        f"/api/responders/{w.responder_id(r)}", {"display_name": "Renamed"}
    ),
    "POST /api/responders/{responder_id}/password": lambda w, r: Call(
        f"/api/responders/{w.responder_id(r)}/password", {"password": "a new long password"}
    ),
    "POST /api/responders/{responder_id}/two-factor/reset": lambda w, r: Call(
        f"/api/responders/{w.responder_id(r)}/two-factor/reset"
    ),
    "POST /api/auth/two-factor/begin": lambda w, r: Call("/api/auth/two-factor/begin"),
    "POST /api/auth/two-factor/confirm": lambda w, r: Call("/api/auth/two-factor/confirm", CODE),
    "DELETE /api/auth/two-factor": lambda w, r: Call("/api/auth/two-factor", CODE),
    "POST /api/rota/shifts": _new_shift,
    "PUT /api/rota/shifts/{shift_id}": _shift_body,
    "DELETE /api/rota/shifts/{shift_id}": lambda w, r: Call(f"/api/rota/shifts/{w.shift_id}"),
    "POST /api/rota/closures": lambda w, r: Call("/api/rota/closures", {"date": "2031-12-31"}),
    "PUT /api/rota/closures/{closure_id}": lambda w, r: Call(
        f"/api/rota/closures/{w.closure_id}", {"date": "2031-12-25"}
    ),
    "DELETE /api/rota/closures/{closure_id}": lambda w, r: Call(
        f"/api/rota/closures/{w.closure_id}"
    ),
    "GET /api/rota/texts/{lang}": lambda w, r: Call("/api/rota/texts/fi"),
    "PUT /api/rota/texts/{lang}": lambda w, r: Call("/api/rota/texts/fi", TEXTS),
    "DELETE /api/rota/texts/{lang}": lambda w, r: Call("/api/rota/texts/fi"),
    "POST /api/diary/records/{chat_id}": lambda w, r: Call(
        f"/api/diary/records/{w.ended[OTHER[r]]}", valid_form()
    ),
    "GET /api/transcripts/{chat_id}": lambda w, r: Call(f"/api/transcripts/{w.ended[OTHER[r]]}"),
    "DELETE /api/transcripts/{chat_id}": lambda w, r: Call(f"/api/transcripts/{w.ended[OTHER[r]]}"),
    "POST /api/diary/taxonomy/{dimension}": lambda w, r: Call(
        "/api/diary/taxonomy/referral",
        {"code": "MATRIX", "labels": {"fi": "Matriisi", "sv": "Matris", "en": "Matrix"}},
    ),
    "PATCH /api/diary/taxonomy/{dimension}/{code}": lambda w, r: Call(
        "/api/diary/taxonomy/concern/MOOD", {"labels": {"fi": "Mieliala"}}
    ),
    "GET /api/statistics": lambda w, r: Call("/api/statistics", params=RANGE),
    "GET /api/statistics/export": lambda w, r: Call("/api/statistics/export", params=RANGE),
    "POST /api/canned": lambda w, r: Call("/api/canned", CANNED),
    "PUT /api/canned/{reply_id}": lambda w, r: Call(f"/api/canned/{w.canned_id}", CANNED),
    "DELETE /api/canned/{reply_id}": lambda w, r: Call(f"/api/canned/{w.canned_id}"),
    "POST /api/public/feedback/ticket": lambda w, r: Call(
        "/api/public/feedback/ticket",
        {"token": w.youth_token if r == "youth" else "made-up-token-0123456789"},
    ),
    "POST /api/public/feedback": lambda w, r: Call(
        "/api/public/feedback", {"ticket": "made-up-ticket-0123456789", "answer": "yes"}
    ),
    "GET /static/{path}": lambda w, r: Call("/static/common/socket.js"),
    "POST /api/debriefs": lambda w, r: Call("/api/debriefs"),
    "POST /api/debriefs/{debrief_id}/answer": lambda w, r: Call(
        f"/api/debriefs/{w.debrief_id}/answer"
    ),
}


def call_for(row: Row, world: World, role: str) -> Call:
    spec = REQUESTS.get(row.key)
    if spec is not None:
        return spec(world, role)
    assert row.method == "GET" and "{" not in row.path, f"{row.key}: add it to REQUESTS"
    return Call(row.path)


@dataclass
class Session:
    client: httpx.AsyncClient
    csrf: str | None = None


async def http_answer(session: Session, row: Row, call: Call) -> str:
    headers = {}
    if session.csrf and row.method not in SAFE_METHODS:
        headers["X-CSRF-Token"] = session.csrf
    body = None if call.body is None else json.dumps(call.body)
    if body is not None:
        headers["Content-Type"] = "application/json"
    response = await session.client.request(
        row.method, call.path, content=body, params=call.params, headers=headers
    )
    if response.status_code < 400:
        return str(response.status_code)
    try:
        return f"{response.status_code} {response.json()['error']['code']}"
    except (ValueError, KeyError, TypeError):
        return f"{response.status_code} (not the error shape)"


async def staff_session(client: httpx.AsyncClient, login_name: str) -> Session:
    response = await client.post(
        "/api/auth/login", json={"login_name": login_name, "password": PASSWORD}
    )
    assert response.status_code == 200, response.text
    return Session(client, response.json()["csrf_token"])


async def run_http_cells(rt: Runtime, world: World, sessions: dict[str, Session]) -> list[str]:
    """Every HTTP cell of the given roles: refusals first (then nothing may have changed),
    then the allowed ones in table order, logouts last. Returns the mismatches."""
    cells = [(row, role) for row in http_rows() for role in sessions]
    refused = [(row, role) for row, role in cells if is_refusal(row.cells[role])]
    allowed = [c for c in cells if c not in refused]
    allowed.sort(key=lambda c: c[0].key == "POST /api/auth/logout")
    mismatches: list[str] = []
    before = await snapshot(rt)
    for row, role in refused:
        await check_http(sessions[role], row, role, world, mismatches)
    changed = changed_tables(before, await snapshot(rt))
    if changed:
        mismatches.append(f"refused HTTP requests changed {changed}")
    for row, role in allowed:
        await check_http(sessions[role], row, role, world, mismatches)
    return mismatches


async def check_http(
    session: Session, row: Row, role: str, world: World, mismatches: list[str]
) -> None:
    got = await http_answer(session, row, call_for(row, world, role))
    if got != row.cells[role]:
        mismatches.append(f"{row.key} as {role}: documented {row.cells[role]!r}, got {got!r}")


def settings_for(tmp_path: Path, **extra: Any) -> dict[str, Any]:
    return {
        "data_dir": tmp_path / "data",
        "database_url": f"sqlite+aiosqlite:///{tmp_path / 'matrix.sqlite3'}",
        "broker_url": "memory://",
        "auto_migrate": True,
        **VALUES,
        **extra,
    }


@asynccontextmanager
async def in_process(values: dict[str, Any]) -> AsyncIterator[tuple[FastAPI, Runtime]]:
    app = create_app(Settings(**values))
    async with app.router.lifespan_context(app):
        yield app, app.state.runtime


def fresh_client(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


# --- WebSocket cells --------------------------------------------------------------------


@dataclass(frozen=True)
class Live:
    """The chats the WebSocket cells are about (opened and claimed over the real sockets)."""

    chat_a: str  # held by the professional; offered by them to the expert
    chat_e: str  # held by the expert, who asked the backup; offered by them to the professional

    def target(self, role: str, frame: str) -> str:
        if frame == "transfer_answer":
            return self.chat_a if role == "professional" else self.chat_e
        return self.chat_a if role == "experience_expert" else self.chat_e


def responder_frame(frame: str, chat_id: str, world: World, role: str) -> dict[str, Any]:
    to = world.ids["aino" if role == "professional" else "anna"]
    extra: dict[str, dict[str, Any]] = {
        "hello": {"resume": {chat_id: 0}},
        "send": {"client_id": "m1", "text": "hei"},
        "typing": {"active": True},
        "note": {"text": "muistiinpano"},
        "transfer": {"to": to},
        "transfer_answer": {"accept": True},
    }
    base = {} if frame in ("hello", "ping") else {"chat_id": chat_id}
    return {"type": frame, **base, **extra.get(frame, {})}


def youth_frame(frame: str, world: World) -> dict[str, Any]:
    extra: dict[str, dict[str, Any]] = {
        "open": {"lang": "fi"},
        "resume": {"token": world.dead_token, "last_seq": 0},
        "send": {"client_id": "y1", "text": "hei"},
        "typing": {"active": True},
        "lang": {"lang": "sv"},
    }
    return {"type": frame, **extra.get(frame, {})}


@asynccontextmanager
async def socket(server: LiveServer, path: str, cookie: str | None) -> AsyncIterator[WsClient]:
    headers = {"Cookie": cookie} if cookie else {}
    async with websockets.connect(
        f"{server.ws_base}{path}", additional_headers=headers, open_timeout=10
    ) as ws:
        yield WsClient(ws)


async def outcome(
    client: WsClient, want: str, chat_id: str | None = None, *, closing: bool = False
) -> str:
    """The first decisive frame: an error (with the close after it when ``closing``), or
    ``want`` (about ``chat_id``). Frames read past are kept in ``client.seen``."""
    try:
        async with asyncio.timeout(WAIT_SECS):
            while True:
                frame = await client.recv(WAIT_SECS)
                if frame["type"] == "error":
                    return (
                        await _after_error(client, frame["code"])
                        if closing
                        else (f"error {frame['code']}")
                    )
                if frame["type"] == want and chat_id in (None, frame.get("chat_id")):
                    return want
                client.seen.append(frame)
    except websockets.ConnectionClosed as closed:
        return f"close {closed.rcvd.code if closed.rcvd else None} (no error frame)"
    except TimeoutError:
        return f"no {want} within {WAIT_SECS} s (saw {[f['type'] for f in client.seen]})"


async def _after_error(client: WsClient, code: str) -> str:
    """``close <n> <code>`` when the server closes right after the error frame."""
    try:
        async with asyncio.timeout(WAIT_SECS):
            await client.ws.recv()
    except websockets.ConnectionClosed as closed:
        return f"close {closed.rcvd.code if closed.rcvd else None} {code}"
    except TimeoutError:
        pass
    return f"error {code} (socket left open)"


async def silence(client: WsClient, secs: float = 0.3) -> str:
    """``no reply`` when no error (or anything else) comes back within ``secs``."""
    got = await client.nothing_within(secs)
    errors = [f["code"] for f in got if f["type"] == "error"]
    return f"error {errors[0]}" if errors else "no reply"


#: Frames that would show a responder something of a chat they may not read.
LEAKS = {"chat", "message", "watching", "note", "claimed"}


async def leaks(client: WsClient, chat_id: str) -> str:
    """``welcome`` unless a frame about ``chat_id`` that shows its content follows."""
    frames = client.seen + await client.nothing_within(0.3)
    kinds = sorted({f["type"] for f in frames if f.get("chat_id") == chat_id} & LEAKS)
    return f"welcome, then {kinds}" if kinds else "welcome"


async def responder_answer(
    server: LiveServer, row: Row, role: str, cookie: str | None, world: World, live: Live
) -> str:
    expected = row.cells[role]
    closing = expected.startswith("close")
    target = live.target(role, row.frame or "hello")
    hello = {"type": "hello", "resume": {}}
    if row.frame == "hello":
        hello = responder_frame("hello", target, world, role)
    async with socket(server, "/ws/responder", cookie) as client:
        with contextlib.suppress(websockets.ConnectionClosed):
            await client.send(**hello)
        got = await outcome(client, "welcome", closing=closing)
        if got != "welcome" or row.frame is None:
            return got
        if row.frame == "hello":
            return await leaks(client, target)
        await client.send(**responder_frame(row.frame, target, world, role))
        if expected == "no reply":
            return await silence(client)
        want = "error" if is_refusal(expected) else expected
        return await outcome(client, want, None if row.frame == "ping" else target)


async def youth_answer(
    server: LiveServer, row: Row, role: str, cookie: str | None, world: World
) -> str:
    async with socket(server, "/ws/youth", cookie) as client:
        if row.frame is None:  # the endpoint: a socket that answers frames, roles or not
            await client.send(type="resume", token=world.dead_token, last_seq=0)
            got = await outcome(client, "resumed")
            return "accepted" if got == "error chat.not_found" else got
        if role == "youth":
            await client.send(type="resume", token=world.youth_token, last_seq=0)
            resumed = await outcome(client, "resumed")
            if resumed != "resumed":
                return f"resume of its own chat: {resumed}"
        await client.send(**youth_frame(row.frame, world))
        expected = row.cells[role]
        if expected == "no reply":
            return await silence(client)
        want = expected if not is_refusal(expected) else "error"
        return await outcome(client, want)


async def check_ws(
    server: LiveServer,
    row: Row,
    role: str,
    cookies: dict[str, str],
    world: World,
    live: Live | None,
    mismatches: list[str],
) -> None:
    cookie = cookies.get(role)
    if row.path == "/ws/youth":
        got = await youth_answer(server, row, role, cookie, world)
    else:
        assert live is not None or is_refusal(row.cells[role])
        got = await responder_answer(server, row, role, cookie, world, live or Live("", ""))
    if got != row.cells[role]:
        mismatches.append(f"{row.key} as {role}: documented {row.cells[role]!r}, got {got!r}")


async def chat_state(rt: Runtime, chat_ids: list[str]) -> dict[str, Any]:
    """What a refused frame could have changed: holders, notes, offers, backups asked."""
    async with rt.db.read() as s:
        chats = await s.execute(
            select(ChatRow.id, ChatRow.state, ChatRow.responder_id, ChatRow.last_seq).where(
                ChatRow.id.in_(chat_ids)
            )
        )
        offers = await s.execute(
            select(TransferOfferRow.chat_id, TransferOfferRow.from_id, TransferOfferRow.to_id)
        )
        support = await s.execute(
            select(ChatSupportRow.chat_id, ChatSupportRow.backup_id, ChatSupportRow.backup_involved)
        )
        notes = await s.execute(select(SupportNoteRow.chat_id, SupportNoteRow.author_id))
        audit = await s.scalars(select(AuditRow.action))
        return {
            "audit": sorted(audit),
            "chats": sorted(map(tuple, chats)),
            "offers": sorted(map(tuple, offers)),
            "support": sorted(map(tuple, support)),
            "notes": sorted(map(tuple, notes)),
        }


# --- the tests --------------------------------------------------------------------------

HTTP_CELL = re.compile(r"^[1-5]\d\d( [a-z_]+\.[a-z_]+)?$")
WS_CELL = re.compile(
    r"^(accepted|no reply|[a-z_]+|error [a-z_]+\.[a-z_]+|close 4\d\d\d [a-z_]+\.[a-z_]+)$"
)


def test_the_matrix_lists_every_route_and_every_client_frame() -> None:
    """docs/security.md lists exactly the app's routes and the protocol's client frames,
    each with one well-formed answer per role, and the test knows how to call each route."""
    app = create_app(Settings(database_url="sqlite+aiosqlite://"))
    keys = [row.key for row in matrix()]
    assert len(keys) == len(set(keys)), "a row is listed twice"
    listed = {row.key for row in matrix() if row.frame is None}
    served = app_routes(app)
    assert listed == served, {"not in the matrix": served - listed, "gone": listed - served}
    frames = {(row.path, row.frame) for row in ws_rows() if row.frame}
    known = {("/ws/youth", t) for t in YOUTH_TYPES} | {
        ("/ws/responder", t) for t in RESPONDER_TYPES
    }
    assert frames == known, {"not in the matrix": known - frames, "gone": frames - known}
    assert set(REQUESTS) <= listed
    for row in http_rows():
        assert row.key in REQUESTS or (row.method == "GET" and "{" not in row.path), row.key
        assert all(HTTP_CELL.match(cell) for cell in row.cells.values()), row
    for row in ws_rows():
        for role, cell in row.cells.items():
            youth_frame_by_staff = row.path == "/ws/youth" and row.frame and role not in NO_SESSION
            assert (cell == NOT_APPLICABLE) == bool(youth_frame_by_staff), (row.key, role)
            assert cell == NOT_APPLICABLE or WS_CELL.match(cell), (row.key, role, cell)


async def test_every_http_cell(tmp_path: Path) -> None:
    """Each route as each role against another party's ids answers what the matrix says;
    the refused requests change nothing; a responder's pending diary list is only theirs."""
    async with in_process(settings_for(tmp_path)) as (app, rt), AsyncExitStack() as stack:
        world = await build_world(rt)
        sessions: dict[str, Session] = {}
        for role in ROLES[:-1]:
            client = await stack.enter_async_context(fresh_client(app))
            login_name = LOGINS.get(role)
            sessions[role] = (
                await staff_session(client, login_name) if login_name else Session(client)
            )
        pending = await sessions["professional"].client.get("/api/diary/pending")
        assert [p["chat_id"] for p in pending.json()["pending"]] == [world.ended["anna"]]
        mismatches = await run_http_cells(rt, world, sessions)
        assert not mismatches, "\n".join(mismatches)


async def test_every_websocket_cell(stack_values: dict[str, Any]) -> None:
    """Each endpoint and client frame as each role against another party's chats answers
    what the matrix says; the refused frames leave holders, offers, notes and backups as
    they were; the backup's allowed take-over then really moves the chat."""
    async with live_server({**stack_values, **VALUES}) as server, AsyncExitStack() as stack:
        rt = server.runtime
        world = await build_world(rt)
        consoles = {}
        for login in ("bert", "anna", "aino"):  # the backup first: the expert shift opens
            consoles[login] = await stack.enter_async_context(responder(server, login))
        rt.hub.invalidate_on_duty()
        anna, aino, bert = consoles["anna"], consoles["aino"], consoles["bert"]
        ya = await stack.enter_async_context(youth(server))
        ye = await stack.enter_async_context(youth(server))
        chat_a, _ = await open_and_claim(ya, anna)
        await aino.expect("tag", chat_id=chat_a)
        chat_e, _ = await open_and_claim(ye, aino)
        await aino.send(type="support", chat_id=chat_e)
        await bert.expect("support_alert", chat_id=chat_e)
        for holder, chat_id, to, offered in (
            (anna, chat_a, "aino", aino),
            (aino, chat_e, "anna", anna),
        ):
            await holder.send(type="transfer", chat_id=chat_id, to=world.ids[to])
            await offered.expect("transfer", chat_id=chat_id, status="offered")
        live = Live(chat_a, chat_e)
        cookies = {
            role: await session_cookie(server, login)
            for role, login in LOGINS.items()
            if role != "enrolling"
        }
        cells = [(row, role) for row in ws_rows() for role in ROLES[:-1]]
        cells = [(row, role) for row, role in cells if row.cells[role] != NOT_APPLICABLE]
        refused = [(row, role) for row, role in cells if is_refusal(row.cells[role])]
        mismatches: list[str] = []
        chats = [chat_a, chat_e, world.youth_chat]
        before = await chat_state(rt, chats)
        for row, role in refused:
            await check_ws(server, row, role, cookies, world, live, mismatches)
        if (after := await chat_state(rt, chats)) != before:
            mismatches.append(f"refused frames changed {before} into {after}")
        for row, role in cells:
            if (row, role) not in refused:
                await check_ws(server, row, role, cookies, world, live, mismatches)
        assert not mismatches, "\n".join(mismatches)
        state = await chat_state(rt, [chat_e])
        assert state["chats"][0][2] == world.ids["bert"], state
        assert (chat_e, world.ids["bert"]) in state["notes"], state


async def test_the_enrol_only_session_cells(tmp_path: Path) -> None:
    """A session that must first enrol a second factor gets what the "enrolling" column
    says on every route and frame: enrolment and who-am-I only, 403 or close 4103 elsewhere."""
    values = settings_for(tmp_path, two_factor="all")
    async with live_server(values) as server, httpx.AsyncClient(base_url=server.base) as client:
        world = await build_world(server.runtime)
        login = await client.post(
            "/api/auth/login", json={"login_name": "erkki", "password": PASSWORD}
        )
        assert login.json()["must_enrol"] is True
        session = Session(client, login.json()["csrf_token"])
        cookie = await session_cookie(server, "erkki")
        mismatches: list[str] = []
        for row in ws_rows():
            if row.cells["enrolling"] != NOT_APPLICABLE:
                live = Live("", "")
                await check_ws(
                    server, row, "enrolling", {"enrolling": cookie}, world, live, mismatches
                )
        mismatches += await run_http_cells(server.runtime, world, {"enrolling": session})
        assert not mismatches, "\n".join(mismatches)


async def test_a_console_closes_when_its_session_ends(tmp_path: Path) -> None:
    """A responder socket does not outlive the login it was opened with: after a logout, a
    deactivation or a password reset the console gets auth.required and close 4101 within
    a sweep interval."""
    values = settings_for(tmp_path, sweep_interval_secs=0.2)
    async with live_server(values) as server, httpx.AsyncClient(base_url=server.base) as http:
        rt = server.runtime
        ids = {name: await add_user(rt, name, Role.PROFESSIONAL) for name in ("anna", "bert")}
        ids["aino"] = await add_user(rt, "aino", Role.EXPERIENCE_EXPERT)
        session = await staff_session(http, "anna")
        cookie = f"cs_session={http.cookies['cs_session']}"

        async def logout() -> None:
            assert (await http_answer(session, LOGOUT, Call("/api/auth/logout"))) == "204"

        async def deactivate() -> None:
            await rt.accounts.update_responder(
                responder_id=ids["bert"], display_name=None, role=None, active=False
            )

        async def reset() -> None:
            await rt.accounts.reset_password(responder_id=ids["aino"], password="x" * 16)

        for login_name, end in (("anna", logout), ("bert", deactivate), ("aino", reset)):
            if login_name != "anna":
                cookie = await session_cookie(server, login_name)
            async with socket(server, "/ws/responder", cookie) as console:
                await console.send(type="hello", resume={})
                await console.expect("welcome")
                await end()
                got = await outcome(console, "nothing", closing=True)
                assert got == "close 4101 auth.required", (login_name, got)


LOGOUT = Row("POST /api/auth/logout", {})
