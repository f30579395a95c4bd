"""Canned replies: the coordinator manages them; every staff member may list them.

``GET /api/canned?lang=fi`` lists (staff); ``POST /api/canned`` creates, ``PUT|DELETE
/api/canned/{id}`` replace and delete (coordinator, with the CSRF header). Unknown ids answer
404 ``canned.not_found``; more than 100 replies in one language 409 ``canned.too_many``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel, Field

from chatsupport.api.deps import CoordinatorDep, RuntimeDep, StaffDep
from chatsupport.api.schemas import RowIdPath, Strict
from chatsupport.domain.canned import MAX_TEXT_CHARS, MAX_TITLE_CHARS, CannedLang, CannedReply
from chatsupport.services.canned import CannedService

router = APIRouter(prefix="/api/canned", tags=["canned replies"])


def canned_service(rt: RuntimeDep) -> CannedService:
    return CannedService(db=rt.db, clock=rt.clock)


CannedDep = Annotated[CannedService, Depends(canned_service)]


class CannedIn(Strict):
    lang: CannedLang
    title: str = Field(min_length=1, max_length=MAX_TITLE_CHARS, pattern=r"\S")
    text: str = Field(min_length=1, max_length=MAX_TEXT_CHARS, pattern=r"\S")
    position: int = Field(default=0, ge=0, le=1000)

    def reply(self, reply_id: int = 0) -> CannedReply:
        return CannedReply(
            id=reply_id,
            lang=self.lang,
            title=self.title.strip(),
            text=self.text.strip(),
            position=self.position,
        )


class CannedOut(BaseModel):
    id: int
    lang: CannedLang
    title: str
    text: str
    position: int

    @classmethod
    def of(cls, reply: CannedReply) -> CannedOut:
        return cls(
            id=reply.id,
            lang=reply.lang,
            title=reply.title,
            text=reply.text,
            position=reply.position,
        )


@router.get("")
async def list_canned(
    _: StaffDep, canned: CannedDep, lang: Annotated[CannedLang | None, Query()] = None
) -> list[CannedOut]:
    """Replies in picker order, of one language when ``lang`` is given."""
    return [CannedOut.of(r) for r in await canned.list(lang=lang)]


@router.post("", status_code=201)
async def create_canned(body: CannedIn, _: CoordinatorDep, canned: CannedDep) -> CannedOut:
    return CannedOut.of(await canned.save(body.reply()))


@router.put("/{reply_id}")
async def replace_canned(
    reply_id: RowIdPath, body: CannedIn, _: CoordinatorDep, canned: CannedDep
) -> CannedOut:
    return CannedOut.of(await canned.save(body.reply(reply_id)))


@router.delete("/{reply_id}", status_code=204)
async def delete_canned(reply_id: RowIdPath, _: CoordinatorDep, canned: CannedDep) -> Response:
    await canned.delete(reply_id)
    return Response(status_code=204)
