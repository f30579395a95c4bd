"""Liveness and readiness."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from chatsupport.api.deps import RuntimeDep
from chatsupport.storage.database import DatabaseUnavailable

router = APIRouter(tags=["health"])


@router.get("/healthz")
@router.head("/healthz", include_in_schema=False)  # uptime monitors often ask with HEAD
async def healthz() -> dict[str, str]:
    """The process is alive and serving."""
    return {"status": "ok"}


@router.get("/readyz")
@router.head("/readyz", include_in_schema=False)
async def readyz(rt: RuntimeDep) -> JSONResponse:
    """200 when the database and the broker are reachable, 503 (naming which is not) otherwise."""
    checks = {"database": await _database_ok(rt), "broker": await rt.broker.ready()}
    status = 200 if all(checks.values()) else 503
    return JSONResponse({"ready": status == 200, "checks": checks}, status_code=status)


async def _database_ok(rt: RuntimeDep) -> bool:
    try:
        await rt.db.check()
    except DatabaseUnavailable:
        return False
    return True
