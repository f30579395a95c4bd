"""What the metrics endpoint reads fresh at each scrape."""

from __future__ import annotations

from chatsupport.broker import Broker
from chatsupport.metrics import ScrapeValues
from chatsupport.services import limit_counts
from chatsupport.storage import chat_counts
from chatsupport.storage.database import Database


async def scrape_values(*, db: Database, broker: Broker) -> ScrapeValues:
    async with db.read() as s:
        by_state = await chat_counts.open_by_state(s)
    return ScrapeValues(
        chats_by_state=by_state,
        broker_reconnects=broker.reconnects,
        limit_refusals=limit_counts.refusals(),
    )
