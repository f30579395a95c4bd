"""Logging that never writes a youth's address, path query or text.

uvicorn logs every WebSocket handshake with the client address on ``uvicorn.error`` at INFO
(``'%s - "WebSocket %s" [accepted]'``), and ``--no-access-log`` does not stop it. The filter
below drops those records; the access log is off altogether.
"""

from __future__ import annotations

import logging
from typing import Any

_HANDSHAKE_PREFIX = '%s - "WebSocket '


class DropClientAddresses(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not (isinstance(record.msg, str) and record.msg.startswith(_HANDSHAKE_PREFIX))


def log_config(level: str = "INFO") -> dict[str, Any]:
    """A ``logging.config.dictConfig`` for uvicorn and chatsupport."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"no_addresses": {"()": DropClientAddresses}},
        "formatters": {
            "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        },
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "plain",
                "filters": ["no_addresses"],
            },
        },
        "loggers": {
            "uvicorn": {"handlers": ["stderr"], "level": level, "propagate": False},
            "uvicorn.error": {"level": level},
            "uvicorn.access": {"handlers": [], "level": "CRITICAL", "propagate": False},
            "chatsupport": {"handlers": ["stderr"], "level": level, "propagate": False},
        },
    }
