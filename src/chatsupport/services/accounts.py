"""Logging in and out, and the coordinator's management of responder accounts."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from chatsupport.auth.passwords import PasswordHasher
from chatsupport.auth.tokens import csrf_matches, csrf_token_for, new_token, token_hash
from chatsupport.domain.accounts import (
    Responder,
    check_display_name,
    check_languages,
    check_login_name,
    check_new_password,
    normalise_login_name,
)
from chatsupport.domain.clock import Clock
from chatsupport.domain.errors import (
    ACCOUNT_LOCKED,
    INVALID_CREDENTIALS,
    INVALID_SECOND_FACTOR,
    SECOND_FACTOR_REQUIRED,
    InvalidInput,
    NotAuthenticated,
    TooManyRequests,
)
from chatsupport.domain.login_throttle import ThrottlePolicy
from chatsupport.domain.roles import Role
from chatsupport.services.two_factor import TwoFactor
from chatsupport.storage import login_throttle, responders, staff_sessions
from chatsupport.storage.database import Database
from chatsupport.storage.staff_sessions import SessionRecord


@dataclass(frozen=True, slots=True)
class AccountSettings:
    session_lifetime: timedelta
    throttle: ThrottlePolicy
    password_min_chars: int
    secret_key: str


@dataclass(frozen=True, slots=True)
class LoginResult:
    responder: Responder
    session_token: str
    csrf_token: str
    must_enrol: bool = False  # the policy wants a second factor: this session may only enrol


class Accounts:
    """Everything about staff accounts and sessions; one instance per process."""

    def __init__(
        self,
        *,
        db: Database,
        hasher: PasswordHasher,
        clock: Clock,
        settings: AccountSettings,
        two_factor: TwoFactor,
    ) -> None:
        self._db = db
        self._hasher = hasher
        self._clock = clock
        self._settings = settings
        self._two_factor = two_factor

    async def login(
        self, *, login_name: str, password: str, code: str | None = None
    ) -> LoginResult:
        """Open a session. Unknown names cost the same time as wrong passwords.

        An account with a second factor also needs ``code`` (TOTP or a recovery code). That
        is asked for (``auth.second_factor_required``) only after the password was right; a
        wrong code counts as a failed login like a wrong password.
        """
        name = normalise_login_name(login_name)
        now = self._clock.now()
        policy = self._settings.throttle
        async with self._db.read() as s:
            throttle = await login_throttle.load(s, login_name=name)
            found = await responders.find_with_hash(s, login_name=name)
        if policy.locked(throttle, now):
            raise TooManyRequests(
                "Too many failed logins; try again later.",
                code=ACCOUNT_LOCKED,
                retry_after_secs=int(policy.lockout.total_seconds()),
            )
        verification = await self._hasher.verify(found[1] if found else None, password)
        if found is None or not verification.ok or not found[0].active:
            await self._count_failure(name)
            raise NotAuthenticated("Wrong login name or password.", code=INVALID_CREDENTIALS)
        responder = found[0]
        if responder.two_factor:
            await self._check_second_factor(responder, code)
        new_hash = await self._hasher.hash(password) if verification.needs_rehash else None
        return await self._open_session(responder, new_hash)

    async def _check_second_factor(self, responder: Responder, code: str | None) -> None:
        if not code:
            raise NotAuthenticated(
                "Enter the code from your authenticator app or a recovery code.",
                code=SECOND_FACTOR_REQUIRED,
            )
        if not await self._two_factor.passes(responder.id, code):
            await self._count_failure(responder.login_name)
            raise NotAuthenticated("Wrong or already used code.", code=INVALID_SECOND_FACTOR)

    async def _count_failure(self, login_name: str) -> None:
        policy = self._settings.throttle
        async with self._db.write() as s:
            state = await login_throttle.load(s, login_name=login_name)
            await login_throttle.save(
                s, login_name=login_name, state=policy.after_failure(state, self._clock.now())
            )

    async def _open_session(self, responder: Responder, new_hash: str | None) -> LoginResult:
        now = self._clock.now()
        session_token = new_token()
        async with self._db.write() as s:
            await login_throttle.clear(s, login_name=responder.login_name)
            if new_hash is not None:  # argon2 parameters changed since this hash was made
                await responders.update_fields(
                    s, responder_id=responder.id, now=now, password_hash=new_hash
                )
            await staff_sessions.insert(
                s,
                token_hash=token_hash(session_token),
                responder_id=responder.id,
                now=now,
                expires_at=now + self._settings.session_lifetime,
            )
        return LoginResult(
            responder,
            session_token,
            self.csrf_token(session_token),
            must_enrol=self._two_factor.must_enrol(responder),
        )

    def csrf_token(self, session_token: str) -> str:
        return csrf_token_for(session_token, secret_key=self._settings.secret_key)

    def csrf_ok(self, sent: str, session_token: str) -> bool:
        return bool(sent) and csrf_matches(
            sent, session_token, secret_key=self._settings.secret_key
        )

    async def authenticate(self, session_token: str) -> SessionRecord:
        async with self._db.read() as s:
            record = await staff_sessions.find_live(
                s, token_hash=token_hash(session_token), now=self._clock.now()
            )
        if record is None:
            raise NotAuthenticated("Log in first.", code="auth.required")
        return record

    async def live_sessions(self, session_tokens: set[str]) -> dict[str, SessionRecord]:
        """Of these tokens, those whose session is live (one query for them all)."""
        hashes = {token_hash(t): t for t in session_tokens}
        async with self._db.read() as s:
            found = await staff_sessions.find_live_many(
                s, token_hashes=set(hashes), now=self._clock.now()
            )
        return {hashes[h]: record for h, record in found.items()}

    async def logout(self, session_token: str) -> None:
        async with self._db.write() as s:
            await staff_sessions.delete_by_token(s, token_hash=token_hash(session_token))

    async def signed_in_elsewhere(self, responder_id: int) -> bool:
        async with self._db.read() as s:
            return await staff_sessions.has_live(
                s, responder_id=responder_id, now=self._clock.now()
            )

    async def create_responder(
        self,
        *,
        login_name: str,
        display_name: str,
        role: Role,
        password: str,
        languages: Iterable[str] = ("fi",),
    ) -> Responder:
        name = normalise_login_name(login_name)
        check_login_name(name)
        check_display_name(display_name)
        spoken = check_languages(languages)
        check_new_password(password, min_chars=self._settings.password_min_chars)
        password_hash = await self._hasher.hash(password)
        async with self._db.write() as s:
            return await responders.insert(
                s,
                login_name=name,
                display_name=display_name.strip(),
                role=role,
                password_hash=password_hash,
                now=self._clock.now(),
                languages=spoken,
            )

    async def list_responders(self) -> list[Responder]:
        async with self._db.read() as s:
            return await responders.list_all(s)

    async def get_responder(self, responder_id: int) -> Responder:
        async with self._db.read() as s:
            return await responders.get(s, responder_id=responder_id)

    async def update_responder(
        self,
        *,
        responder_id: int,
        display_name: str | None = None,
        role: Role | None = None,
        active: bool | None = None,
        languages: Iterable[str] | None = None,
    ) -> Responder:
        if display_name is not None:
            check_display_name(display_name)
            display_name = display_name.strip()
        spoken = None if languages is None else check_languages(languages)
        async with self._db.write() as s:
            before = await responders.get(s, responder_id=responder_id)
            updated = await responders.update_fields(
                s,
                responder_id=responder_id,
                now=self._clock.now(),
                display_name=display_name,
                role=role,
                active=active,
                languages=spoken,
            )
            # a deactivated account, or one whose role changed, logs in again
            if active is False or updated.role is not before.role:
                await staff_sessions.delete_for_responder(s, responder_id=responder_id)
        return updated

    async def changes(self, *, responder_id: int, **fields: object) -> dict[str, object]:
        """Of ``fields`` (None: not sent), those that differ from the account as it is now."""
        current = await self.get_responder(responder_id)
        now = {
            "display_name": current.display_name,
            "role": current.role,
            "active": current.active,
            "languages": tuple(current.languages),
        }
        return {k: v for k, v in fields.items() if v is not None and now.get(k) != v}

    async def reset_password(self, *, responder_id: int, password: str) -> None:
        check_new_password(password, min_chars=self._settings.password_min_chars)
        password_hash = await self._hasher.hash(password)
        async with self._db.write() as s:
            await responders.update_fields(
                s, responder_id=responder_id, now=self._clock.now(), password_hash=password_hash
            )
            await staff_sessions.delete_for_responder(s, responder_id=responder_id)

    async def ensure_not_self_lockout(self, *, actor: Responder, target_id: int) -> None:
        """A coordinator may not deactivate or demote themself (the service would lose admin)."""
        if actor.id == target_id:
            raise InvalidInput(
                "A coordinator cannot deactivate or change the role of their own account.",
                code="account.self_change",
            )

    async def count_responders(self) -> int:
        async with self._db.read() as s:
            return await responders.count(s)
