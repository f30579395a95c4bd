"""Opaque random tokens, stored only as SHA-256 hashes.

A token has 256 bits of entropy, so a plain (unsalted, fast) hash is enough: nobody can
enumerate the space, and a database leak gives no usable token.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

TOKEN_BYTES = 32


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def matches(token: str, stored_hash: str) -> bool:
    return hmac.compare_digest(token_hash(token), stored_hash)


def csrf_token_for(session_token: str, *, secret_key: str) -> str:
    """The CSRF token bound to one session: recomputable, so it is never stored."""
    mac = hmac.new(secret_key.encode(), b"csrf:" + session_token.encode(), hashlib.sha256)
    return mac.hexdigest()


def csrf_matches(sent: str, session_token: str, *, secret_key: str) -> bool:
    return hmac.compare_digest(sent, csrf_token_for(session_token, secret_key=secret_key))
