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
    experts_to_debrief,
    sees_to_answer,
    whom_to_ask,
)
from chatsupport.domain.diary import DiaryForm
from chatsupport.domain.errors import Conflict, NotFound
from chatsupport.domain.roles import Role
from chatsupport.services.chats import ChatService
from chatsupport.services.support import SupportService
from chatsupport.storage import chats as chats_store
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
        """A heavy record asks for a debrief for each experience expert who was in the chat:
        the one who files it (returned), and one who wrote in it before it changed hands."""
        async with self._db.read() as s:
            backer = await support_store.backup_of_chat(s, chat_id=chat_id)
            experts = await chats_store.expert_authors(s, chat_id=chat_id)
        for expert_id in sorted(experts_to_debrief(responder.id, experts, form)):
            await self._add(
                expert_id, await self._whom(expert_id, backer), DebriefReason.HEAVY_CHAT
            )
        if not debrief_due(responder.role, form):
            return None
        return await self._add(
            responder.id, await self._whom(responder.id, backer), DebriefReason.HEAVY_CHAT
        )

    async def ask(self, *, expert: Responder) -> Debrief:
        """The expert asks at any time: of the backup of their running shift if connected,
        else of anyone."""
        check_may_ask(expert.role)
        return await self._add(expert.id, await self._whom(expert.id), DebriefReason.ASKED)

    async def _whom(self, expert_id: int, backer: int | None = None) -> int | None:
        """Whom to ask: who backed the chat, else the backup of the expert's shift, if
        connected now; else any professional (``whom_to_ask``)."""
        candidates = [backer, await self._support.backup_of_expert(expert_id)]
        return whom_to_ask(candidates, await self._support.connected_now())

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

    async def _add(self, expert_id: int, backup: int | None, reason: DebriefReason) -> Debrief:
        async with self._db.write() as s:
            new_id = await store.add(
                s, expert_id=expert_id, backup_id=backup, reason=reason, now=self._now()
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
