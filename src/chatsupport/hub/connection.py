"""One live WebSocket: a bounded outbox, a writer task, and exactly-once message delivery.

Everything sent to a client goes through its outbox and is written by its own writer task, in
order (both made on the first push). The hub only ever *puts* into outboxes (never awaits a
client), so a slow client delays nobody; when its outbox is full it is closed with 4000
(retry) and resumes from its last seq.

Exactly-once, in-order messages: ``delivered[chat_id]`` is the last seq written to this
client. A message at ``delivered + 1`` is written; an older one is dropped (a repeat); a newer
one means something was missed, so the gap is read from the database first.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

from chatsupport.domain.accounts import Responder
from chatsupport.domain.chat import Author, Message, Sender
from chatsupport.domain.events import MessagePosted
from chatsupport.hub import frames

log = logging.getLogger("chatsupport.hub")

CLOSE_NORMAL = 1000
CLOSE_GOING_AWAY = 1001
CLOSE_RESTART = 1012
CLOSE_OVERFLOW = 4000  # retry: resume from the last seq
CLOSE_NOT_AUTHENTICATED = 4101
CLOSE_FORBIDDEN = 4103


class Socket(Protocol):
    """What the hub needs of a WebSocket (Starlette's fits)."""

    async def send_text(self, data: str) -> None: ...

    async def close(self, code: int = 1000, reason: str | None = None) -> None: ...


Fetch = Callable[[str, int], Awaitable[list[Message]]]
Job = Callable[["Connection"], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class _Close:
    code: int


Item = dict[str, Any] | str | MessagePosted | _Close | Job  # str: an encoded frame


class Connection:
    side: Sender

    def __init__(self, socket: Socket, *, queue_size: int, fetch: Fetch) -> None:
        self.socket = socket
        self.delivered: dict[str, int] = {}
        self._fetch = fetch
        self._queue_size = queue_size
        # Made on the first push: most youth sockets sit idle on the front page, and a queue
        # plus a task per socket is a tenth of what an idle connection costs. A deque and one
        # future to wake the writer, not an asyncio.Queue: the Queue's bookkeeping per frame
        # (loop checks, task counting) showed in profiles of the event loop under load.
        self._outbox: deque[Item] | None = None
        self._wake_writer: asyncio.Future[None] | None = None
        self._writer: asyncio.Task[None] | None = None
        self._closer: asyncio.Task[None] | None = None
        self.closed = False
        self.overflowed = False
        self.acks_every_send = True  # the client's ``acks`` mode; see wants_ack

    def wants_ack(self, chat_id: str, new: bool) -> bool:
        """Whether this sender's ``send`` gets an ``ack``: always in mode "all"; in mode
        "resends" only when its own copy will not follow (a resend of a stored message, or a
        chat this connection does not follow), the own copy being the acknowledgement."""
        return self.acks_every_send or not new or chat_id not in self.delivered

    # --- putting (never blocks) ----------------------------------------------------------

    def push(self, item: Item) -> None:
        if self.closed:
            return
        if self._outbox is None:
            self._outbox = deque()
            self._writer = asyncio.create_task(self._write_loop(self._outbox))
        if len(self._outbox) >= self._queue_size:
            self._overflow()
            return
        self._outbox.append(item)
        waiting = self._wake_writer
        if waiting is not None and not waiting.done():
            waiting.set_result(None)

    def send(self, kind: str, **fields: Any) -> None:
        self.push(frames.frame(kind, **fields))

    def error(self, code: str, message: str, ref: str | None = None) -> None:
        self.push(frames.error(code, message, ref))

    def close_after_pending(self, code: int) -> None:
        self.push(_Close(code))

    def _overflow(self) -> None:
        """The client does not keep up: drop it now (4000, retry); it resumes from its last seq.

        The writer may be stuck in a send to this very client, so it is cancelled rather than
        asked to close after the pending frames.
        """
        self.closed = True
        self.overflowed = True
        if self._writer is not None:
            self._writer.cancel()
        self._closer = asyncio.create_task(self._close_quietly(CLOSE_OVERFLOW))

    async def _close_quietly(self, code: int) -> None:
        with contextlib.suppress(Exception):
            async with asyncio.timeout(5):
                await self.socket.close(code)

    # --- the writer ----------------------------------------------------------------------

    async def stop(self) -> None:
        self.closed = True
        if self._writer is not None:
            self._writer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._writer

    async def _write_loop(self, outbox: deque[Item]) -> None:
        loop = asyncio.get_running_loop()
        try:
            while True:
                if not outbox:
                    self._wake_writer = loop.create_future()
                    await self._wake_writer
                    continue
                item = outbox.popleft()
                if isinstance(item, _Close):
                    self.closed = True
                    await self.socket.close(item.code)
                    return
                await self._write(item)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the client went away mid-write; the reader notices too
            log.debug("writer stopped: %s", type(exc).__name__)
            self.closed = True

    async def _write(self, item: Item) -> None:
        if isinstance(item, str):
            await self.socket.send_text(item)
        elif isinstance(item, dict):
            await self.write_now(item)
        elif isinstance(item, MessagePosted):
            await self._deliver(item)
        elif not isinstance(item, _Close):
            await item(self)

    async def write_now(self, data: dict[str, Any]) -> None:
        """Write immediately; only for the writer task itself (jobs run inside it)."""
        await self.socket.send_text(frames.encode(data))

    # --- messages ------------------------------------------------------------------------

    async def _deliver(self, event: MessagePosted) -> None:
        last = self.delivered.get(event.chat_id)
        if last is None or event.seq <= last:
            return  # not following this chat, or a repeat
        if event.seq > last + 1:
            await self.catch_up(event.chat_id)
            return  # the database read included this message
        message = Message(
            event.chat_id,
            event.seq,
            event.sender,
            event.client_id,
            event.text,
            event.at,
            event.author,
        )
        await self.write_message(message)

    async def catch_up(self, chat_id: str) -> None:
        """Write every stored message after the last one delivered (runs in the writer)."""
        last = self.delivered.get(chat_id)
        if last is None:
            return
        for message in await self._fetch(chat_id, last):
            await self.write_message(message)

    async def write_message(self, message: Message) -> None:
        last = self.delivered.get(message.chat_id, 0)
        if message.seq <= last:
            return
        out = frames.message_out(
            message,
            own_side=message.sender is self.side,
            to_console=self.side is Sender.RESPONDER,
        )
        await self.write_now({"v": frames.PROTOCOL_VERSION, "type": "message", **out})
        self.delivered[message.chat_id] = message.seq

    def messages_out(self, messages: list[Message]) -> list[dict[str, Any]]:
        """Messages for a composite frame (claimed/resumed/chat); marks them delivered."""
        out = []
        for message in messages:
            out.append(
                frames.message_out(
                    message,
                    own_side=message.sender is self.side,
                    to_console=self.side is Sender.RESPONDER,
                )
            )
            seq = max(self.delivered.get(message.chat_id, 0), message.seq)
            self.delivered[message.chat_id] = seq
        return out


class YouthConnection(Connection):
    side = Sender.YOUTH

    def __init__(self, socket: Socket, *, queue_size: int, fetch: Fetch) -> None:
        super().__init__(socket, queue_size=queue_size, fetch=fetch)
        self.chat_id: str | None = None
        self.open_times: list[float] = []
        self.told_closed = False  # sent ``closed_now`` while its chat waits (hub._tell_closed)


class ResponderConnection(Connection):
    side = Sender.RESPONDER

    def __init__(
        self, socket: Socket, *, responder: Responder, queue_size: int, fetch: Fetch
    ) -> None:
        super().__init__(socket, queue_size=queue_size, fetch=fetch)
        self.responder = responder
        # who this console's messages are from (made once: every send carries it)
        self.author = Author(responder.id, responder.role.value, responder.display_name)
        self.chats: set[str] = set()
        self.tagged: set[str] = set()
        self.greeted = False
        self.watching: set[str] = set()  # chats read as the expert's backup (hub/support.py)
        self.joined: set[str] = set()  # of those, chats the backup joined (may send)
        self.backup_present: bool | None = None  # last told to an expert
        self.duty_shown: dict[str, Any] | None = None  # the duty last told (hub/duty_events.py)
