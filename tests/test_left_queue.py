"""The record of chats that left the queue, which corrects a console's read of the queue."""

from __future__ import annotations

from datetime import UTC, datetime

from chatsupport.domain.chat import Chat, ChatState
from chatsupport.hub.left_queue import LeftQueue

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def waiting(*ids: str) -> list[Chat]:
    return [Chat(i, ChatState.WAITING, "fi", None, 0, NOW, None, None) for i in ids]


def test_a_read_keeps_only_chats_that_had_not_left_since_it_began() -> None:
    left = LeftQueue()
    left.left("gone-before")  # left before the read began: the read itself no longer has it
    mark = left.mark()
    left.left("b")  # claimed while the read ran
    read = waiting("gone-before", "a", "b", "c")
    assert [c.id for c in left.still_waiting(read, mark)] == ["gone-before", "a", "c"]


def test_only_the_most_recent_departures_are_kept() -> None:
    left = LeftQueue(keep=2)
    mark = left.mark()
    for chat_id in ("a", "b", "c"):
        left.left(chat_id)
    assert [c.id for c in left.still_waiting(waiting("a", "b", "c"), mark)] == ["a"]
