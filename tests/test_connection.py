"""A connection's outbox: a stuck client never delays others, and is told to resume."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from chatsupport.domain.accounts import Responder
from chatsupport.domain.chat import Message, Sender
from chatsupport.domain.events import MessagePosted
from chatsupport.domain.roles import Role
from chatsupport.hub.connection import CLOSE_OVERFLOW, ResponderConnection, YouthConnection

AT = datetime(2026, 11, 25, tzinfo=UTC)


class RecordingSocket:
    def __init__(self, *, stuck: bool = False) -> None:
        self.sent: list[str] = []
        self.closed_with: int | None = None
        self._stuck = stuck
        self._never = asyncio.Event()

    async def send_text(self, data: str) -> None:
        if self._stuck:
            await self._never.wait()  # a client whose TCP window never opens
        self.sent.append(data)

    async def close(self, code: int = 1000, reason: str | None = None) -> None:
        self.closed_with = code


def posted(seq: int, chat_id: str = "c1") -> MessagePosted:
    return MessagePosted(
        chat_id=chat_id, seq=seq, sender=Sender.YOUTH, client_id=f"c{seq}", text=f"m{seq}", at=AT
    )


async def no_fetch(chat_id: str, after: int) -> list[Message]:
    return []


async def test_stuck_client_is_dropped_and_others_continue() -> None:
    """A client that never reads overflows its bounded outbox, is closed 4000; others go on."""
    stuck_socket, fast_socket = RecordingSocket(stuck=True), RecordingSocket()
    stuck = YouthConnection(stuck_socket, queue_size=8, fetch=no_fetch)
    fast = YouthConnection(fast_socket, queue_size=8, fetch=no_fetch)
    for conn in (stuck, fast):
        conn.delivered["c1"] = 0
    for seq in range(1, 21):
        stuck.push(posted(seq))
        fast.push(posted(seq))
        await asyncio.sleep(0)  # pushing never waits; the fast writer keeps up
    async with asyncio.timeout(2):
        while len(fast_socket.sent) < 20 or stuck_socket.closed_with is None:
            await asyncio.sleep(0.01)
    assert stuck.overflowed and stuck_socket.closed_with == CLOSE_OVERFLOW
    assert [f'"seq":{i},' in s for i, s in enumerate(fast_socket.sent, 1)] == [True] * 20
    await fast.stop()
    await stuck.stop()


async def test_gap_is_filled_from_the_database_in_order() -> None:
    """A message that skips ahead makes the connection read the missing ones first."""
    stored = [Message("c1", s, Sender.YOUTH, f"c{s}", f"m{s}", AT) for s in range(1, 6)]

    async def fetch(chat_id: str, after: int) -> list[Message]:
        return [m for m in stored if m.seq > after]

    socket = RecordingSocket()
    responder = Responder(1, "anna", "Anna", Role.PROFESSIONAL, True)
    conn = ResponderConnection(socket, responder=responder, queue_size=16, fetch=fetch)
    conn.delivered["c1"] = 0
    for seq in (1, 4, 2, 3, 5, 5):  # out of order and repeated, as across processes
        conn.push(posted(seq))
    async with asyncio.timeout(2):
        while len(socket.sent) < 5:
            await asyncio.sleep(0.01)
    await asyncio.sleep(0.05)
    seqs = [int(s.split('"seq":')[1].split(",")[0]) for s in socket.sent]
    assert seqs == [1, 2, 3, 4, 5]
    await conn.stop()
