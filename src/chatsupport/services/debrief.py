"""Debriefs (purku): ask the right professional, let one answer, tell everyone concerned.

The rules are in ``domain/debrief.py``; every change is stored, then announced through the
broker as ``DebriefChanged`` (``hub/debrief_events.py`` turns it into ``debrief`` frames).
"""

from __future__ import annotations

from datetime import datetime

from chatsupport.domain.accounts import Responder
from chatsupport.domain.clock import Clock
from chatsupport.domain.debrief import (
    DEBRIEF_ANSWERED,
    DEBRIEF_NOT_FOUND,
    KEEP_FOR,
    SHOWN_TO_EXPERT_FOR,
    Debrief,
    DebriefChanged,
    DebriefReason,
    check_may_answer,
    check_may_ask,
    debrief_due,
    sees_to_answer,
)
from chatsupport.domain.diary import DiaryForm
from chatsupport.domain.errors import Conflict, NotFound
from chatsupport.domain.roles import Role
from chatsupport.services.chats import ChatService
from chatsupport.services.support import SupportService
from chatsupport.storage import debriefs as store
from chatsupport.storage import support as support_store
from chatsupport.storage.database import Database


class DebriefService:
    def __init__(
        self, *, db: Database, clock: Clock, chats: ChatService, support: SupportService
    ) -> None:
        self._db = db
        self._clock = clock
        self._chats = chats
        self._support = support

    async def after_filing(
        self, *, responder: Responder, chat_id: str, form: DiaryForm
    ) -> Debrief | None:
        """An expert's heavy record asks for a debrief: of the backup of the expert's running
        shift, else of the backup asked in that chat, else of any professional."""
        if not debrief_due(responder.role, form):
            return None
        backup = await self._support.backup_of_expert(responder.id)
        if backup is None:
            async with self._db.read() as s:
                backup = await support_store.backup_of_chat(s, chat_id=chat_id)
        return await self._add(responder, backup, DebriefReason.HEAVY_CHAT)

    async def ask(self, *, expert: Responder) -> Debrief:
        """The expert asks at any time: of the backup of their running shift, else of anyone."""
        check_may_ask(expert.role)
        backup = await self._support.backup_of_expert(expert.id)
        return await self._add(expert, backup, DebriefReason.ASKED)

    async def answer(self, *, responder: Responder, debrief_id: int) -> Debrief:
        """ "I will contact you": the first professional allowed to answer wins."""
        async with self._db.write() as s:
            debrief = await store.get(s, debrief_id=debrief_id)
            if debrief is None:
                raise NotFound("No such debrief.", code=DEBRIEF_NOT_FOUND)
            now = self._now()
            check_may_answer(debrief, responder_id=responder.id, role=responder.role, now=now)
            won = await store.answer(s, debrief_id=debrief_id, by=responder.id, now=now)
            if not won:
                raise Conflict("Someone has already answered it.", code=DEBRIEF_ANSWERED)
            answered = await store.get(s, debrief_id=debrief_id)
        assert answered is not None  # answered in this transaction
        await self._chats.publish(DebriefChanged(debrief=answered))
        return answered

    async def listing(self, *, responder: Responder) -> tuple[list[Debrief], list[Debrief]]:
        """(an expert's own requests of the last day, a professional's ones to answer); a
        coordinator gets every unanswered one, to see that someone has time for the expert."""
        async with self._db.read() as s:
            if responder.role is Role.COORDINATOR:
                return [], await store.unanswered(s)
            if responder.role is Role.EXPERIENCE_EXPERT:
                since = self._now() - SHOWN_TO_EXPERT_FOR
                return await store.of_expert(s, expert_id=responder.id, since=since), []
            if responder.role is Role.PROFESSIONAL:
                open_ones = await store.unanswered(s)
                me, now = responder, self._now()
                mine = [
                    d
                    for d in open_ones
                    if sees_to_answer(d, responder_id=me.id, role=me.role, now=now)
                ]
                return [], mine
        return [], []

    async def _add(self, expert: Responder, backup: int | None, reason: DebriefReason) -> Debrief:
        async with self._db.write() as s:
            new_id = await store.add(
                s, expert_id=expert.id, backup_id=backup, reason=reason, now=self._now()
            )
            debrief = await store.get(s, debrief_id=new_id)
        assert debrief is not None  # added in this transaction
        await self._chats.publish(DebriefChanged(debrief=debrief))
        return debrief

    def _now(self) -> datetime:
        return self._clock.now()


async def purge_debriefs(db: Database, clock: Clock) -> int:
    """Delete requests made longer than ``KEEP_FOR`` ago (one of the retention purges)."""
    async with db.write() as s:
        return await store.purge(s, asked_before=clock.now() - KEEP_FOR)
