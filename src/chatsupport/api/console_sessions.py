"""A console does not outlive its login: who may hold a responder socket, checked at admission
and then every sweep interval for all connected consoles together.

Without the periodic check a socket admitted with a session would outlive it (logout,
password or second-factor reset, deactivation, role change, expiry), and a revoked login could
go on writing to a young person. All consoles are checked in one query per sweep rather than
each on its own: with 50 consoles the per-console checks were about 5 % of the process under
load (``bench/steady.py`` with py-spy, 26 Nov 2026).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass

from chatsupport.domain.errors import ENROLMENT_REQUIRED
from chatsupport.domain.roles import may_answer_chats
from chatsupport.hub.connection import CLOSE_FORBIDDEN, CLOSE_NOT_AUTHENTICATED, Connection
from chatsupport.services.accounts import Accounts
from chatsupport.services.two_factor import TwoFactor
from chatsupport.storage.staff_sessions import SessionRecord

log = logging.getLogger("chatsupport.ws")


@dataclass(frozen=True, slots=True)
class Refusal:
    code: str
    message: str
    close_code: int


def admit(record: SessionRecord | None, two_factor: TwoFactor) -> SessionRecord | Refusal:
    """The session if it may hold a responder socket, else why not (None: no live session)."""
    if record is None:
        return Refusal("auth.required", "Log in first.", CLOSE_NOT_AUTHENTICATED)
    if two_factor.must_enrol(record.responder):
        return Refusal(ENROLMENT_REQUIRED, "Set up two-factor login first.", CLOSE_FORBIDDEN)
    if not may_answer_chats(record.responder.role):
        return Refusal("auth.forbidden", "This account does not answer chats.", CLOSE_FORBIDDEN)
    return record


class ConsoleSessions:
    """The sessions of the connected consoles; closes a console once its session has ended."""

    def __init__(self, *, accounts: Accounts, two_factor: TwoFactor, interval_secs: float):
        self._accounts = accounts
        self._two_factor = two_factor
        self._interval = interval_secs
        self._watched: dict[Connection, str] = {}  # console -> its session token
        self._task: asyncio.Task[None] | None = None

    def watch(self, conn: Connection, token: str) -> None:
        self._watched[conn] = token
        if self._task is None:  # made on first use: it needs the running loop
            self._task = asyncio.create_task(self._run(), name="console-sessions")

    def forget(self, conn: Connection) -> None:
        self._watched.pop(conn, None)

    def end(self, token: str) -> None:
        """The session was signed out: its consoles on this process close now (final), not
        at the next check, so that none is counted present after the logout."""
        for conn, watched_token in list(self._watched.items()):
            if watched_token == token and not conn.closed:
                self._close(conn, Refusal("auth.required", "Signed out.", CLOSE_NOT_AUTHENTICATED))

    def _close(self, conn: Connection, refusal: Refusal) -> None:
        self.forget(conn)
        conn.error(refusal.code, refusal.message)
        conn.close_after_pending(refusal.close_code)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self._interval)
            try:
                await self.check_now()
            except Exception as exc:  # e.g. the database is away: keep the consoles, ask again
                log.warning("session check failed: %s", type(exc).__name__)

    async def check_now(self) -> None:
        watched = [(c, t) for c, t in self._watched.items() if not c.closed]
        if not watched:
            return
        live = await self._accounts.live_sessions({token for _, token in watched})
        for conn, token in watched:
            admitted = admit(live.get(token), self._two_factor)
            if isinstance(admitted, Refusal):
                self._close(conn, admitted)
