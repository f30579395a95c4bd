"""Simulated youth and responders: real WebSocket clients that time and count frames.

The clients run on picows (WebSocket framing in Cython, frames handed to a callback) with
orjson: the client shares the machine's two cores with the server under test, so each
microsecond it spends per frame is taken from the server's figures (and the floor's). On the
``websockets`` library it spent 0.24-0.28 ms of CPU per round trip (bench/README.md, "26 Nov
2026, sixth session").
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import orjson
from picows import WSFrame, WSListener, WSMsgType, WSTransport, ws_connect

now = time.perf_counter

#: Sent in ``open`` and ``hello``: how the clients want their own messages acknowledged.
#: ``resends`` (the web clients' mode): a new message by its own copy alone. ``run.py
#: --acks all`` asks for an ``ack`` frame for every ``send`` as well, and ``--acks none``
#: leaves the field out, for commits from before the field existed.
GREETING: dict[str, str] = {"acks": "resends"}

CONNECT_SECS = 30  # TCP connect and handshake together, as an overloaded server may be slow


@dataclass
class Ledger:
    """Every delivery seen, to count messages lost or duplicated (by client_id and seq)."""

    duplicated: int = 0
    gaps: int = 0
    sent: int = 0
    echoed: set[str] = field(default_factory=set)


@dataclass
class TagBoard:
    """When each responder got each chat's tag; new chats are announced on ``fresh``."""

    times: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    fresh: asyncio.Queue[str] = field(default_factory=asyncio.Queue)
    taken: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def tagged(self, chat_id: str, at: float) -> None:
        if chat_id not in self.times:
            self.fresh.put_nowait(chat_id)
        self.times[chat_id].append(at)


class _Frames(WSListener):
    """picows calls this for each frame received; it hands text frames to its client."""

    def __init__(self, client: Client) -> None:
        super().__init__()
        self.client = client

    def on_ws_frame(self, transport: WSTransport, frame: WSFrame) -> None:
        if frame.msg_type == WSMsgType.TEXT:
            self.client.on_frame(orjson.loads(frame.get_payload_as_memoryview()), now())
        elif frame.msg_type == WSMsgType.CLOSE:
            transport.send_close(frame.get_close_code())
            transport.disconnect()

    def on_ws_disconnected(self, transport: WSTransport) -> None:
        self.client.closed.set()


class Client:
    """One connection; each frame received goes to ``on_frame`` as it is parsed."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self.closed = asyncio.Event()
        self.transport: WSTransport | None = None
        self.seqs: dict[str, int] = defaultdict(int)  # chat -> highest seq seen

    async def connect(self, url: str, cookie: str = "") -> None:
        headers = {"Cookie": cookie} if cookie else None
        self.transport, _ = await asyncio.wait_for(
            ws_connect(
                lambda: _Frames(self),
                url,
                extra_headers=headers,
                websocket_handshake_timeout=CONNECT_SECS,
                # no pings: an overloaded server must show up as latency, not as a drop
                enable_auto_ping=False,
            ),
            CONNECT_SECS,
        )

    @property
    def alive(self) -> bool:
        return not self.closed.is_set()

    def on_frame(self, frame: dict[str, Any], at: float) -> None:
        raise NotImplementedError

    def count_seq(self, chat_id: str, seq: int) -> None:
        last = self.seqs[chat_id]
        if seq <= last:
            self.ledger.duplicated += 1
            return
        self.ledger.gaps += seq - last - 1
        self.seqs[chat_id] = seq

    def send_now(self, frame: dict[str, Any]) -> None:
        """Hand one frame to the socket; a frame for a closed one (a run being torn down)
        is dropped, as the old client's suppressed ``ConnectionClosed`` did."""
        if self.transport is not None and self.alive:
            self.transport.send(WSMsgType.TEXT, orjson.dumps(frame))

    async def send(self, **frame: Any) -> None:
        self.send_now(frame)

    async def close(self) -> None:
        if self.transport is None:
            return
        with contextlib.suppress(Exception):
            if self.alive:
                self.transport.send_close()
                self.transport.disconnect()
            await asyncio.wait_for(self.transport.wait_disconnected(), 5)


