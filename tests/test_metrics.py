"""Prometheus metrics: off by default, token-protected, and counting a real chat."""

from __future__ import annotations

from typing import Any

import httpx
from prometheus_client.parser import text_string_to_metric_families

from chatsupport.services import limit_counts
from tests.live import LiveServer, live_server, responder, youth
from tests.test_hub import on_duty

TOKEN = "metrics-token-for-tests-0123456789"
# Every label value must come from these short fixed lists: never an id or text.
ALLOWED_LABELS = {
    "side": {"youth", "responder"},
    "state": {"waiting", "active"},
    "outcome": {"won", "conflict"},
    "sender": {"youth", "responder"},
    "le": None,  # histogram bucket bounds
}


async def scrape(server: LiveServer) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    async with httpx.AsyncClient(base_url=server.base) as client:
        response = await client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200, response.text
    samples = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples: dict[Any, float], name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


async def test_metrics_are_off_without_a_token(stack_values: dict[str, Any]) -> None:
    """No token configured: 404. A wrong token: 401. Never served to just anyone."""
    async with live_server(stack_values) as server, httpx.AsyncClient(base_url=server.base) as c:
        assert (await c.get("/metrics")).json()["error"]["code"] == "metrics.off"
    async with (
        live_server({**stack_values, "metrics_token": TOKEN}) as server,
        httpx.AsyncClient(base_url=server.base) as c,
    ):
        wrong = await c.get("/metrics", headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401


async def test_a_chat_and_a_claim_race_are_counted(stack_values: dict[str, Any]) -> None:
    """Connections, waiting/active chats, claims won and lost, messages, wait and duration."""
    async with live_server({**stack_values, "metrics_token": TOKEN}) as server:
        await on_duty(server, "anna")
        await on_duty(server, "bert")
        before = await scrape(server)
        async with responder(server, "anna") as a, responder(server, "bert") as b:
            async with youth(server) as y:
                await y.send(type="open")
                await y.expect("opened")
                chat_id = (await a.expect("tag"))["chat_id"]
                await b.expect("tag")
                during = await scrape(server)
                assert value(during, "chatsupport_chats", state="waiting") == 1
                assert (
                    value(during, "chatsupport_connections", side="youth")
                    == value(before, "chatsupport_connections", side="youth") + 1
                )
                await a.send(type="claim", chat_id=chat_id)
                await a.expect("claimed")
                await b.send(type="claim", chat_id=chat_id)
                await b.expect("error")
                await y.send(type="send", client_id="1", text="hei")
                await a.expect("message")
                await a.send(type="end", chat_id=chat_id)
                await y.expect("ended")
            after = await scrape(server)

    def grew(name: str, by: float, **labels: str) -> None:
        assert value(after, name, **labels) - value(before, name, **labels) == by, name

    grew("chatsupport_claims_total", 1, outcome="won")
    grew("chatsupport_claims_total", 1, outcome="conflict")
    grew("chatsupport_messages_total", 1, sender="youth")
    grew("chatsupport_wait_seconds_count", 1)
    grew("chatsupport_chat_duration_seconds_count", 1)
    assert value(after, "chatsupport_chats", state="waiting") == 0
    for name, labels in after:
        for key, label_value in labels:
            if key == "code":  # an abuse-limit code such as rate.too_many_chats
                assert label_value in limit_counts.LIMIT_CODES, (name, label_value)
                continue
            assert key in ALLOWED_LABELS, (name, key)
            allowed = ALLOWED_LABELS[key]
            assert allowed is None or label_value in allowed, (name, key, label_value)
