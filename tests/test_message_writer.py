"""Group commit (services/message_writer.py) with a fake store: posts that arrive while a batch
is being written go together into the next one; a failing batch is retried one by one, so only
the bad post fails; close() writes what is pending."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from chatsupport.domain.chat import Message, Sender
from chatsupport.domain.message_batch import Outcome, PostRequest
from chatsupport.services.message_writer import MessageWriter

NOW = datetime(2026, 11, 26, tzinfo=UTC)


class FakeStore:
    def __init__(self, *, fail_on: str | None = None) -> None:
        self.batches: list[list[str]] = []
        self.fail_on = fail_on
        self.gate = asyncio.Event()
        self.gate.set()

    async def __call__(self, requests: list[PostRequest]) -> list[Outcome]:
        await self.gate.wait()
        if any(r.client_id == self.fail_on for r in requests):
            raise ValueError("this transaction failed")
        self.batches.append([r.client_id for r in requests])
        return [
            (Message(r.chat_id, i, r.sender, r.client_id, r.text, NOW), True)
            for i, r in enumerate(requests, start=1)
        ]


def _request(client_id: str) -> PostRequest:
    return PostRequest("c1", Sender.YOUTH, client_id, "teksti")


async def test_posts_arriving_during_a_write_share_the_next_batch() -> None:
    store = FakeStore()
    writer = MessageWriter(store)
    store.gate.clear()
    first = asyncio.create_task(writer.post(_request("a")))
    await asyncio.sleep(0.01)  # "a" is being written (held at the gate)
    rest = [asyncio.create_task(writer.post(_request(c))) for c in "bcd"]
    await asyncio.sleep(0.01)
    store.gate.set()
    outcomes = await asyncio.gather(first, *rest)
    assert store.batches == [["a"], ["b", "c", "d"]]
    assert [o[0].client_id for o in outcomes if o is not None] == ["a", "b", "c", "d"]
    await writer.close()


async def test_batches_are_capped_at_max_batch() -> None:
    store = FakeStore()
    writer = MessageWriter(store, max_batch=2)
    await asyncio.gather(*(writer.post(_request(c)) for c in "abcde"))
    assert store.batches == [["a", "b"], ["c", "d"], ["e"]]
    await writer.close()


async def test_a_failing_batch_fails_only_the_bad_post() -> None:
    store = FakeStore(fail_on="bad")
    sizes: list[int] = []
    writer = MessageWriter(store, on_batch=sizes.append)
    results = await asyncio.gather(
        *(writer.post(_request(c)) for c in ["a", "bad", "c"]), return_exceptions=True
    )
    assert isinstance(results[1], ValueError)
    assert [r[0].client_id for r in (results[0], results[2]) if isinstance(r, tuple)] == ["a", "c"]
    assert store.batches == [["a"], ["c"]]
    assert sizes == [3, 1, 1, 1]
    await writer.close()


async def test_a_caller_that_stops_waiting_does_not_stop_the_write() -> None:
    store = FakeStore()
    writer = MessageWriter(store)
    store.gate.clear()
    task = asyncio.create_task(writer.post(_request("gone")))
    await asyncio.sleep(0.01)
    task.cancel()
    store.gate.set()
    assert await writer.post(_request("next")) is not None
    assert store.batches == [["gone"], ["next"]]
    await writer.close()


async def test_close_writes_what_is_pending_then_refuses() -> None:
    store = FakeStore()
    writer = MessageWriter(store)
    store.gate.clear()
    posts = [asyncio.create_task(writer.post(_request(c))) for c in "ab"]
    await asyncio.sleep(0.01)
    closing = asyncio.create_task(writer.close())
    await asyncio.sleep(0.01)
    store.gate.set()
    await closing
    assert all(p.done() and p.result() is not None for p in posts)
    with pytest.raises(RuntimeError):
        await writer.post(_request("late"))
