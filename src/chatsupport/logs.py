"""Logging that never writes a youth's address, user agent, path query or text.

uvicorn logs every WebSocket handshake with the client address on ``uvicorn.error`` at INFO
(``'%s - "WebSocket %s" [accepted]'``), and ``--no-access-log`` does not stop it. The filter
below drops those records; uvicorn's access log is off altogether and replaced by
``chatsupport.access`` (method, route template, status, duration, request id: no address, no
query string, no user agent).

Production logs are JSON, one object per line, with the request id of the HTTP request or
WebSocket connection that caused them (``api/request_ids.py`` sets it).
"""

from __future__ import annotations

import contextvars
import json
import logging
from datetime import UTC, datetime
from typing import Any, Literal

LogFormat = Literal["plain", "json"]

_HANDSHAKE_PREFIX = '%s - "WebSocket '

#: The id of the request or connection being served, "-" outside one.
request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")


class DropClientAddresses(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not (isinstance(record.msg, str) and record.msg.startswith(_HANDSHAKE_PREFIX))


class AddRequestId(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line. Hand-written (a dozen lines) rather than a dependency."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
        }
        entry.update(getattr(record, "fields", {}))
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def log_config(level: str = "INFO", fmt: LogFormat = "plain") -> dict[str, Any]:
    """A ``logging.config.dictConfig`` for uvicorn and chatsupport."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "no_addresses": {"()": DropClientAddresses},
            "request_id": {"()": AddRequestId},
        },
        "formatters": {
            "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
            "json": {"()": JsonFormatter},
        },
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": fmt,
                "filters": ["no_addresses", "request_id"],
            },
        },
        "loggers": {
            "uvicorn": {"handlers": ["stderr"], "level": level, "propagate": False},
            "uvicorn.error": {"level": level},
            "uvicorn.access": {"handlers": [], "level": "CRITICAL", "propagate": False},
            "chatsupport": {"handlers": ["stderr"], "level": level, "propagate": False},
        },
    }
