"""TOTP and recovery codes (auth/totp.py), with a frozen time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pyotp

from chatsupport.auth import totp

NOW = datetime(2026, 5, 4, 12, 0, 10, tzinfo=UTC)


def code_at(secret: str, when: datetime) -> str:
    return pyotp.TOTP(secret).at(when)


def test_current_and_adjacent_steps_pass() -> None:
    """A code of this step or one step either side is accepted; two steps off is not."""
    secret = totp.new_secret()
    for offset in (-30, 0, 30):
        when = NOW + timedelta(seconds=offset)
        assert totp.verify_code(secret, code_at(secret, when), now=NOW, last_counter=None)
    assert (
        totp.verify_code(
            secret, code_at(secret, NOW - timedelta(seconds=61)), now=NOW, last_counter=None
        )
        is None
    )


def test_a_code_cannot_be_replayed() -> None:
    """Once a step's code was accepted, it and older steps are refused."""
    secret = totp.new_secret()
    counter = totp.verify_code(secret, code_at(secret, NOW), now=NOW, last_counter=None)
    assert counter is not None
    assert totp.verify_code(secret, code_at(secret, NOW), now=NOW, last_counter=counter) is None


def test_malformed_codes_are_refused() -> None:
    """Anything but six digits is refused without raising."""
    secret = totp.new_secret()
    for bad in ("", "12345", "1234567", "abcdef", "12 345", "\uff11\uff12\uff13\uff14\uff15\uff16"):
        assert totp.verify_code(secret, bad, now=NOW, last_counter=None) is None


def test_uri_and_qr() -> None:
    """The URI names issuer and account; the QR code is an inline SVG."""
    secret = totp.new_secret()
    uri = totp.provisioning_uri(secret, account="pia", issuer="chatsupport")
    assert uri.startswith("otpauth://totp/chatsupport:pia?") and f"secret={secret}" in uri
    svg = totp.qr_svg(uri)
    assert svg.startswith("<svg") and "<script" not in svg


def test_recovery_codes() -> None:
    """Ten distinct codes; the digest ignores case and dashes and depends on the key."""
    codes = totp.new_recovery_codes()
    assert len(set(codes)) == 10
    code = codes[0]
    digest = totp.recovery_digest(code, key="k1")
    assert totp.recovery_digest(code.upper().replace("-", " "), key="k1") == digest
    assert totp.recovery_digest(code, key="k2") != digest
    assert code not in digest
