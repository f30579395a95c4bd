"""The youth's optional "did this help?" answer: one per answered chat, stored anonymously.

Flow: while the chat is open the youth exchanges its resume token for a one-time *ticket*
(``ticket``); after the chat has ended it sends the answer with the ticket (``answer``). The
ticket's hash is deleted in the transaction that stores the answer, and the answer row holds
only the answer and the local date, so nothing links it to the chat. Anything but the first
answer of an answered chat within ``FEEDBACK_WINDOW`` of its end is a silent no-op.
"""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from chatsupport.auth.tokens import new_token, token_hash
from chatsupport.domain.clock import Clock
from chatsupport.domain.errors import NotFound
from chatsupport.domain.feedback import FEEDBACK_NOT_OPEN, FEEDBACK_WINDOW, Answer, tally
from chatsupport.domain.periods import check_range
from chatsupport.storage import feedback as store
from chatsupport.storage.database import Database


class FeedbackService:
    def __init__(self, *, db: Database, clock: Clock, zone: ZoneInfo, threshold: int) -> None:
        self._db = db
        self._clock = clock
        self._zone = zone
        self._threshold = threshold

    async def ticket(self, *, resume_token: str) -> str:
        """A new ticket for the open chat of ``resume_token`` (replacing an earlier one).

        Raises ``NotFound`` (``feedback.chat_not_open``) when the token has no open chat.
        """
        ticket = new_token()
        async with self._db.write() as s:
            chat_id = await store.open_chat_id(s, token_hash=token_hash(resume_token))
            if chat_id is None:
                raise NotFound("No open chat for this token.", code=FEEDBACK_NOT_OPEN)
            await store.set_ticket(s, chat_id=chat_id, ticket_hash=token_hash(ticket))
        return ticket

    async def answer(self, *, ticket: str, answer: Answer) -> bool:
        """Store the answer if the ticket is good now; True when it was stored."""
        now = self._clock.now()
        async with self._db.write() as s:
            used = await store.use_ticket(
                s, ticket_hash=token_hash(ticket), ended_after=now - FEEDBACK_WINDOW
            )
            if used:
                await store.add_answer(
                    s, local_date=now.astimezone(self._zone).date(), answer=answer
                )
        return used

    async def table(self, *, start: date, end: date, lang: str) -> dict[str, object]:
        """The suppressed feedback counts of [start, end] for the statistics API."""
        check_range(start, end)
        async with self._db.read() as s:
            answers = await store.answers_between(s, start=start, end=end)
        return tally(answers, threshold=self._threshold, lang=lang)
