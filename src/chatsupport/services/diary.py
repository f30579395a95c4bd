"""Diary use cases: file a record, remind, manage the taxonomy, build reports.

Records are created by ``ChatService`` when a chat ends (``storage.diary.record_chat_end`` in
the same transaction); this service files forms and reads aggregates. Reports are the only
way diary data leaves: aggregated, suppressed tables (``domain.report``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from chatsupport.domain.clock import Clock
from chatsupport.domain.diary import DiaryForm, check_form, parse_form
from chatsupport.domain.errors import ChatSupportError, Conflict, Forbidden, NotFound
from chatsupport.domain.report import Report, build_report
from chatsupport.domain.statistics import Granularity, check_range
from chatsupport.domain.taxonomy import (
    Dimension,
    Taxonomy,
    Term,
    TermChange,
    plan_add,
    plan_update,
)
from chatsupport.storage import diary, diary_aggregates
from chatsupport.storage.database import Database
from chatsupport.storage.diary import FileOutcome, Pending

DIARY_CHAT_NOT_FOUND = "diary.chat_not_found"
DIARY_NOT_YOUR_CHAT = "diary.not_your_chat"
DIARY_CHAT_OPEN = "diary.chat_open"
DIARY_NO_FORM = "diary.no_form"
DIARY_ALREADY_FILED = "diary.already_filed"

_REFUSALS: dict[FileOutcome, tuple[type[ChatSupportError], str, str]] = {
    FileOutcome.NO_CHAT: (NotFound, DIARY_CHAT_NOT_FOUND, "No such chat."),
    FileOutcome.NOT_YOURS: (
        Forbidden,
        DIARY_NOT_YOUR_CHAT,
        "Only the chat's responder files its record.",
    ),
    FileOutcome.STILL_OPEN: (Conflict, DIARY_CHAT_OPEN, "End the chat first."),
    FileOutcome.NO_FORM: (
        Conflict,
        DIARY_NO_FORM,
        "Missed and silent contacts are recorded by the system.",
    ),
    FileOutcome.ALREADY_FILED: (
        Conflict,
        DIARY_ALREADY_FILED,
        "This chat's record is already filed.",
    ),
}


@dataclass(frozen=True, slots=True)
class DiarySettings:
    zone: ZoneInfo
    threshold: int  # counts from 1 to threshold - 1 are suppressed in every report


class DiaryService:
    def __init__(self, *, db: Database, clock: Clock, settings: DiarySettings) -> None:
        self._db = db
        self._clock = clock
        self.settings = settings

    async def file(self, *, responder_id: int, chat_id: str, data: Mapping[str, Any]) -> DiaryForm:
        """Validate and store the form; nothing is stored when any rule is broken. Returns
        the form as filed (a heavy one may ask for a debrief)."""
        form = parse_form(data)
        check_form(form, await self.taxonomy())
        async with self._db.write() as s:
            outcome = await diary.file_form(
                s, chat_id=chat_id, responder_id=responder_id, form=form
            )
        if outcome is not FileOutcome.FILED:
            kind, code, message = _REFUSALS[outcome]
            raise kind(message, code=code)
        return form

    async def pending(self, *, responder_id: int) -> list[Pending]:
        async with self._db.read() as s:
            return await diary.pending_for(s, responder_id=responder_id)

    async def pending_count(self) -> int:
        async with self._db.read() as s:
            return await diary.pending_count(s)

    async def taxonomy(self) -> Taxonomy:
        async with self._db.read() as s:
            changes = await diary.term_changes(s)
        return Taxonomy.default().with_changes(changes)

    async def add_term(self, *, dimension: Dimension, code: str, labels: Mapping[str, str]) -> Term:
        change = plan_add(await self.taxonomy(), dimension=dimension, code=code, labels=labels)
        return await self._save(change)

    async def update_term(
        self,
        *,
        dimension: Dimension,
        code: str,
        labels: Mapping[str, str] | None,
        retired: bool | None,
    ) -> Term:
        change = plan_update(
            await self.taxonomy(), dimension=dimension, code=code, labels=labels, retired=retired
        )
        return await self._save(change)

    async def _save(self, change: TermChange) -> Term:
        async with self._db.write() as s:
            await diary.save_term(s, change=change, now=self._clock.now())
        term = (await self.taxonomy()).get(change.dimension, change.code)
        assert term is not None
        return term

    async def report(
        self, *, start: date, end: date, granularity: Granularity, lang: str
    ) -> Report:
        """The suppressed, labelled report of [start, end]; bad ranges are refused first.

        Records still kept count as rows, purged months as their stored tallies.
        """
        check_range(start, end)
        taxonomy = await self.taxonomy()
        async with self._db.snapshot() as s:  # rows and tallies as of one moment of the purge
            facts = await diary.facts_between(s, start=start, end=end)
            folded = await diary_aggregates.tallies_between(s, start=start, end=end)
        return build_report(
            facts,
            folded=folded,
            start=start,
            end=end,
            granularity=granularity,
            taxonomy=taxonomy,
            lang=lang,
            threshold=self.settings.threshold,
        )
