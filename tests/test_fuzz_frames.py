"""Property-based fuzzing of every WebSocket frame type (Hypothesis).

Malformed JSON, wrong types, unknown fields (a role, another chat's id), huge numbers,
invalid UTF-8 and deep nesting: each is answered with an error frame that has a stable code
and does not echo the input; the connection stays usable (a probe frame sent right after is
answered); nothing is stored.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from websockets.sync.client import ClientConnection, connect

from chatsupport.hub import frames
from tests.threaded_server import ThreadedServer, threaded_server

ERROR_CODES = {
    "frame.invalid",
    "frame.unknown_type",
    "protocol.unsupported_version",
    "frame.hello_first",
    "frame.hello_again",
    "message.too_long",
    "chat.none",
    "chat.already_open",
    "chat.not_found",
    "chat.taken",
    "chat.not_waiting",
    "chat.cap_reached",
    "chat.not_on_duty",
    "chat.not_yours",
    "chat.not_active",
    "rate.too_many_chats",
    "rate.too_many_messages",
    "rate.too_many_connections",
    "queue.full",
}
YOUTH_FIELDS = ["lang", "token", "last_seq", "client_id", "text", "active", "quick_exit"]
RESPONDER_FIELDS = ["resume", "chat_id", "client_id", "text", "active"]
SMUGGLED = ["role", "responder_id", "chat_id", "state", "sender", "seq", "v", "admin"]
MIN_TRIED = 100  # invalid frames actually sent per test (valid ones are filtered out)
FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

json_leaves = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**80), max_value=2**80)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=40)
)
json_values = st.recursive(
    json_leaves,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)


def near_valid(types: frozenset[str], fields: list[str]) -> st.SearchStrategy[str]:
    """A real frame type with real, smuggled or random fields holding any JSON value."""
    names = st.sampled_from(sorted(set(fields + SMUGGLED))) | st.text(max_size=10)
    body = st.dictionaries(names, json_values, max_size=5)
    kind = st.sampled_from(sorted(types)) | json_values
    return st.builds(lambda t, b: json.dumps({**b, "type": t}), kind, body)


def deep(depth: int) -> str:
    return '{"type": "send", "client_id": "d", "text": ' + "[" * depth + "]" * depth + "}"


def frames_for(types: frozenset[str], fields: list[str]) -> st.SearchStrategy[str | bytes]:
    return st.one_of(
        near_valid(types, fields),
        json_values.map(json.dumps),
        st.text(max_size=200),
        st.integers(min_value=9, max_value=3000).map(deep),
        st.binary(max_size=200),  # binary frames, invalid UTF-8 among them
        st.just(b'{"type": "open", "lang": "\xff\xfe"}'),
    )


def is_valid(raw: str | bytes, adapter: Any, types: frozenset[str]) -> bool:
    if isinstance(raw, bytes):
        return False
    try:
        frames.parse(raw, adapter, types)
    except frames.FrameError:
        return False
    return True


def long_strings(raw: str | bytes) -> set[str]:
    """Distinctive strings in the input: none may come back in an error message."""
    if isinstance(raw, bytes):
        return set()
    found: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, str) and len(value.strip()) >= 12:
            found.add(value)
        elif isinstance(value, dict):
            for k, v in value.items():
                walk(k)
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    try:
        walk(json.loads(raw))
    except (ValueError, RecursionError):
        if len(raw.strip()) >= 12:
            found.add(raw)
    return found


class Socket:
    """One client connection, kept open across all examples: it must stay usable."""

    def __init__(self, url: str, greet: Callable[[ClientConnection], None], **kw: Any) -> None:
        self.stack = ExitStack()
        self.ws = self.stack.enter_context(connect(url, open_timeout=10, **kw))
        greet(self.ws)

    def exchange(
        self, raw: str | bytes, probe: dict[str, Any], is_answer: Callable[[dict[str, Any]], bool]
    ) -> list[dict[str, Any]]:
        """Send ``raw`` then ``probe``; every frame up to the probe's answer."""
        self.ws.send(raw)
        self.ws.send(json.dumps(probe))
        got: list[dict[str, Any]] = []
        while True:
            frame = json.loads(self.ws.recv(timeout=10))
            if is_answer(frame):
                return got
            got.append(frame)

    def close(self) -> None:
        self.stack.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ThreadedServer]:
    with threaded_server(Path(tmp_path_factory.mktemp("fuzz"))) as running:
        yield running


