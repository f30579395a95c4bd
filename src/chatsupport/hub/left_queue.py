"""Chats this process has heard leave the queue, to correct a read of the queue begun before.

A console reads the waiting chats as it connects, and every console re-reads them after a
broker gap. A claim (or a missed contact) that commits while such a read is under way can
arrive here as an event before the read's answer does; tagging from that answer would then
show a taken chat that nothing ever withdraws. So each chat leaving the queue gets a number,
and a read keeps only the chats that have not left since it began.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable

from chatsupport.domain.chat import Chat

KEEP = 4096  # far more chats than leave the queue during one read


class LeftQueue:
    def __init__(self, keep: int = KEEP) -> None:
        self._keep = keep
        self._count = 0
        self._left_at: OrderedDict[str, int] = OrderedDict()

    def mark(self) -> int:
        """Take before reading the queue; give to ``still_waiting`` with the answer."""
        return self._count

    def left(self, chat_id: str) -> None:
        self._count += 1
        self._left_at[chat_id] = self._count
        self._left_at.move_to_end(chat_id)
        if len(self._left_at) > self._keep:
            self._left_at.popitem(last=False)

    def still_waiting(self, read: Iterable[Chat], mark: int) -> list[Chat]:
        """The chats of a read begun at ``mark`` that have not left the queue since."""
        return [chat for chat in read if self._left_at.get(chat.id, 0) <= mark]
