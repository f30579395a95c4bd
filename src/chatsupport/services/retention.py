"""The retention purge: on a schedule inside every process, and as `chatsupport purge`.

Transcripts (chat rows and their messages) are deleted `CHATSUPPORT_TRANSCRIPT_RETENTION_DAYS`
after the chat closed (0 = at the next run after closing). Data with a retention of its own
runs in the same purge, after the transcripts, each under a name (``also_purge``): the audit
trail, and the diary records that are folded into monthly tallies
(``services.diary_retention``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta

from chatsupport.domain.clock import Clock
from chatsupport.services.background import finish_or_cancel
from chatsupport.storage import retention
from chatsupport.storage.database import Database

log = logging.getLogger("chatsupport.retention")
AUDIT_ENTRIES = "audit_entries"
DIARY_RECORDS_FOLDED = "diary_records_folded"
DEBRIEFS = "debriefs"
PurgeJob = Callable[[], Awaitable[int]]


@dataclass(frozen=True, slots=True)
class Purged:
    """What one purge deleted: transcripts, and the count each other purge returned."""

    chats: int
    messages: int
    others: dict[str, int] = field(default_factory=dict)


class RetentionService:
    def __init__(
        self,
        *,
        db: Database,
        clock: Clock,
        retention_days: int,
        interval_secs: float,
        also_purge: Mapping[str, PurgeJob] | None = None,
    ) -> None:
        # Other data with its own retention, by name: each returns how many rows it handled.
        self._also_purge = dict(also_purge or {})
        self._db = db
        self._clock = clock
        self._retention = timedelta(days=retention_days)
        self._interval_secs = interval_secs
        self._task: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()

    async def purge(self) -> Purged:
        """Delete every transcript past its retention, then run the other purges (each in its
        own transaction); returns what was deleted."""
        cutoff = self._clock.now() - self._retention
        async with self._db.write() as s:
            purged = await retention.purge_closed_before(s, cutoff=cutoff)
        if purged.chats:
            log.info("purged %d closed chats (%d messages)", purged.chats, purged.messages)
        others = {name: await purge_other() for name, purge_other in self._also_purge.items()}
        return Purged(purged.chats, purged.messages, others)

    async def forget_transcript(self, chat_id: str) -> None:
        """The youth asked, at the end of the chat, for its messages to be deleted now."""
        async with self._db.write() as s:
            await retention.forget_transcript(s, chat_id=chat_id)

    def start(self) -> None:
        self._stopping = asyncio.Event()
        self._task = asyncio.create_task(self._run(), name="retention-purge")

    async def stop(self) -> None:
        """Let a purge that is running finish (cancelling it mid-transaction would leave its
        database connection to the garbage collector), then end the loop."""
        if self._task is None:
            return
        self._stopping.set()
        await finish_or_cancel(self._task)

    async def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                await self.purge()
            except Exception as exc:  # a failed run is retried at the next interval
                log.error("retention purge failed: %s", type(exc).__name__)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), self._interval_secs)
