"""Every error leaves as ``{"error": {"code", "message"}}``; never with input or a trace.

A domain error may add JSON-ready fields next to those in a ``details`` mapping (e.g.
``rota.overlap`` names the conflicting shift as ``conflict``); they too hold no input.

FastAPI's default 422 body echoes the offending input (pydantic's ``input``), which for a chat
message would be a young person's text; the handler here keeps only where and what was wrong.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from chatsupport.domain.errors import ChatSupportError, TooManyRequests

log = logging.getLogger("chatsupport.api")

_HTTP_CODES = {
    400: "request.bad",
    401: "auth.required",
    403: "auth.forbidden",
    404: "http.not_found",
    405: "http.method_not_allowed",
    413: "request.too_large",
    415: "request.unsupported_media_type",
}


def error_body(code: str, message: str, **details: Any) -> dict[str, Any]:
    return {"error": {**details, "code": code, "message": message}}


def describe_validation(errors: Sequence[Any], declared: frozenset[str] = frozenset()) -> str:
    """'body.role: Input should be ...' for each problem, never the value that arrived.

    A name the client made up (an unknown field, a key of a free-form object) is client
    text too: only names the API declares are shown, anything else as ``*``.
    """
    parts = []
    for err in errors[:5]:
        location = [_safe_part(p, declared) for p in err.get("loc", ())]
        problem = err.get("msg", "invalid")
        if err.get("type") == "extra_forbidden":
            problem = "unknown field"
        parts.append(f"{'.'.join(location)}: {problem}")
    return "; ".join(parts) or "invalid request"


_PLACES = frozenset({"body", "query", "path", "header", "cookie"})


def _safe_part(part: object, declared: frozenset[str]) -> str:
    if isinstance(part, int) or part in _PLACES or part in declared:
        return str(part)
    return "*"


def declared_names(document: dict[str, Any]) -> frozenset[str]:
    """Every property and parameter name in an OpenAPI document."""
    names: set[str] = set()
    stack: list[Any] = [document]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            names.update(value.get("properties", {}))
            if value.get("in") in _PLACES and isinstance(value.get("name"), str):
                names.add(value["name"])
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return frozenset(names)


async def _domain_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ChatSupportError)
    headers = {}
    if isinstance(exc, TooManyRequests) and exc.retry_after_secs:
        headers["Retry-After"] = str(exc.retry_after_secs)
    return JSONResponse(
        error_body(exc.code, exc.message, **exc.details), exc.status, headers=headers
    )


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    code = "request.malformed_json" if _is_json_error(errors) else "request.invalid"
    message = describe_validation(errors, _declared(request.app))
    return JSONResponse(error_body(code, message), 422)


def _declared(app: FastAPI) -> frozenset[str]:
    # Computed once per app from its own OpenAPI document (FastAPI caches that too).
    names: frozenset[str] | None = getattr(app.state, "declared_names", None)
    if names is None:
        names = declared_names(app.openapi())
        app.state.declared_names = names
    return names


def _is_json_error(errors: Sequence[Any]) -> bool:
    return any(err.get("type") == "json_invalid" for err in errors)


async def _http_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = _HTTP_CODES.get(exc.status_code, f"http.{exc.status_code}")
    message = exc.detail if isinstance(exc.detail, str) else "request refused"
    return JSONResponse(error_body(code, message), exc.status_code, headers=exc.headers)


async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
    # Log the type and where, not str(exc): the text of some errors carries request data.
    log.error("unhandled %s", type(exc).__name__, exc_info=False)
    return JSONResponse(error_body("internal", "Something went wrong on our side."), 500)


def install(app: FastAPI) -> None:
    app.add_exception_handler(ChatSupportError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
