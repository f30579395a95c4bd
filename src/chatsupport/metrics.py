"""Prometheus instruments of this process (prometheus-client), served at ``/metrics``.

Every label value comes from a short fixed list (a side, an outcome, a sender, a limit code):
no label ever carries an id, a name or text. Counters and histograms count what this process
did; the gauges of chats are read from the database at scrape time, so every replica reports
the same service-wide numbers for them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from prometheus_client import CONTENT_TYPE_LATEST as CONTENT_TYPE
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

__all__ = ["CONTENT_TYPE", "REGISTRY", "ScrapeValues", "render"]

REGISTRY = CollectorRegistry(auto_describe=True)

# Seconds: from a few seconds to an hour for waits; up to three hours for chats.
WAIT_BUCKETS = (5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600)
BATCH_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128, 256)
DURATION_BUCKETS = (60, 300, 600, 900, 1200, 1800, 2700, 3600, 5400, 7200, 10800)

connections = Gauge(
    "chatsupport_connections", "Open WebSocket connections on this process.", ["side"],
    registry=REGISTRY,
)  # fmt: skip
chats_open = Gauge(
    "chatsupport_chats", "Chats now waiting or active (service-wide).", ["state"],
    registry=REGISTRY,
)  # fmt: skip
wait_seconds = Histogram(
    "chatsupport_wait_seconds", "Time from opening to the winning claim.",
    buckets=WAIT_BUCKETS, registry=REGISTRY,
)  # fmt: skip
chat_duration_seconds = Histogram(
    "chatsupport_chat_duration_seconds", "Time from the claim to the end of a chat.",
    buckets=DURATION_BUCKETS, registry=REGISTRY,
)  # fmt: skip
claims = Counter(
    "chatsupport_claims", "Claims, by outcome (won, or conflict: someone else was first).",
    ["outcome"], registry=REGISTRY,
)  # fmt: skip
messages = Counter(
    "chatsupport_messages", "Chat messages stored and relayed, by sender.", ["sender"],
    registry=REGISTRY,
)  # fmt: skip
message_batch = Histogram(
    "chatsupport_message_batch_size", "Messages stored per write transaction (group commit).",
    buckets=BATCH_BUCKETS, registry=REGISTRY,
)  # fmt: skip
missed_contacts = Counter(
    "chatsupport_missed_contacts", "Chats the youth left before anyone claimed them.",
    registry=REGISTRY,
)  # fmt: skip
broker_reconnects = Gauge(
    "chatsupport_broker_reconnects", "Times this process re-established its broker listener.",
    registry=REGISTRY,
)  # fmt: skip
limit_refusals = Gauge(
    "chatsupport_limit_refusals", "Requests refused by an abuse limit, by limit code.",
    ["code"], registry=REGISTRY,
)  # fmt: skip

for _side in ("youth", "responder"):
    connections.labels(side=_side)
for _outcome in ("won", "conflict"):
    claims.labels(outcome=_outcome)
# Bound once: the labels lookup took more CPU than the increment, once per stored message.
messages_by_sender = {sender: messages.labels(sender=sender) for sender in ("youth", "responder")}


@dataclass(frozen=True, slots=True)
class ScrapeValues:
    """What is read fresh at each scrape."""

    chats_by_state: Mapping[str, int]
    broker_reconnects: int
    limit_refusals: Mapping[str, int]


def render(values: ScrapeValues) -> bytes:
    """The exposition text, after setting the gauges that are read at scrape time."""
    for state in ("waiting", "active"):
        chats_open.labels(state=state).set(values.chats_by_state.get(state, 0))
    broker_reconnects.set(values.broker_reconnects)
    for code, count in values.limit_refusals.items():
        limit_refusals.labels(code=code).set(count)
    return generate_latest(REGISTRY)


def observe_claim(*, won: bool, wait_secs: float | None = 0.0) -> None:
    """A claim's outcome; ``wait_secs`` None: a claim of a chat whose responder was gone (the
    young person's wait for a first answer was counted when the chat was first claimed)."""
    claims.labels(outcome="won" if won else "conflict").inc()
    if won and wait_secs is not None:
        wait_seconds.observe(max(0.0, wait_secs))
