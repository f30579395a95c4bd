"""Who is on duty now, read from storage and decided by the domain."""

from __future__ import annotations

from datetime import datetime

from chatsupport.domain.clock import Clock
from chatsupport.domain.duty import ShiftSpan, responders_on_duty
from chatsupport.domain.errors import InvalidInput
from chatsupport.storage import shifts
from chatsupport.storage.database import Database


class Duty:
    def __init__(self, *, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    async def on_duty_now(self) -> frozenset[int]:
        now = self._clock.now()
        async with self._db.read() as s:
            spans = await shifts.covering(s, instant=now)
        return responders_on_duty(spans, now)

    async def add_shift(
        self, *, responder_id: int, starts_at: datetime, ends_at: datetime
    ) -> tuple[int, ShiftSpan]:
        if starts_at.tzinfo is None or ends_at.tzinfo is None:
            raise InvalidInput(
                "starts_at, ends_at: expected a time zone offset", code="shift.naive_time"
            )
        if ends_at <= starts_at:
            raise InvalidInput(
                "ends_at: expected a time after starts_at", code="shift.end_before_start"
            )
        async with self._db.write() as s:
            return await shifts.insert(
                s, responder_id=responder_id, starts_at=starts_at, ends_at=ends_at
            )

    async def list_shifts(self) -> list[tuple[int, ShiftSpan]]:
        async with self._db.read() as s:
            return await shifts.list_all(s)

    async def remove_shift(self, shift_id: int) -> None:
        async with self._db.write() as s:
            await shifts.remove(s, shift_id=shift_id)
