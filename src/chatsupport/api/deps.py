"""Request dependencies: the runtime, the signed-in staff member, role and CSRF checks."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from chatsupport.api.runtime import Runtime
from chatsupport.domain.errors import (
    CSRF_FAILED,
    ENROLMENT_REQUIRED,
    Forbidden,
    NotAuthenticated,
)
from chatsupport.domain.roles import Role, may_administer
from chatsupport.storage.staff_sessions import SessionRecord

SESSION_COOKIE = "cs_session"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


async def get_enrolling_staff(request: Request, runtime: RuntimeDep) -> SessionRecord:
    """The live session behind the cookie; state changes must also carry the CSRF token.

    Also a session that must first enrol a second factor: only the routes that let it do so
    (and who-am-I, logout) take this dependency; every other staff route takes ``StaffDep``.
    """
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        raise NotAuthenticated("Log in first.")
    record = await runtime.accounts.authenticate(token)
    sent = request.headers.get(CSRF_HEADER, "")
    if request.method not in SAFE_METHODS and not runtime.accounts.csrf_ok(sent, token):
        raise Forbidden(f"Missing or wrong {CSRF_HEADER} header.", code=CSRF_FAILED)
    request.state.staff = record  # the actor, for the audit trail (api/audit_middleware.py)
    return record


EnrollingStaffDep = Annotated[SessionRecord, Depends(get_enrolling_staff)]


async def get_staff(staff: EnrollingStaffDep, runtime: RuntimeDep) -> SessionRecord:
    """A session that may use the service: refused while the policy wants a second factor
    the account has not enrolled yet (docs/security.md, "Two-factor login")."""
    if runtime.two_factor.must_enrol(staff.responder):
        raise Forbidden("Set up two-factor login first.", code=ENROLMENT_REQUIRED)
    return staff


StaffDep = Annotated[SessionRecord, Depends(get_staff)]


async def get_coordinator(staff: StaffDep) -> SessionRecord:
    if not may_administer(staff.responder.role):
        raise Forbidden("Only a coordinator may do this.")
    return staff


CoordinatorDep = Annotated[SessionRecord, Depends(get_coordinator)]


def role_of(staff: SessionRecord) -> Role:
    return staff.responder.role
