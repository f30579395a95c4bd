"""Second factor for staff: TOTP (RFC 6238) codes and single-use recovery codes.

Contracts:

* ``new_secret`` gives 160 random bits, base32 (RFC 4226's recommended length); the caller
  stores it and shows it once, inside the ``otpauth://`` URI and its QR code.
* ``verify_code`` accepts a 6-digit code of the current 30-second step or one step either
  side (clock drift), and returns that step's counter. A code whose counter is not greater
  than ``last_counter`` is refused, so an observed code cannot be replayed.
* Recovery codes are 10 characters of base32 (50 bits) shown once; only
  ``recovery_digest`` (HMAC-SHA256 with the service's secret key) is stored. High entropy
  makes a fast keyed hash sufficient, and lets one lookup find the matching code.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

import pyotp
import segno

STEP_SECS = 30
DIGITS = 6
DRIFT_STEPS = 1
RECOVERY_CODES = 10
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i


def new_secret() -> str:
    """A fresh base32 TOTP secret (160 bits)."""
    return pyotp.random_base32(length=32)


def provisioning_uri(secret: str, *, account: str, issuer: str) -> str:
    """The ``otpauth://totp/...`` URI an authenticator app reads (SHA1, 6 digits, 30 s)."""
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECS).provisioning_uri(
        name=account, issuer_name=issuer
    )


def qr_svg(uri: str) -> str:
    """The URI as an SVG QR code (no XML declaration, safe to inline)."""
    qr = segno.make(uri, error="m")
    svg: str = qr.svg_inline(scale=4)
    return svg


def verify_code(secret: str, code: str, *, now: datetime, last_counter: int | None) -> int | None:
    """The accepted step counter, or None (wrong, malformed, or already used)."""
    if len(code) != DIGITS or not (code.isascii() and code.isdigit()):
        return None
    totp = pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECS)
    current = totp.timecode(now)
    for counter in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(counter), code):
            if last_counter is not None and counter <= last_counter:
                return None
            return counter
    return None


def new_recovery_codes() -> list[str]:
    """Ten single-use codes, formatted ``xxxxx-xxxxx``."""
    return [_recovery_code() for _ in range(RECOVERY_CODES)]


def _recovery_code() -> str:
    raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(10))
    return f"{raw[:5]}-{raw[5:]}"


def recovery_digest(code: str, *, key: str) -> str:
    """What is stored for a recovery code; case, spaces and dashes do not matter."""
    normal = "".join(ch for ch in code.lower() if ch.isalnum())
    return hmac.new(key.encode(), normal.encode(), hashlib.sha256).hexdigest()
