"""Diary records past their retention become monthly tallies (run by the retention purge).

Rows dated before ``fold_before(today)`` (whole months, ``CHATSUPPORT_DIARY_RETENTION_MONTHS``
old, in the service's time zone) are deleted and their tallies added to the stored months in
one transaction; see ``storage.diary.take_records_before`` for why two processes purging at
once fold each row exactly once. Statistics read the rows still kept plus these tallies.
"""

from __future__ import annotations

import logging
from datetime import date
from zoneinfo import ZoneInfo

from chatsupport.domain.clock import Clock
from chatsupport.domain.diary_tally import fold, fold_before
from chatsupport.storage import diary, diary_aggregates
from chatsupport.storage.database import Database

log = logging.getLogger("chatsupport.retention")


class DiaryRetention:
    def __init__(self, *, db: Database, clock: Clock, zone: ZoneInfo, months: int) -> None:
        self._db = db
        self._clock = clock
        self._zone = zone
        self.months = months

    def cutoff(self) -> date:
        """The first local date whose records are still kept as rows."""
        today = self._clock.now().astimezone(self._zone).date()
        return fold_before(today, retention_months=self.months)

    async def purge(self) -> int:
        """Fold every record past its retention into its month's tally; returns how many."""
        before = self.cutoff()
        async with self._db.write() as s:
            facts = await diary.take_records_before(s, before=before)
            await diary_aggregates.add_tallies(s, tallies=fold(facts))
        if facts:
            log.info("folded %d diary records dated before %s into monthly tallies",
                     len(facts), before)  # fmt: skip
        return len(facts)
