"""Rota helpers for live tests: put a responder on a shift running now."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from chatsupport.api.runtime import Runtime
from chatsupport.domain.rota import Shift, ShiftRole


def shift_body_now(
    now: datetime,
    zone: Any,
    *,
    responder_ids: list[int],
    role: str = "professional",
    backup_id: int | None = None,
    hours: int = 24,
) -> dict[str, Any]:
    """JSON for a dated shift from an hour ago, ``hours`` long (24: ends at the same time)."""
    start = (now - timedelta(hours=1)).astimezone(zone).replace(second=0, microsecond=0)
    end = start + timedelta(hours=hours)
    return {
        "role": role,
        "date": start.date().isoformat(),
        "starts": start.time().isoformat("minutes"),
        "ends": end.time().isoformat("minutes"),
        "ends_next_day": end.date() != start.date(),
        "responder_ids": responder_ids,
        "backup_id": backup_id,
    }


async def put_on_shift_now(
    rt: Runtime,
    responder_ids: list[int],
    *,
    role: ShiftRole = ShiftRole.PROFESSIONAL,
    backup_id: int | None = None,
    hours: int = 24,
) -> Shift:
    """A dated shift running now, saved through the rota service (every rule checked)."""
    body = shift_body_now(
        rt.clock.now(),
        rt.rota.settings.zone,
        responder_ids=responder_ids,
        role=role.value,
        backup_id=backup_id,
        hours=hours,
    )
    shift = await rt.rota.save_shift(
        Shift(
            id=0,
            role=role,
            starts=datetime.strptime(body["starts"], "%H:%M").time(),
            ends=datetime.strptime(body["ends"], "%H:%M").time(),
            responder_ids=frozenset(responder_ids),
            on_date=datetime.fromisoformat(body["date"]).date(),
            ends_next_day=body["ends_next_day"],
            backup_id=backup_id,
        )
    )
    rt.hub.invalidate_on_duty()
    return shift
