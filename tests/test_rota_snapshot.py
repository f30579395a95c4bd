"""The rota snapshot behind every youth ``open``: what reads it again, and when it is waited for."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from chatsupport.domain.clock import FrozenClock
from chatsupport.domain.roles import Role
from chatsupport.services import rota as rota_service
from tests.helpers import add_user, running_app
from tests.rota_helpers import put_on_shift_now

HKI = ZoneInfo("Europe/Helsinki")


def counting(monkeypatch: pytest.MonkeyPatch, owner: Any, name: str) -> list[int]:
    """Replace ``owner.name`` by a wrapper that counts its calls; returns the counter."""
    calls = [0]
    real: Callable[..., Any] = getattr(owner, name)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        calls[0] += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, wrapper)
    return calls


async def test_after_a_sweep_the_next_open_does_not_wait_for_the_rota(
    settings_values: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A sweep reads nothing itself; the next open is answered from the snapshot held while
    the rota is read again behind it. A console's ``hello`` forgets the snapshot, so the next
    open reads the rota before it is answered."""
    async with running_app(settings_values) as (_, rt):
        anna = await add_user(rt, "anna", Role.PROFESSIONAL)
        await put_on_shift_now(rt, [anna])
        reads = counting(monkeypatch, rota_service.store, "load_rota")
        await rt.rota.admit_new_chat("fi")
        await rt.rota.admit_new_chat("fi")
        assert reads[0] == 1
        await rt.rota.consoles_still_seen([anna])  # the sweep
        assert reads[0] == 1
        await rt.rota.admit_new_chat("fi")
        assert reads[0] == 1  # answered without waiting for a read
        for _ in range(200):  # the read behind it
            if reads[0] == 2:
                break
            await asyncio.sleep(0.01)
        assert reads[0] == 2
        await rt.rota.consoles_seen([anna])  # a hello
        await rt.rota.admit_new_chat("fi")
        assert reads[0] == 3


async def test_the_open_answer_is_worked_out_once_per_snapshot_and_second(
    settings_values: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Opens within a second of the clock reuse "new chats are taken"; a later one, or one
    after a rota change, works it out again (and a closed rota is refused at once)."""
    clock = FrozenClock(datetime(2026, 11, 23, 15, 0, tzinfo=HKI))
    async with running_app(settings_values, clock=clock) as (_, rt):
        anna = await add_user(rt, "anna", Role.PROFESSIONAL)
        shift = await put_on_shift_now(rt, [anna], hours=2)
        worked_out = counting(monkeypatch, rota_service, "status")
        await rt.rota.admit_new_chat("fi")
        await rt.rota.admit_new_chat("fi")
        assert worked_out[0] == 1
        clock.advance(seconds=2)
        await rt.rota.admit_new_chat("fi")
        assert worked_out[0] == 2
        await rt.rota.delete_shift(shift.id)
        with pytest.raises(rota_service.ServiceClosed):
            await rt.rota.admit_new_chat("fi")
