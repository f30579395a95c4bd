"""Backup support and transfer over HTTP: the coordinator's escalation count and "Tilanne
nyt", and who a responder may hand a chat to. The live flow itself is on the WebSocket
(docs/protocol.md)."""

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


class OnDutyOut(BaseModel):
    id: int
    role: str
    name: str
    #: the console is connected (seen by any process within three sweep intervals)
    connected: bool


class BackupAwayOut(BaseModel):
    experts: list[str]
    backup: str


class SituationOut(BaseModel):
    """The service right now (docs/architecture.md, "Tilanne nyt"): no chat ids, no text."""

    open: bool
    accepts_new_chats: bool
    waiting: int
    #: of those, escalated (waited past CHATSUPPORT_ESCALATE_AFTER_SECS, or "help now")
    waiting_escalated: int
    active: int
    #: of those, chats whose responder's console has been gone CHATSUPPORT_HOLDER_GONE_SECS
    active_holder_gone: int
    on_duty: list[OnDutyOut]
    #: expert shifts running without their backup's console (so they do not open)
    backups_away: list[BackupAwayOut]


@router.get("/now")
async def situation(_: CoordinatorDep, rt: RuntimeDep) -> SituationOut:
    now = await rt.hub.support.situation()
    return SituationOut(
        open=now.open,
        accepts_new_chats=now.accepts_new_chats,
        waiting=now.waiting,
        waiting_escalated=now.waiting_escalated,
        active=now.active,
        active_holder_gone=now.active_holder_gone,
        on_duty=[
            OnDutyOut(id=p.id, role=p.role, name=p.name, connected=p.connected) for p in now.on_duty
        ],
        backups_away=[
            BackupAwayOut(experts=list(b.experts), backup=b.backup) for b in now.backups_away
        ],
    )


@router.get("/escalated")
async def escalated(_: CoordinatorDep, rt: RuntimeDep) -> EscalatedOut:
    return EscalatedOut(waiting_escalated=await rt.hub.support.escalated_waiting())


@router.get("/colleagues")
async def colleagues(staff: StaffDep, rt: RuntimeDep) -> list[ColleagueOut]:
    """Responders on duty and connected now, other than the caller (transfer targets)."""
    found = await rt.hub.support.colleagues(exclude=staff.responder.id)
    return [ColleagueOut(id=rid, role=role, name=name) for rid, role, name in found]
