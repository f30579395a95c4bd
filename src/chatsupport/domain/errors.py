"""The one error tree of chatsupport.

Every error has a stable machine ``code`` (used in HTTP bodies and WebSocket error frames) and
the HTTP ``status`` it maps to. Messages say what was expected; they never repeat the value that
arrived, because that value may be a young person's text.

    ChatSupportError
    ├── InvalidInput           400/422  malformed or unknown fields
    ├── NotAuthenticated       401
    ├── Forbidden              403
    ├── NotFound               404
    ├── Conflict               409
    └── TooManyRequests        429
"""

from __future__ import annotations


class ChatSupportError(Exception):
    """Base of every error a client may see."""

    code: str = "internal"
    status: int = 500

    @property
    def details(self) -> dict[str, object]:
        """JSON-ready fields an HTTP error body carries next to ``code`` and ``message``
        (none by default); like the message, never the input that arrived."""
        return {}

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class InvalidInput(ChatSupportError):
    code = "request.invalid"
    status = 422


class NotAuthenticated(ChatSupportError):
    code = "auth.required"
    status = 401


class Forbidden(ChatSupportError):
    code = "auth.forbidden"
    status = 403


class NotFound(ChatSupportError):
    code = "not_found"
    status = 404


class Conflict(ChatSupportError):
    code = "conflict"
    status = 409


class TooManyRequests(ChatSupportError):
    code = "rate.limited"
    status = 429

    def __init__(self, message: str, *, code: str | None = None, retry_after_secs: int = 0):
        super().__init__(message, code=code)
        self.retry_after_secs = retry_after_secs


# Codes used in more than one place; each is documented in docs/protocol.md or docs/api.md.
INVALID_CREDENTIALS = "auth.invalid_credentials"
ACCOUNT_LOCKED = "auth.locked"
CSRF_FAILED = "auth.csrf_failed"
CHAT_TAKEN = "chat.taken"
CHAT_NOT_WAITING = "chat.not_waiting"
CHAT_CAP_REACHED = "chat.cap_reached"
CHAT_NOT_FOUND = "chat.not_found"
CHAT_NOT_ACTIVE = "chat.not_active"
SECOND_FACTOR_REQUIRED = "auth.second_factor_required"
INVALID_SECOND_FACTOR = "auth.invalid_second_factor"
ENROLMENT_REQUIRED = "auth.enrolment_required"
