"""Duty intervals, managed by the coordinator (the rota model will generate these)."""

from __future__ import annotations

from fastapi import APIRouter

from chatsupport.api.deps import CoordinatorDep, RuntimeDep
from chatsupport.api.schemas import ShiftIn, ShiftOut

router = APIRouter(prefix="/api/shifts", tags=["shifts"])


@router.get("")
async def list_shifts(_: CoordinatorDep, rt: RuntimeDep) -> list[ShiftOut]:
    return [
        ShiftOut(id=i, responder_id=s.responder_id, starts_at=s.starts_at, ends_at=s.ends_at)
        for i, s in await rt.duty.list_shifts()
    ]


@router.post("", status_code=201)
async def add_shift(body: ShiftIn, _: CoordinatorDep, rt: RuntimeDep) -> ShiftOut:
    shift_id, span = await rt.duty.add_shift(
        responder_id=body.responder_id, starts_at=body.starts_at, ends_at=body.ends_at
    )
    return ShiftOut(
        id=shift_id, responder_id=span.responder_id, starts_at=span.starts_at, ends_at=span.ends_at
    )


@router.delete("/{shift_id}", status_code=204)
async def remove_shift(shift_id: int, _: CoordinatorDep, rt: RuntimeDep) -> None:
    await rt.duty.remove_shift(shift_id)
