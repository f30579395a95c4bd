"""Staff login and logout. The session lives in an HttpOnly, SameSite=Strict cookie."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from chatsupport.api.deps import SESSION_COOKIE, EnrollingStaffDep, RuntimeDep
from chatsupport.api.origins import require_allowed_origin
from chatsupport.api.schemas import LoginIn, ResponderOut, SessionOut

router = APIRouter(prefix="/api/auth", tags=["auth"])


@router.post("/login")
async def login(body: LoginIn, request: Request, response: Response, rt: RuntimeDep) -> SessionOut:
    """Open a staff session. Answers 401 `auth.invalid_credentials` or 429 `auth.locked`.

    An account with a second factor answers 401 `auth.second_factor_required` (after a right
    password, without `code`) or `auth.invalid_second_factor` (wrong or used code). With
    `must_enrol` the session may only set up two-factor login (`/api/auth/two-factor`).
    """
    require_allowed_origin(request, rt.settings.allowed_origins)  # no login CSRF
    result = await rt.accounts.login(
        login_name=body.login_name, password=body.password, code=body.code
    )
    response.set_cookie(
        SESSION_COOKIE,
        result.session_token,
        max_age=rt.settings.session_lifetime_hours * 3600,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/",
    )
    return SessionOut(
        responder=ResponderOut.of(result.responder),
        csrf_token=result.csrf_token,
        must_enrol=result.must_enrol,
    )


@router.post("/logout", status_code=204)
async def logout(
    request: Request, response: Response, staff: EnrollingStaffDep, rt: RuntimeDep
) -> None:
    token = request.cookies.get(SESSION_COOKIE, "")
    await rt.accounts.logout(token)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict")
    rt.consoles.end(token)
    responder_id = staff.responder.id
    if not await rt.accounts.signed_in_elsewhere(responder_id):
        await rt.hub.support.holder_logged_out(responder_id)


@router.get("/me")
async def me(request: Request, staff: EnrollingStaffDep, rt: RuntimeDep) -> SessionOut:
    """Who is signed in, and the CSRF token to send with state changes (after a reload too)."""
    token = request.cookies.get(SESSION_COOKIE, "")
    return SessionOut(
        responder=ResponderOut.of(staff.responder),
        csrf_token=rt.accounts.csrf_token(token),
        must_enrol=rt.two_factor.must_enrol(staff.responder),
    )
