"""Stopping a service's background task without cutting a database transaction in half."""

from __future__ import annotations

import asyncio
import contextlib

STOP_WAIT_SECS = 10.0


async def finish_or_cancel(task: asyncio.Task[None], *, wait_secs: float = STOP_WAIT_SECS) -> None:
    """Wait for ``task`` (already told to stop) to end by itself; cancel it only after
    ``wait_secs``. A task cancelled mid-query leaves its database connection to the garbage
    collector, and a half-written batch to be retried by nobody."""
    try:
        await asyncio.wait_for(asyncio.shield(task), wait_secs)
    except TimeoutError:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