class Youth(Client):
    """Sends messages; a round trip ends when the responder's echo of it arrives."""

    def __init__(self, ledger: Ledger, sink: list[float]) -> None:
        super().__init__(ledger)
        self.sink = sink
        self.pending: dict[str, float] = {}
        self.opened: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self.ended = asyncio.Event()
        self.count = 0

    def on_frame(self, frame: dict[str, Any], at: float) -> None:
        kind = frame["type"]
        if kind == "message":
            self.count_seq("", frame["seq"])
            if frame["sender"] == "responder":
                self._echo(frame["text"], at)
        elif kind == "opened" and not self.opened.done():
            self.opened.set_result(frame["token"])
        elif kind == "error" and not self.opened.done():
            self.opened.set_exception(RuntimeError(f"open refused: {frame.get('code')}"))
        elif kind == "ended":
            self.ended.set()

    def _echo(self, client_id: str, at: float) -> None:
        sent = self.pending.pop(client_id, None)
        if sent is None:
            self.ledger.duplicated += client_id in self.ledger.echoed
            return
        self.ledger.echoed.add(client_id)
        self.sink.append(at - sent)

    async def say(self, prefix: str) -> None:
        self.count += 1
        client_id = f"{prefix}-{self.count}"
        self.pending[client_id] = now()
        self.ledger.sent += 1
        await self.send(type="send", client_id=client_id, text=client_id)


class Responder(Client):
    """Echoes every youth message back into its chat; records tags and claim outcomes."""

    def __init__(self, ledger: Ledger, board: TagBoard) -> None:
        super().__init__(ledger)
        self.board = board
        self.welcome = asyncio.Event()
        self.claims: dict[str, asyncio.Future[bool]] = {}
        self.ended: dict[str, asyncio.Event] = defaultdict(asyncio.Event)

    def on_frame(self, frame: dict[str, Any], at: float) -> None:
        kind = frame["type"]
        if kind == "message":
            self.count_seq(frame["chat_id"], frame["seq"])
            if frame["sender"] == "youth":
                self._reply(frame["chat_id"], frame["text"])
        elif kind == "tag" and not frame["reminder"]:
            self.board.tagged(frame["chat_id"], at)
        elif kind == "taken":
            self.board.taken[frame["chat_id"]] += 1
        elif kind == "claimed":
            self._claim_result(frame["chat_id"], True)
        elif kind == "error":
            self._claim_result(frame.get("ref") or "", False)
        elif kind == "ended":
            self.ended[frame["chat_id"]].set()
        elif kind == "welcome":
            self.welcome.set()

    def _reply(self, chat_id: str, text: str) -> None:
        self.send_now({"type": "send", "chat_id": chat_id, "client_id": "r" + text, "text": text})

    def _claim_result(self, chat_id: str, won: bool) -> None:
        future = self.claims.pop(chat_id, None)
        if future is not None and not future.done():
            future.set_result(won)

    async def claim(self, chat_id: str) -> bool:
        self.claims[chat_id] = asyncio.get_running_loop().create_future()
        future = self.claims[chat_id]
        await self.send(type="claim", chat_id=chat_id)
        return await asyncio.wait_for(future, 30)


async def new_responder(url: str, cookie: str, ledger: Ledger, board: TagBoard) -> Responder:
    responder = Responder(ledger, board)
    await responder.connect(url, cookie)
    await responder.send(type="hello", resume={}, **GREETING)
    await asyncio.wait_for(responder.welcome.wait(), 30)
    return responder


async def new_youth(url: str, ledger: Ledger, sink: list[float]) -> Youth:
    youth = Youth(ledger, sink)
    await youth.connect(url)
    return youth
