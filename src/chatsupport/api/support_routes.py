"""Backup support and transfer over HTTP: the coordinator's escalation count, and who a
responder may hand a chat to. The live flow itself is on the WebSocket (docs/protocol.md)."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from chatsupport.api.deps import CoordinatorDep, RuntimeDep, StaffDep

router = APIRouter(prefix="/api/support", tags=["support"])


class EscalatedOut(BaseModel):
    #: chats waiting now that waited past CHATSUPPORT_ESCALATE_AFTER_SECS
    waiting_escalated: int


class ColleagueOut(BaseModel):
    id: int
    role: str
    name: str


@router.get("/escalated")
async def escalated(_: CoordinatorDep, rt: RuntimeDep) -> EscalatedOut:
    return EscalatedOut(waiting_escalated=await rt.hub.support.escalated_waiting())


@router.get("/colleagues")
async def colleagues(staff: StaffDep, rt: RuntimeDep) -> list[ColleagueOut]:
    """Responders on duty and connected now, other than the caller (transfer targets)."""
    found = await rt.hub.support.colleagues(exclude=staff.responder.id)
    return [ColleagueOut(id=rid, role=role, name=name) for rid, role, name in found]
