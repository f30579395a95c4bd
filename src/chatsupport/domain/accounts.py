"""Staff accounts: the value a responder is, and the rules on names and passwords."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from chatsupport.domain.errors import InvalidInput
from chatsupport.domain.roles import Role
from chatsupport.domain.youth_texts import LANGS

LOGIN_NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
MAX_PASSWORD_CHARS = 256  # argon2 hashes anything, but a megabyte password is a DoS, not a secret


@dataclass(frozen=True, slots=True)
class Responder:
    id: int
    login_name: str
    display_name: str
    role: Role
    active: bool
    two_factor: bool = False  # a second factor is enrolled (confirmed)
    languages: tuple[str, ...] = ("fi",)  # the languages they answer in, in LANGS order


def normalise_login_name(raw: str) -> str:
    """Login names are case-insensitive: stored and compared in lower case."""
    return raw.strip().lower()


def check_login_name(login_name: str) -> None:
    if not LOGIN_NAME_PATTERN.fullmatch(login_name):
        raise InvalidInput(
            "login_name: expected 2-64 characters: lower-case letters, digits, '.', '_' or '-', "
            "starting with a letter or digit",
            code="account.invalid_login_name",
        )


def check_new_password(password: str, *, min_chars: int) -> None:
    if not min_chars <= len(password) <= MAX_PASSWORD_CHARS:
        raise InvalidInput(
            f"password: expected {min_chars}-{MAX_PASSWORD_CHARS} characters",
            code="account.weak_password",
        )


def check_display_name(display_name: str) -> None:
    if not 1 <= len(display_name.strip()) <= 100:
        raise InvalidInput(
            "display_name: expected 1-100 characters", code="account.invalid_display_name"
        )


def check_languages(languages: Iterable[str]) -> tuple[str, ...]:
    """One or more of fi, sv, en, returned in that order (stored and shown alike)."""
    asked = set(languages)
    if not asked or asked - set(LANGS):
        raise InvalidInput(
            "languages: expected one or more of fi, sv, en", code="account.invalid_languages"
        )
    return tuple(lang for lang in LANGS if lang in asked)
