"""Origin checks. Starlette's CORS middleware ignores WebSockets, so endpoints check themselves."""

from __future__ import annotations

from collections.abc import Sequence

from starlette.requests import HTTPConnection

from chatsupport.domain.errors import Forbidden


def own_origin(conn: HTTPConnection) -> str:
    scheme = {"ws": "http", "wss": "https"}.get(conn.url.scheme, conn.url.scheme)
    host = conn.headers.get("host", "")
    return f"{scheme}://{host}"


def origin_allowed(conn: HTTPConnection, allowed: Sequence[str]) -> bool:
    """No Origin header (not a browser) or the service's own origin or a configured one."""
    origin = conn.headers.get("origin")
    if origin is None:
        return True
    origin = origin.rstrip("/")
    return origin == own_origin(conn) or origin in allowed


def require_allowed_origin(conn: HTTPConnection, allowed: Sequence[str]) -> None:
    if not origin_allowed(conn, allowed):
        raise Forbidden("This origin may not use the service.", code="auth.origin_refused")
