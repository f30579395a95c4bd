"""Debriefs after a heavy chat (docs/architecture.md, "Debrief"): an experience expert asks,
the professional asked answers "I will contact you". Live updates go out as ``debrief`` frames.

Refusals: 403 ``debrief.not_expert`` (asking is for experience experts), 404
``debrief.not_found``, 403 ``debrief.not_yours`` (not asked of you, or not a professional),
409 ``debrief.answered`` (someone answered first).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel

from chatsupport.api.deps import RuntimeDep, StaffDep
from chatsupport.domain.debrief import Debrief
from chatsupport.hub.frames import DebriefInfo, debrief_view

router = APIRouter(prefix="/api/debriefs", tags=["debriefs"])
DebriefId = Annotated[int, Path(ge=1, le=2**31 - 1)]


class DebriefList(BaseModel):
    """``mine``: an expert's own requests of the last 24 hours; ``to_answer``: a
    professional's unanswered ones (asked of them, of nobody in particular, or left 15
    minutes), or for a coordinator every unanswered one (to see, not to answer)."""

    mine: list[DebriefInfo]
    to_answer: list[DebriefInfo]


@router.get("")
async def my_debriefs(staff: StaffDep, rt: RuntimeDep) -> DebriefList:
    mine, to_answer = await rt.debriefs.listing(responder=staff.responder)
    return DebriefList(
        mine=[debrief_info(d) for d in mine], to_answer=[debrief_info(d) for d in to_answer]
    )


@router.post("", status_code=201)
async def ask_for_debrief(staff: StaffDep, rt: RuntimeDep) -> DebriefInfo:
    """An experience expert asks: of the backup of their running shift, else of anyone."""
    return debrief_info(await rt.debriefs.ask(expert=staff.responder))


@router.post("/{debrief_id}/answer")
async def answer_debrief(debrief_id: DebriefId, staff: StaffDep, rt: RuntimeDep) -> DebriefInfo:
    """ "I will contact you": the first professional allowed to answer takes it."""
    return debrief_info(await rt.debriefs.answer(responder=staff.responder, debrief_id=debrief_id))


def debrief_info(debrief: Debrief) -> DebriefInfo:
    """The HTTP shape of a debrief: the same fields as the ``debrief`` frame's."""
    return DebriefInfo.model_validate(debrief_view(debrief))
