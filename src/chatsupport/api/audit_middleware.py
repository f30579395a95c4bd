"""Records every audited staff action after it succeeded (see domain/audit.py).

One place instead of a line in every route: the route template and method pick the action,
the path parameters name the target, and the signed-in staff member (left on the request by
``deps.get_staff``) is the actor. Only answers below 400 are recorded, so a refused action
leaves no entry. Pure ASGI so that it adds nothing to WebSocket traffic.
"""

from __future__ import annotations

import logging
from typing import Any

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from chatsupport.domain.audit import AUDITED_ROUTES, target_of

log = logging.getLogger("chatsupport.audit")


def audit_detail(request: Request, **detail: object) -> None:
    """A route adds to its entry's target what the path does not say: the id it created,
    or which fields it changed (ids, codes and flags only)."""
    request.state.audit_detail = {**getattr(request.state, "audit_detail", {}), **detail}


class AuditTrail:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] == "HEAD":
            await self.app(scope, receive, send)
            return
        status = {"code": 500}

        async def remember_status(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        await self.app(scope, receive, remember_status)
        if status["code"] < 400:
            await _record(scope)


async def _record(scope: Scope) -> None:
    route: Any = scope.get("route")
    action = AUDITED_ROUTES.get((scope["method"], getattr(route, "path", "")))
    staff = scope.get("state", {}).get("staff")
    if action is None or staff is None:
        return
    runtime = scope["app"].state.runtime
    detail = scope.get("state", {}).get("audit_detail")
    try:
        await runtime.audit.record(
            actor=staff.responder,
            action=action,
            target=target_of(scope.get("path_params", {}), detail),
        )
    except Exception as exc:  # the action happened; say loudly that its entry is missing
        log.error("audit entry for %s not stored: %s", action, type(exc).__name__)
