"""How often each abuse limit refused something, in this process (for metrics).

A plain in-process counter so that the metrics endpoint can read it without knowing the
limits: ``refusals()`` returns ``{code: count}`` since the process started, for the codes
``rate.too_many_chats``, ``rate.too_many_messages``, ``rate.too_many_connections``,
``queue.full``, ``rate.blocked_open`` (an open refused because its key was blocked by a
responder), ``ws.handshake_timeout`` and ``chat.blocked`` (a responder blocked a chat). The
codes are fixed strings; no key, chat id or address is ever a label.
"""

from __future__ import annotations

from collections import Counter

LIMIT_CODES = (
    "rate.too_many_chats",
    "rate.too_many_messages",
    "rate.too_many_connections",
    "queue.full",
    "rate.blocked_open",
    "ws.handshake_timeout",
    "chat.blocked",
)

_refusals: Counter[str] = Counter({code: 0 for code in LIMIT_CODES})


def count(code: str) -> None:
    """Count one refusal (or block) under ``code`` (one of ``LIMIT_CODES``)."""
    _refusals[code] += 1


def refusals() -> dict[str, int]:
    """A copy of the counts, every code present (0 when it never happened)."""
    return dict(_refusals)
