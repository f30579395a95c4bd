"""The audit trail for coordinators."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from chatsupport.api.deps import CoordinatorDep, RuntimeDep
from chatsupport.api.schemas import RowId

router = APIRouter(prefix="/api/audit", tags=["audit"])


class AuditOut(BaseModel):
    id: int
    at: datetime
    actor_id: int | None
    actor_role: str
    action: str
    target: str


@router.get("")
async def audit_trail(
    _: CoordinatorDep,
    rt: RuntimeDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    before_id: Annotated[RowId | None, Query()] = None,
) -> list[AuditOut]:
    """Newest first; page back with ``before_id`` (the smallest id of the previous page)."""
    entries = await rt.audit.recent(limit=limit, before_id=before_id)
    return [AuditOut(id=i, **asdict(e)) for i, e in entries]
