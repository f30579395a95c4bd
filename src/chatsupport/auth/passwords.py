"""argon2id hashing, off the event loop, in a bounded thread pool.

argon2 is meant to be slow (tens of milliseconds and 64 MiB by default); run on the event loop
it would stall every chat on the process during a burst of logins. The pool bounds how many
hashes run at once; the rest wait in line without blocking the loop.
"""

from __future__ import annotations

import asyncio
import secrets
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from argon2 import PasswordHasher as Argon2Hasher
from argon2 import Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError


@dataclass(frozen=True, slots=True)
class HashParameters:
    """argon2id cost. The defaults are RFC 9106's low-memory profile (t=3, 64 MiB, p=4)."""

    time_cost: int = 3
    memory_kib: int = 65536
    parallelism: int = 4


@dataclass(frozen=True, slots=True)
class Verification:
    ok: bool
    needs_rehash: bool = False


class PasswordHasher:
    def __init__(self, *, parameters: HashParameters | None = None, threads: int = 2) -> None:
        p = parameters or HashParameters()
        self._argon2 = Argon2Hasher(
            time_cost=p.time_cost,
            memory_cost=p.memory_kib,
            parallelism=p.parallelism,
            type=Type.ID,
        )
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="argon2")
        # Verified instead of a real hash when the login name is unknown, so that an unknown
        # name costs exactly as much time as a wrong password.
        self._decoy_hash = self._argon2.hash(secrets.token_urlsafe(16))

    async def hash(self, password: str) -> str:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, self._argon2.hash, password)

    async def verify(self, stored_hash: str | None, password: str) -> Verification:
        """Check ``password``; with ``stored_hash=None`` spend the same time and fail."""
        loop = asyncio.get_running_loop()
        target = stored_hash if stored_hash is not None else self._decoy_hash
        ok = await loop.run_in_executor(self._pool, self._verify_sync, target, password)
        if not ok or stored_hash is None:
            return Verification(ok=False)
        return Verification(ok=True, needs_rehash=self._argon2.check_needs_rehash(stored_hash))

    def _verify_sync(self, stored_hash: str, password: str) -> bool:
        try:
            return self._argon2.verify(stored_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
