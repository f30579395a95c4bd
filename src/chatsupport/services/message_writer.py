"""Group commit: one writer task per process stores every pending message in one transaction.

Storing each message in its own transaction holds SQLite's single write lock (or the chat's
row lock on PostgreSQL) across several event-loop turns per message, so throughput is one
message per lock hold. Here posts queue up while the previous batch is being written, and the
next batch takes all of them (up to ``max_batch``) in four statements and one commit. No timer
waits to fill a batch: a lone message is written at once; under load batches grow by
themselves.

A batch that fails as a whole (a chat deleted under it by a purge, a lost connection) is
retried one message per transaction, so one bad post cannot fail the others; a post whose own
transaction fails gets that error. A caller that stops waiting (its socket closed) does not
undo its message: it is stored, and a resend with the same client id gets the stored one.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from chatsupport.domain.message_batch import Outcome, PostRequest
from chatsupport.services.background import finish_or_cancel

log = logging.getLogger("chatsupport.chats")

DEFAULT_MAX_BATCH = 256

# Stores a batch in one transaction; one outcome per request, in order.
StoreBatch = Callable[[list[PostRequest]], Awaitable[list[Outcome]]]


@dataclass(slots=True)
class _Pending:
    request: PostRequest
    done: asyncio.Future[Outcome]


class MessageWriter:
    def __init__(
        self,
        store: StoreBatch,
        *,
        max_batch: int = DEFAULT_MAX_BATCH,
        on_batch: Callable[[int], None] | None = None,
    ) -> None:
        self._store = store
        self._max_batch = max_batch
        self._on_batch = on_batch  # observes each batch's size (metrics)
        self._pending: list[_Pending] = []
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._closing = False

    async def post(self, request: PostRequest) -> Outcome:
        """Store one message (in whatever batch it lands); returns when it is committed."""
        if self._closing:
            raise RuntimeError("the message writer is closed")
        done: asyncio.Future[Outcome] = asyncio.get_running_loop().create_future()
        self._pending.append(_Pending(request, done))
        self._wake.set()
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="message-writer")
        return await done

    async def close(self) -> None:
        """Write what is pending, then stop (never cancel a batch mid-transaction)."""
        self._closing = True
        self._wake.set()
        if self._task is None:
            return
        await finish_or_cancel(self._task)

    async def _run(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self._pending:
                batch = self._pending[: self._max_batch]
                del self._pending[: self._max_batch]
                await self._write(batch)
            if self._closing:
                return

    async def _write(self, batch: Sequence[_Pending]) -> None:
        if self._on_batch is not None:
            self._on_batch(len(batch))
        try:
            outcomes = await self._store([p.request for p in batch])
        except Exception as exc:
            if len(batch) == 1:
                _settle(batch[0], error=exc)
                return
            log.warning(
                "a batch of %d messages failed (%s); storing one by one",
                len(batch),
                type(exc).__name__,
            )
            for pending in batch:
                await self._write([pending])
            return
        for pending, outcome in zip(batch, outcomes, strict=True):
            _settle(pending, outcome=outcome)


def _settle(
    pending: _Pending, *, outcome: Outcome = None, error: BaseException | None = None
) -> None:
    if pending.done.done():  # the caller stopped waiting; the outcome is stored regardless
        return
    if error is not None:
        pending.done.set_exception(error)
    else:
        pending.done.set_result(outcome)
