"""Two-factor login: one's own enrolment (status, begin, confirm, disable) and the
coordinator's reset of someone else's factor. State changes carry the CSRF header."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from chatsupport.api.deps import CoordinatorDep, EnrollingStaffDep, RuntimeDep
from chatsupport.api.schemas import RowIdPath, Strict

router = APIRouter(tags=["two-factor"])


class TwoFactorStatusOut(BaseModel):
    enrolled: bool
    pending: bool  # begun, not yet confirmed with a code
    required: bool  # the policy wants one for this account (it may not be disabled)
    recovery_codes_left: int


class EnrolmentOut(BaseModel):
    """Shown once: the secret (for typing into the app), its otpauth URI and QR code (SVG)."""

    secret: str
    uri: str
    qr_svg: str


class CodeIn(Strict):
    code: str = Field(min_length=1, max_length=32)


class RecoveryCodesOut(BaseModel):
    """Ten single-use codes, shown this once; only their digests are kept."""

    recovery_codes: list[str]


@router.get("/api/auth/two-factor")
async def status(staff: EnrollingStaffDep, rt: RuntimeDep) -> TwoFactorStatusOut:
    found = await rt.two_factor.status(staff.responder)
    return TwoFactorStatusOut(
        enrolled=found.enrolled,
        pending=found.pending,
        required=found.required,
        recovery_codes_left=found.recovery_codes_left,
    )


@router.post("/api/auth/two-factor/begin")
async def begin(staff: EnrollingStaffDep, rt: RuntimeDep) -> EnrolmentOut:
    """A new secret for the authenticator app; not in force until confirmed.
    409 `two_factor.already_enrolled` while a factor is in use."""
    enrolment = await rt.two_factor.begin(staff.responder)
    return EnrolmentOut(secret=enrolment.secret, uri=enrolment.uri, qr_svg=enrolment.qr_svg)


@router.post("/api/auth/two-factor/confirm")
async def confirm(body: CodeIn, staff: EnrollingStaffDep, rt: RuntimeDep) -> RecoveryCodesOut:
    """Turn the factor on with a first code from the app. 422 `two_factor.invalid_code`,
    409 `two_factor.not_started`."""
    codes = await rt.two_factor.confirm(staff.responder, body.code)
    return RecoveryCodesOut(recovery_codes=codes)


@router.delete("/api/auth/two-factor", status_code=204)
async def disable(body: CodeIn, staff: EnrollingStaffDep, rt: RuntimeDep) -> None:
    """Turn one's own factor off with a current code. 403 `two_factor.required` where the
    policy wants one; 409 `two_factor.not_enrolled`; 422 `two_factor.invalid_code`."""
    await rt.two_factor.disable(staff.responder, body.code)


@router.post("/api/responders/{responder_id}/two-factor/reset", status_code=204)
async def reset(responder_id: RowIdPath, staff: CoordinatorDep, rt: RuntimeDep) -> None:
    """Remove a responder's second factor (lost phone); their sessions end and, where the
    policy wants one, their next login enrols again. 422 `two_factor.self_reset`."""
    await rt.two_factor.reset(actor=staff.responder, responder_id=responder_id)
