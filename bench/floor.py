"""The floor: a bare Starlette WebSocket relay of the benchmark's traffic.

Same endpoints and frame shapes the benchmark client uses, but no storage, no auth, no
validation, no queues, no broker: one dict of chats in memory. Run on its own:
``python bench/floor.py --port 8100``.

With ``--store FILE`` it also stores every message before relaying it, the least a relay that
keeps every message must do: one SQLite file (WAL, ``synchronous=NORMAL``, a unique index on
the client's message id), group commit on the event loop (the messages of one loop turn in
one transaction; cheaper than a writer thread: 0.31-0.37 against 0.36-0.48 ms of CPU per
round trip at 1,500/s), no reads, no chat state. It bounds what storage alone costs on this
machine, apart from everything else our server does.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import sqlite3
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect


@dataclass
class Chat:
    youth: WebSocket
    responder: WebSocket | None = None
    seq: int = 0
    relaying: asyncio.Lock = field(default_factory=asyncio.Lock)  # --store: seq order


@dataclass
class Relay:
    chats: dict[str, Chat] = field(default_factory=dict)
    responders: set[WebSocket] = field(default_factory=set)
    ack_every_send: set[WebSocket] = field(default_factory=set)  # sockets in acks mode "all"
    ids: itertools.count[int] = field(default_factory=itertools.count)
    store: Store | None = None  # --store


relay = Relay()

Row = tuple[str, int, str, str, str]


class Store:
    """Group commit: the rows of one event-loop turn are written together, after it."""

    def __init__(self, path: str) -> None:
        self._db = sqlite3.connect(path, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS messages (chat_id TEXT, seq INTEGER, sender TEXT,"
            " client_id TEXT, text TEXT, PRIMARY KEY (chat_id, seq),"
            " UNIQUE (chat_id, sender, client_id))"
        )
        self._pending: list[tuple[Row, asyncio.Future[None]]] = []

    async def put(self, row: Row) -> None:
        loop = asyncio.get_running_loop()
        done = loop.create_future()
        self._pending.append((row, done))
        if len(self._pending) == 1:
            loop.call_soon(self._flush)
        await done

    def _flush(self) -> None:
        batch, self._pending = self._pending, []
        self._write([row for row, _ in batch])
        for _, done in batch:
            done.set_result(None)

    def _write(self, rows: list[Row]) -> None:
        self._db.execute("BEGIN IMMEDIATE")
        self._db.executemany("INSERT INTO messages VALUES (?, ?, ?, ?, ?)", rows)
        self._db.execute("COMMIT")


async def send(ws: WebSocket | None, **frame: Any) -> None:
    if ws is not None:
        await ws.send_text(json.dumps({"v": 1, **frame}))


async def post(chat_id: str, chat: Chat, me: WebSocket, sender: str, f: dict[str, Any]) -> None:
    chat.seq += 1
    if relay.store is None:
        await relay_message(chat_id, chat, me, sender, f, chat.seq)
        return
    seq = chat.seq  # another post may take the next one while this is stored
    await relay.store.put((chat_id, seq, sender, f["client_id"], f["text"]))
    async with chat.relaying:  # posts resume in seq order; a send that waits keeps it
        await relay_message(chat_id, chat, me, sender, f, seq)


async def relay_message(
    chat_id: str, chat: Chat, me: WebSocket, sender: str, f: dict[str, Any], seq: int
) -> None:
    if me in relay.ack_every_send:  # else the own copy below is the acknowledgement
        await send(me, type="ack", chat_id=chat_id, client_id=f["client_id"], seq=seq)
    body = {"type": "message", "chat_id": chat_id, "seq": seq, "sender": sender}
    body["text"] = f["text"]
    await send(chat.youth, **body, **({"client_id": f["client_id"]} if sender == "youth" else {}))
    own = {"client_id": f["client_id"]} if sender == "responder" else {}
    await send(chat.responder, **body, **own)


def greeted(ws: WebSocket, f: dict[str, Any]) -> None:
    if f.get("acks", "all") == "all":
        relay.ack_every_send.add(ws)


async def youth(ws: WebSocket) -> None:
    await ws.accept()
    chat_id = ""
    try:
        while True:
            f = json.loads(await ws.receive_text())
            if f["type"] == "open":
                greeted(ws, f)
                chat_id = f"c{next(relay.ids)}"
                relay.chats[chat_id] = Chat(ws)
                await send(ws, type="opened", token=chat_id, state="waiting")
                for r in list(relay.responders):
                    await send(r, type="tag", chat_id=chat_id, reminder=False)
            elif f["type"] == "send" and chat_id in relay.chats:
                await post(chat_id, relay.chats[chat_id], ws, "youth", f)
    except WebSocketDisconnect:
        relay.chats.pop(chat_id, None)
        relay.ack_every_send.discard(ws)


async def claim(ws: WebSocket, chat_id: str) -> None:
    chat = relay.chats.get(chat_id)
    if chat is None or chat.responder is not None:
        await send(ws, type="error", code="chat.taken", ref=chat_id)
        return
    chat.responder = ws
    await send(ws, type="claimed", chat_id=chat_id, messages=[], last_seq=chat.seq)
    for r in list(relay.responders - {ws}):
        await send(r, type="taken", chat_id=chat_id, reason="claimed")


async def responder(ws: WebSocket) -> None:
    await ws.accept()
    try:
        while True:
            f = json.loads(await ws.receive_text())
            if f["type"] == "hello":
                greeted(ws, f)
                relay.responders.add(ws)
                await send(ws, type="welcome", cap=1000, on_duty=True)
            elif f["type"] == "claim":
                await claim(ws, f["chat_id"])
            elif f["type"] == "send" and (chat := relay.chats.get(f["chat_id"])):
                await post(f["chat_id"], chat, ws, "responder", f)
            elif f["type"] == "end" and (chat := relay.chats.pop(f["chat_id"], None)):
                await send(ws, type="ended", chat_id=f["chat_id"], state="ended")
                await send(chat.youth, type="ended", state="ended")
    except WebSocketDisconnect:
        relay.responders.discard(ws)
        relay.ack_every_send.discard(ws)


async def healthz(request: Any) -> Any:
    from starlette.responses import PlainTextResponse

    return PlainTextResponse("ok")


app = Starlette(
    routes=[
        Route("/healthz", healthz),
        WebSocketRoute("/ws/youth", youth),
        WebSocketRoute("/ws/responder", responder),
    ]
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--store", help="SQLite file to store every message in first")
    args = parser.parse_args()
    port = args.port
    if args.store:
        relay.store = Store(args.store)
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=port,
        ws="websockets-sansio",
        ws_per_message_deflate=False,
        access_log=False,
        log_level="warning",
    )


if __name__ == "__main__":
    main()
