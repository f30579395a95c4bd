"""Canned replies: the coordinator keeps them per language; responders read them."""

from __future__ import annotations

from chatsupport.domain.canned import (
    CANNED_NOT_FOUND,
    CANNED_TOO_MANY,
    MAX_REPLIES_PER_LANG,
    CannedReply,
    picker_order,
)
from chatsupport.domain.clock import Clock
from chatsupport.domain.errors import Conflict, NotFound
from chatsupport.storage import canned as store
from chatsupport.storage.database import Database


class CannedService:
    def __init__(self, *, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    async def list(self, *, lang: str | None = None) -> list[CannedReply]:
        """Every reply (or one language's) in picker order."""
        async with self._db.read() as s:
            return picker_order(await store.list_replies(s, lang=lang))

    async def save(self, reply: CannedReply) -> CannedReply:
        """Create (``id`` 0) or replace a reply.

        Raises ``NotFound`` (``canned.not_found``) for an unknown id and ``Conflict``
        (``canned.too_many``) past ``MAX_REPLIES_PER_LANG`` replies in one language.
        """
        async with self._db.write() as s:
            if reply.id == 0 and await store.count_in(s, lang=reply.lang) >= MAX_REPLIES_PER_LANG:
                raise Conflict("Too many canned replies in this language.", code=CANNED_TOO_MANY)
            saved = await store.save_reply(s, reply=reply, now=self._clock.now())
        if saved is None:
            raise NotFound("No such canned reply.", code=CANNED_NOT_FOUND)
        return saved

    async def delete(self, reply_id: int) -> None:
        async with self._db.write() as s:
            deleted = await store.delete_reply(s, reply_id=reply_id)
        if not deleted:
            raise NotFound("No such canned reply.", code=CANNED_NOT_FOUND)
