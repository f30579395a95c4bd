"""The youth's optional "did this help?" answer (public, no login; services/feedback.py).

``POST /api/public/feedback/ticket`` with ``{"token": <resume token>}`` while the chat is
open gives ``{"ticket"}`` (404 ``feedback.chat_not_open`` otherwise). ``POST
/api/public/feedback`` with ``{"ticket", "answer": "yes"|"a_little"|"no"}`` after the chat has
ended answers ``{"recorded": true}`` once; every later or unusable ticket answers
``{"recorded": false}`` and stores nothing (the endpoint is a no-op beyond one answer per
answered chat, so it needs no other abuse protection).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from chatsupport.api.deps import RuntimeDep
from chatsupport.api.schemas import Strict
from chatsupport.domain.feedback import Answer
from chatsupport.services.feedback import FeedbackService

router = APIRouter(prefix="/api/public/feedback", tags=["youth feedback"])
Token = Annotated[str, Field(min_length=1, max_length=128)]


def feedback_service(rt: RuntimeDep) -> FeedbackService:
    settings = rt.settings
    return FeedbackService(
        db=rt.db, clock=rt.clock, zone=settings.zone, threshold=settings.statistics_threshold
    )


FeedbackDep = Annotated[FeedbackService, Depends(feedback_service)]


class TicketIn(Strict):
    token: Token


class TicketOut(BaseModel):
    ticket: str


class AnswerIn(Strict):
    ticket: Token
    answer: Answer


class AnswerOut(BaseModel):
    recorded: bool


@router.post("/ticket", status_code=201)
async def feedback_ticket(body: TicketIn, feedback: FeedbackDep) -> TicketOut:
    """A one-time ticket for the open chat of a resume token (a new one replaces the old)."""
    return TicketOut(ticket=await feedback.ticket(resume_token=body.token))


@router.post("")
async def feedback_answer(body: AnswerIn, feedback: FeedbackDep) -> AnswerOut:
    """Count the answer once per answered chat; anything else is a no-op."""
    return AnswerOut(recorded=await feedback.answer(ticket=body.ticket, answer=body.answer))
