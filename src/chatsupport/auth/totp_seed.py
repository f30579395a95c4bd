"""The TOTP secret of an account, derived from a stored seed and the service's secret key.

The database holds only a random seed; the secret an authenticator app knows is
``HMAC-SHA256(key, "chatsupport totp:" + seed)`` truncated to 160 bits, base32. A copy of the
database alone (a leaked backup) therefore gives no usable second factor: the key lives only
in the service's configuration. The price: a new ``CHATSUPPORT_SECRET_KEY`` voids every
enrolled second factor (docs/operations.md, "Rotate the secret key").
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

SEED_BYTES = 16
SECRET_BYTES = 20  # 160 bits, RFC 4226's recommended length


def new_seed() -> str:
    """A fresh random seed (128 bits, hex) to store for one enrolment."""
    return secrets.token_hex(SEED_BYTES)


def secret_for(seed: str, *, key: str) -> str:
    """The base32 TOTP secret belonging to ``seed`` under the service key."""
    mac = hmac.new(key.encode(), b"chatsupport totp:" + seed.encode(), hashlib.sha256)
    return base64.b32encode(mac.digest()[:SECRET_BYTES]).decode("ascii")