def check_answers(answers: list[dict[str, Any]], raw: str | bytes) -> None:
    assert len(answers) == 1, answers
    (answer,) = answers
    frames.SERVER_FRAMES.validate_python(answer)
    assert answer["type"] == "error" and answer["code"] in ERROR_CODES, answer
    for secret in long_strings(raw):
        assert secret not in answer["message"]


@dataclass(frozen=True)
class Endpoint:
    """What is fuzzed: valid frames (filtered out), the probe sent after each frame, how its
    answer is recognised, and frames that may interleave (broadcasts, not answers)."""

    adapter: Any
    types: frozenset[str]
    fields: list[str]
    probe: dict[str, Any]
    is_answer: Callable[[dict[str, Any]], bool]
    interleaved: frozenset[str] = frozenset()


YOUTH = Endpoint(frames.YOUTH_FRAMES, frames.YOUTH_TYPES, YOUTH_FIELDS,
                 {"type": "send", "client_id": "probe", "text": "x"},
                 lambda f: f.get("ref") == "probe")  # fmt: skip
YOUTH_IN_CHAT = Endpoint(frames.YOUTH_FRAMES, frames.YOUTH_TYPES, YOUTH_FIELDS,
                         {"type": "open"}, lambda f: f.get("code") == "chat.already_open",
                         frozenset({"queue"}))  # fmt: skip
RESPONDER = Endpoint(frames.RESPONDER_FRAMES, frames.RESPONDER_TYPES, RESPONDER_FIELDS,
                     {"type": "end", "chat_id": "probe"}, lambda f: f.get("ref") == "probe",
                     frozenset({"tag", "taken"}))  # fmt: skip


def fuzz(sock: Socket, endpoint: Endpoint) -> None:
    """Send generated invalid frames on one socket; each must get exactly one error frame."""
    tried: list[str | bytes] = []

    @FUZZ
    @given(raw=frames_for(endpoint.types, endpoint.fields))
    def run(raw: str | bytes) -> None:
        assume(not is_valid(raw, endpoint.adapter, endpoint.types))
        answers = sock.exchange(raw, endpoint.probe, endpoint.is_answer)
        check_answers([f for f in answers if f["type"] not in endpoint.interleaved], raw)
        tried.append(raw)

    try:
        run()
    finally:
        sock.close()
    assert len(tried) >= MIN_TRIED


def wait_for(kind: str) -> Callable[[ClientConnection], None]:
    def greet(ws: ClientConnection) -> None:
        first = {"opened": {"type": "open"}, "welcome": {"type": "hello", "resume": {}}}[kind]
        ws.send(json.dumps(first))
        while json.loads(ws.recv(timeout=10))["type"] != kind:
            pass

    return greet


def test_youth_frames_without_a_chat(server: ThreadedServer) -> None:
    """Any invalid youth frame on a fresh socket: one error frame, nothing stored."""
    chats = server.count("chats")
    fuzz(Socket(f"{server.ws_base}/ws/youth", lambda ws: None), YOUTH)
    assert server.count("chats") == chats


def test_youth_frames_in_an_open_chat(server: ThreadedServer) -> None:
    """With a chat open, invalid frames store no message and leave the chat as it was."""
    sock = Socket(f"{server.ws_base}/ws/youth", wait_for("opened"))
    messages = server.count("messages")
    fuzz(sock, YOUTH_IN_CHAT)
    assert server.count("messages") == messages


def test_responder_frames(server: ThreadedServer) -> None:
    """Any invalid responder frame after hello: one error frame, nothing claimed or stored."""
    cookies, _ = server.session("anna")
    cookie = {"Cookie": f"cs_session={cookies['cs_session']}"}
    sock = Socket(f"{server.ws_base}/ws/responder", wait_for("welcome"), additional_headers=cookie)
    before = (server.count("chats"), server.count("messages"))
    fuzz(sock, RESPONDER)
    assert (server.count("chats"), server.count("messages")) == before
