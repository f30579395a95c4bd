"""The rota over HTTP: the coordinator edits shifts, closures and youth texts; anyone may ask
whether the chat is open (``/api/public/opening``) and what the youth widget's "about" dialog
says (``/api/public/about``), no login, nothing identifying stored."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from datetime import time
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field, field_validator

from chatsupport.api.audit_middleware import audit_detail
from chatsupport.api.deps import CoordinatorDep, RuntimeDep
from chatsupport.api.schemas import RowId, RowIdPath, Strict
from chatsupport.domain.rota import Closure, Shift, ShiftRole
from chatsupport.domain.youth_texts import MAX_TEXT_CHARS, Lang, YouthTexts
from chatsupport.hub.frames import ClosedInfo

router = APIRouter(tags=["rota"])


def _naive(value: time | None) -> time | None:
    if value is not None and value.tzinfo is not None:
        raise ValueError("expected a local time without an offset (the rota's time zone applies)")
    return value


class ShiftIn(Strict):
    """A weekly shift (``weekday``, 0 = Monday) or an extra one-off shift (``date``)."""

    role: ShiftRole
    weekday: int | None = Field(default=None, ge=0, le=6)
    date: dt.date | None = None
    starts: time
    ends: time
    ends_next_day: bool = False
    responder_ids: list[RowId] = Field(min_length=1, max_length=20)
    backup_id: RowId | None = None

    _local = field_validator("starts", "ends")(_naive)

    def to_shift(self, shift_id: int) -> Shift:
        return Shift(
            id=shift_id,
            role=self.role,
            starts=self.starts,
            ends=self.ends,
            responder_ids=frozenset(self.responder_ids),
            weekday=self.weekday,
            on_date=self.date,
            ends_next_day=self.ends_next_day,
            backup_id=self.backup_id,
        )


class ShiftOut(BaseModel):
    id: int
    role: ShiftRole
    weekday: int | None
    date: dt.date | None
    starts: time
    ends: time
    ends_next_day: bool
    responder_ids: list[int]
    backup_id: int | None

    @classmethod
    def of(cls, s: Shift) -> ShiftOut:
        return cls(
            id=s.id,
            role=s.role,
            weekday=s.weekday,
            date=s.on_date,
            starts=s.starts,
            ends=s.ends,
            ends_next_day=s.ends_next_day,
            responder_ids=sorted(s.responder_ids),
            backup_id=s.backup_id,
        )


class ClosureIn(Strict):
    """Closed all day on ``date``, or from ``starts`` to ``ends`` that day."""

    date: dt.date
    starts: time | None = None
    ends: time | None = None
    note: str = Field(default="", max_length=200)

    _local = field_validator("starts", "ends")(_naive)

    def to_closure(self, closure_id: int) -> Closure:
        return Closure(closure_id, self.date, self.starts, self.ends, self.note)


class ClosureOut(BaseModel):
    id: int
    date: dt.date
    starts: time | None
    ends: time | None
    note: str

    @classmethod
    def of(cls, c: Closure) -> ClosureOut:
        return cls(id=c.id, date=c.on_date, starts=c.starts, ends=c.ends, note=c.note)


class RotaOut(BaseModel):
    time_zone: str
    shifts: list[ShiftOut]
    closures: list[ClosureOut]
    open_now: bool
    #: open, and not yet in the last ``CHATSUPPORT_INTAKE_CUTOFF_MINS`` before closing
    accepts_new_chats: bool
    on_duty: list[int]


class TextsIn(Strict):
    opening: str = Field(min_length=1, max_length=MAX_TEXT_CHARS)
    closed: str = Field(min_length=1, max_length=MAX_TEXT_CHARS)
    emergency: str = Field(min_length=1, max_length=MAX_TEXT_CHARS)
    accessibility: str = Field(min_length=1, max_length=MAX_TEXT_CHARS)


class TextsOut(BaseModel):
    opening: str
    closed: str
    emergency: str
    accessibility: str


class AboutOut(BaseModel):
    """What the youth widget's "about" and accessibility dialog needs from the server: the
    retention it promises comes from the running settings, so the text cannot drift."""

    lang: Lang
    transcript_retention_days: int
    diary_retention_months: int
    accessibility: str


# --- coordinator -------------------------------------------------------------------------


@router.get("/api/rota")
async def get_rota(_: CoordinatorDep, rt: RuntimeDep) -> RotaOut:
    shifts, closures = await rt.rota.listing()
    now = await rt.rota.status()
    return RotaOut(
        time_zone=rt.rota.settings.zone.key,
        shifts=[ShiftOut.of(s) for s in shifts],
        closures=[ClosureOut.of(c) for c in closures],
        open_now=now.open,
        accepts_new_chats=now.accepts_new_chats(rt.rota.settings.intake_cutoff),
        on_duty=sorted(now.on_duty),
    )


@router.post("/api/rota/shifts", status_code=201)
async def create_shift(
    body: ShiftIn, request: Request, _: CoordinatorDep, rt: RuntimeDep
) -> ShiftOut:
    saved = ShiftOut.of(await rt.rota.save_shift(body.to_shift(0)))
    rt.hub.invalidate_on_duty()
    audit_detail(request, shift_id=saved.id)
    return saved


@router.put("/api/rota/shifts/{shift_id}")
async def replace_shift(
    shift_id: RowIdPath, body: ShiftIn, _: CoordinatorDep, rt: RuntimeDep
) -> ShiftOut:
    saved = ShiftOut.of(await rt.rota.save_shift(body.to_shift(shift_id)))
    rt.hub.invalidate_on_duty()
    return saved


@router.delete("/api/rota/shifts/{shift_id}", status_code=204)
async def delete_shift(shift_id: RowIdPath, _: CoordinatorDep, rt: RuntimeDep) -> None:
    await rt.rota.delete_shift(shift_id)
    rt.hub.invalidate_on_duty()


@router.post("/api/rota/closures", status_code=201)
async def create_closure(
    body: ClosureIn, request: Request, _: CoordinatorDep, rt: RuntimeDep
) -> ClosureOut:
    saved = ClosureOut.of(await rt.rota.save_closure(body.to_closure(0)))
    rt.hub.invalidate_on_duty()
    audit_detail(request, closure_id=saved.id)
    return saved


@router.put("/api/rota/closures/{closure_id}")
async def replace_closure(
    closure_id: RowIdPath, body: ClosureIn, _: CoordinatorDep, rt: RuntimeDep
) -> ClosureOut:
    saved = ClosureOut.of(await rt.rota.save_closure(body.to_closure(closure_id)))
    rt.hub.invalidate_on_duty()
    return saved


@router.delete("/api/rota/closures/{closure_id}", status_code=204)
async def delete_closure(closure_id: RowIdPath, _: CoordinatorDep, rt: RuntimeDep) -> None:
    await rt.rota.delete_closure(closure_id)
    rt.hub.invalidate_on_duty()


@router.get("/api/rota/texts/{lang}")
async def get_texts(lang: Lang, _: CoordinatorDep, rt: RuntimeDep) -> TextsOut:
    return TextsOut.model_validate(vars_of(await rt.rota.texts(lang)))


@router.put("/api/rota/texts/{lang}")
async def set_texts(lang: Lang, body: TextsIn, _: CoordinatorDep, rt: RuntimeDep) -> TextsOut:
    texts = YouthTexts(**body.model_dump())
    return TextsOut.model_validate(vars_of(await rt.rota.set_texts(lang, texts)))


@router.delete("/api/rota/texts/{lang}")
async def reset_texts(lang: Lang, _: CoordinatorDep, rt: RuntimeDep) -> TextsOut:
    """Go back to the built-in drafts for this language."""
    return TextsOut.model_validate(vars_of(await rt.rota.reset_texts(lang)))


def vars_of(texts: YouthTexts) -> dict[str, str]:
    return asdict(texts)


# --- public --------------------------------------------------------------------------------


@router.get("/api/public/opening")
async def opening(
    rt: RuntimeDep, lang: Annotated[Literal["fi", "sv", "en"], Query()] = "fi"
) -> ClosedInfo:
    """Open or closed now, today's hours, next closing and opening (local time with offset),
    whether new chats are taken, and the texts to show, in ``lang``."""
    return ClosedInfo.model_validate((await rt.rota.opening(lang)).view())


@router.get("/api/public/about")
async def about(rt: RuntimeDep, lang: Annotated[Lang, Query()] = "fi") -> AboutOut:
    """How long the chat's messages and the statistics records are kept, and the organiser's
    part of the accessibility statement, in ``lang`` (no login)."""
    settings = rt.settings
    return AboutOut(
        lang=lang,
        transcript_retention_days=settings.transcript_retention_days,
        diary_retention_months=settings.diary_retention_months,
        accessibility=(await rt.rota.texts(lang)).accessibility,
    )
