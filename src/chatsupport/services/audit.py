"""Recording and reading the audit trail."""

from __future__ import annotations

from datetime import timedelta

from chatsupport.domain.accounts import Responder
from chatsupport.domain.audit import ACTIONS, AuditEntry
from chatsupport.domain.clock import Clock
from chatsupport.storage import audit
from chatsupport.storage.database import Database

PAGE_MAX = 500


class AuditService:
    def __init__(self, *, db: Database, clock: Clock, retention_days: int) -> None:
        self._db = db
        self._clock = clock
        self._retention = timedelta(days=retention_days)

    async def record(self, *, actor: Responder, action: str, target: str) -> None:
        """One entry for one staff action (``action`` is one of ``ACTIONS``)."""
        if action not in ACTIONS:
            raise ValueError(f"unknown audit action {action!r}")
        entry = AuditEntry(self._clock.now(), actor.id, actor.role.value, action, target)
        async with self._db.write() as s:
            await audit.add(s, entry=entry)

    async def recent(self, *, limit: int, before_id: int | None) -> list[tuple[int, AuditEntry]]:
        async with self._db.read() as s:
            return await audit.recent(s, limit=min(limit, PAGE_MAX), before_id=before_id)

    async def purge(self) -> int:
        """Delete entries older than the audit retention."""
        async with self._db.write() as s:
            return await audit.purge_before(s, cutoff=self._clock.now() - self._retention)
