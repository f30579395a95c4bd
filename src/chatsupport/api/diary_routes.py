"""The contact diary: responders file their own chats' records; coordinators keep the taxonomy.

Refusals (each with nothing stored): 422 ``diary.unknown_code`` / ``diary.retired_code`` /
``diary.missing_field`` / ``diary.bad_field`` / a rule code (``diary.concern_count``,
``diary.primary_concern``, ``diary.duplicate_code``, ``diary.level_needs_referral``,
``diary.level_needs_emergency``, ``diary.none_not_alone``, ``diary.referral_how``);
404 ``diary.chat_not_found``; 403 ``diary.not_your_chat``; 409 ``diary.chat_open``,
``diary.no_form``, ``diary.already_filed``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Path
from pydantic import BaseModel, Field

from chatsupport.api.debrief_routes import debrief_info
from chatsupport.api.deps import CoordinatorDep, RuntimeDep, StaffDep
from chatsupport.domain.taxonomy import Dimension, Taxonomy, Term
from chatsupport.hub.frames import DebriefInfo
from chatsupport.services.diary import DiaryService, DiarySettings

router = APIRouter(prefix="/api/diary", tags=["diary"])


def diary_service(rt: RuntimeDep) -> DiaryService:
    settings = DiarySettings(zone=rt.settings.zone, threshold=rt.settings.statistics_threshold)
    return DiaryService(db=rt.db, clock=rt.clock, settings=settings)


DiaryDep = Annotated[DiaryService, Depends(diary_service)]
ChatId = Annotated[str, Path(max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
CodeParam = Annotated[str, Path(max_length=32, pattern=r"^[A-Za-z0-9_]+$")]


class PendingOut(BaseModel):
    chat_id: str
    ended_at: datetime


class PendingList(BaseModel):
    count: int
    pending: list[PendingOut]


class CountOut(BaseModel):
    count: int


class TermOut(BaseModel):
    dimension: Dimension
    code: str
    labels: dict[str, str]
    retired: bool

    @classmethod
    def of(cls, term: Term) -> TermOut:
        return cls(
            dimension=term.dimension, code=term.code, labels=dict(term.labels), retired=term.retired
        )


class TermCreate(BaseModel):
    code: str = Field(max_length=32)
    labels: dict[str, str]


class TermUpdate(BaseModel):
    labels: dict[str, str] | None = None
    retired: bool | None = None


@router.get("/pending")
async def my_pending(staff: StaffDep, diary: DiaryDep) -> PendingList:
    """The signed-in responder's own records waiting for a form (the console reminds)."""
    pending = await diary.pending(responder_id=staff.responder.id)
    return PendingList(
        count=len(pending),
        pending=[PendingOut(chat_id=p.chat_id, ended_at=p.ended_at) for p in pending],
    )


@router.get("/pending/count")
async def pending_count(_: CoordinatorDep, diary: DiaryDep) -> CountOut:
    """How many records of all responders wait for a form."""
    return CountOut(count=await diary.pending_count())


class FiledOut(BaseModel):
    filed: bool
    #: an experience expert's heavy record asked for a debrief (docs/architecture.md)
    debrief: DebriefInfo | None = None


@router.post("/records/{chat_id}", status_code=201)
async def file_record(
    chat_id: ChatId,
    staff: StaffDep,
    diary: DiaryDep,
    rt: RuntimeDep,
    body: Annotated[dict[str, Any], Body()],
) -> FiledOut:
    """File the record of one of your ended chats; refused (nothing stored) on any rule."""
    me = staff.responder
    form = await diary.file(responder_id=me.id, chat_id=chat_id, data=body)
    debrief = await rt.debriefs.after_filing(responder=me, chat_id=chat_id, form=form)
    return FiledOut(filed=True, debrief=debrief_info(debrief) if debrief else None)


@router.get("/taxonomy")
async def taxonomy(_: StaffDep, diary: DiaryDep) -> list[TermOut]:
    """Every code with its labels; retired codes are listed (flagged) for old records."""
    current: Taxonomy = await diary.taxonomy()
    return [TermOut.of(t) for t in current.all_terms()]


@router.post("/taxonomy/{dimension}", status_code=201)
async def add_term(
    dimension: Dimension, body: TermCreate, _: CoordinatorDep, diary: DiaryDep
) -> TermOut:
    return TermOut.of(await diary.add_term(dimension=dimension, code=body.code, labels=body.labels))


@router.patch("/taxonomy/{dimension}/{code}")
async def update_term(
    dimension: Dimension, code: CodeParam, body: TermUpdate, _: CoordinatorDep, diary: DiaryDep
) -> TermOut:
    """Rename (new labels) and/or retire or restore a code."""
    term = await diary.update_term(
        dimension=dimension, code=code, labels=body.labels, retired=body.retired
    )
    return TermOut.of(term)
