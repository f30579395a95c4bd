"""`chatsupport demo` seeds a rota that is open whenever someone tries it."""

from __future__ import annotations

from typing import Any

from chatsupport.cli import _seed_demo
from chatsupport.settings import Settings
from tests.helpers import running_app


async def test_demo_rota_is_open_now_and_takes_chats(settings_values: dict[str, Any]) -> None:
    """After seeding, the public opening says open and accepting new chats, with someone on
    duty for each of the widget's languages (so the demo shows no "nobody speaks" notice)."""
    await _seed_demo(Settings(**settings_values))
    async with running_app(settings_values) as (client, rt):
        body = (await client.get("/api/public/opening")).json()
        assert body["open"] is True and body["accepts_new_chats"] is True
        assert body["languages_now"] == ["fi", "sv", "en"]
        shifts, _ = await rt.rota.listing()
        assert {s.weekday for s in shifts} == set(range(7))
