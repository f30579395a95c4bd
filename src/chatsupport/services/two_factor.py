"""A staff member's second factor: enrol, confirm, disable, the coordinator's reset, and the
check a login makes. Codes and secrets are never logged; docs/security.md has the design.

Guarantees:

* An enrolment is *pending* (not enforced) until a code from the app confirms it; only then
  are the ten recovery codes made, returned once, and stored as keyed digests.
* A TOTP step, and a recovery code, is accepted at most once, also by racing logins
  (storage/two_factor.py makes both single conditional updates).
* Who must have a factor is the policy's (domain/two_factor.py); such an account may not
  disable its own factor, and until it has one its sessions may only enrol.
"""

from __future__ import annotations

from dataclasses import dataclass

from chatsupport.auth import totp
from chatsupport.auth.totp_seed import new_seed, secret_for
from chatsupport.domain.accounts import Responder, normalise_login_name
from chatsupport.domain.clock import Clock
from chatsupport.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from chatsupport.domain.two_factor import TwoFactorPolicy, must_enrol, required_for
from chatsupport.storage import responders, staff_sessions, two_factor
from chatsupport.storage.database import Database, Session

INVALID_CODE = "two_factor.invalid_code"


@dataclass(frozen=True, slots=True)
class TwoFactorSettings:
    policy: TwoFactorPolicy
    issuer: str
    secret_key: str


@dataclass(frozen=True, slots=True)
class Enrolment:
    """What the enrolment page shows once: the secret, its otpauth URI and its QR code."""

    secret: str
    uri: str
    qr_svg: str


@dataclass(frozen=True, slots=True)
class FactorStatus:
    enrolled: bool
    pending: bool
    required: bool
    recovery_codes_left: int


class TwoFactor:
    def __init__(self, *, db: Database, clock: Clock, settings: TwoFactorSettings) -> None:
        self._db = db
        self._clock = clock
        self._settings = settings

    @property
    def policy(self) -> TwoFactorPolicy:
        return self._settings.policy

    def must_enrol(self, responder: Responder) -> bool:
        """The account must have a factor and has none: its session may only enrol."""
        return must_enrol(self.policy, responder.role, enrolled=responder.two_factor)

    async def status(self, responder: Responder) -> FactorStatus:
        async with self._db.read() as s:
            state = await two_factor.load(s, responder_id=responder.id)
            left = await two_factor.recovery_codes_left(s, responder_id=responder.id)
        pending = state.seed is not None and not state.enabled
        required = required_for(self.policy, responder.role)
        return FactorStatus(state.enabled, pending, required, left if state.enabled else 0)

    async def begin(self, responder: Responder) -> Enrolment:
        """Start (or restart) an enrolment; refused while a factor is enabled."""
        seed = new_seed()
        async with self._db.write() as s:
            if (await two_factor.load(s, responder_id=responder.id)).enabled:
                raise Conflict(
                    "A second factor is already in use; disable it first.",
                    code="two_factor.already_enrolled",
                )
            await two_factor.start(s, responder_id=responder.id, seed=seed)
        secret = self._secret(seed)
        uri = totp.provisioning_uri(
            secret, account=responder.login_name, issuer=self._settings.issuer
        )
        return Enrolment(secret, uri, totp.qr_svg(uri))

    async def confirm(self, responder: Responder, code: str) -> list[str]:
        """Enable the pending factor with a first code; the recovery codes, shown once."""
        now = self._clock.now()
        codes = totp.new_recovery_codes()
        digests = [self._digest(c) for c in codes]
        async with self._db.write() as s:
            state = await two_factor.load(s, responder_id=responder.id)
            if state.seed is None or state.enabled:
                raise Conflict("Start the enrolment first.", code="two_factor.not_started")
            counter = totp.verify_code(
                self._secret(state.seed), _compact(code), now=now, last_counter=None
            )
            if counter is None:
                raise InvalidInput(
                    "code: expected the 6-digit code the app shows", code=INVALID_CODE
                )
            enabled = await two_factor.enable(
                s,
                responder_id=responder.id,
                seed=state.seed,
                counter=counter,
                now=now,
                digests=digests,
            )
        if not enabled:
            raise Conflict(
                "The enrolment changed meanwhile; start again.", code="two_factor.not_started"
            )
        return codes

    async def disable(self, responder: Responder, code: str) -> None:
        """Turn one's own factor off with a current code, where the policy allows it."""
        if required_for(self.policy, responder.role):
            raise Forbidden(
                "This account must keep its second factor; a coordinator can reset it.",
                code="two_factor.required",
            )
        if not await self.enrolled(responder.id):
            raise Conflict("No second factor is in use.", code="two_factor.not_enrolled")
        if not await self.passes(responder.id, code):
            raise InvalidInput(
                "code: expected a current code or a recovery code", code=INVALID_CODE
            )
        async with self._db.write() as s:
            await two_factor.clear(s, responder_id=responder.id)

    async def reset(self, *, actor: Responder, responder_id: int) -> None:
        """A coordinator removes someone else's factor (lost phone); their sessions end."""
        if actor.id == responder_id:
            raise InvalidInput(
                "A coordinator cannot reset their own second factor; another coordinator can.",
                code="two_factor.self_reset",
            )
        async with self._db.write() as s:
            await _remove_factor_and_sessions(s, responder_id)

    async def reset_login(self, login_name: str) -> Responder:
        """The operator's reset from the shell (``chatsupport reset-two-factor``): for when no
        coordinator can log in, e.g. after the secret key changed. Sessions end too."""
        async with self._db.write() as s:
            found = await responders.find_with_hash(s, login_name=normalise_login_name(login_name))
            if found is None:
                raise NotFound("no such login name", code="account.not_found")
            await _remove_factor_and_sessions(s, found[0].id)
        return found[0]

    async def enrolled(self, responder_id: int) -> bool:
        async with self._db.read() as s:
            return (await two_factor.load(s, responder_id=responder_id)).enabled

    async def passes(self, responder_id: int, code: str) -> bool:
        """Whether ``code`` is a fresh TOTP code or an unused recovery code; uses it up."""
        now = self._clock.now()
        compact = _compact(code)
        async with self._db.write() as s:
            state = await two_factor.load(s, responder_id=responder_id)
            if not state.enabled or state.seed is None:
                return False
            if len(compact) == totp.DIGITS and compact.isdigit():
                counter = totp.verify_code(
                    self._secret(state.seed), compact, now=now, last_counter=state.last_counter
                )
                return counter is not None and await two_factor.accept_step(
                    s, responder_id=responder_id, counter=counter
                )
            return await two_factor.use_recovery_code(
                s, responder_id=responder_id, digest=self._digest(compact), now=now
            )

    def _secret(self, seed: str) -> str:
        return secret_for(seed, key=self._settings.secret_key)

    def _digest(self, code: str) -> str:
        return totp.recovery_digest(code, key=self._settings.secret_key)


async def _remove_factor_and_sessions(session: Session, responder_id: int) -> None:
    """A reset: no factor, no recovery codes, and every open session of the account ends."""
    await two_factor.clear(session, responder_id=responder_id)
    await staff_sessions.delete_for_responder(session, responder_id=responder_id)


def _compact(code: str) -> str:
    """People type codes with spaces ("123 456"); those do not count."""
    return "".join(code.split())
