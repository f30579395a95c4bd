"""The one configuration class. Built only by ``cli`` and ``app``; passed down as a value.

Every field is read from an environment variable named ``CHATSUPPORT_<FIELD>``; the defaults
make an embedded service (SQLite file + in-process broker) that needs no other server.
docs/configuration.md lists each variable; a test keeps the two in step.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from chatsupport.domain.two_factor import TwoFactorPolicy

SECRET_KEY_FILE = "secret_key"  # noqa: S105 - a file name, not a secret
MIN_SECRET_KEY_CHARS = 32
#: Values people paste from examples; refused in production.
PLACEHOLDER_SECRETS = frozenset({"changeme", "change-me", "secret", "placeholder", "xxx"})


class ConfigurationError(Exception):
    """The configuration cannot run the service; the message says which variable to fix."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CHATSUPPORT_", extra="ignore")

    environment: Literal["development", "production"] = "development"
    data_dir: Path = Path("data")
    database_url: str = ""
    broker_url: str = "memory://"
    broker_namespace: str = Field(default="chatsupport", pattern=r"^[A-Za-z0-9_.-]{1,64}$")
    secret_key: SecretStr = SecretStr("")
    time_zone: str = "Europe/Helsinki"
    allowed_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    transcript_retention_days: int = Field(default=30, ge=0, le=90)
    purge_interval_secs: float = Field(default=3600.0, gt=0)
    audit_retention_days: int = Field(default=730, ge=30, le=3650)
    # Diary rows (issue 7): folded into monthly tallies after this many whole months. At least
    # 4, so no record whose form can still be filed (its chat kept at most 90 days) is folded.
    diary_retention_months: int = Field(default=24, ge=4, le=120)
    metrics_token: SecretStr = SecretStr("")  # empty: /metrics is off
    statistics_threshold: int = Field(default=5, ge=2, le=50)
    auto_migrate: bool | None = None

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    workers: int = Field(default=1, ge=1, le=64)
    # Proxies whose X-Forwarded-Proto is believed (so cookies are Secure and WebSocket
    # origins match behind TLS termination). Empty: no forwarded header is trusted.
    trusted_proxies: Annotated[list[str], NoDecode] = Field(default_factory=list)
    log_format: Literal["plain", "json"] | None = None  # None: json in production

    session_lifetime_hours: int = Field(default=12, ge=1, le=24 * 7)
    login_max_failures: int = Field(default=5, ge=1)
    login_lockout_secs: int = Field(default=900, ge=1)
    password_min_chars: int = Field(default=12, ge=8)
    password_hash_threads: int = Field(default=2, ge=1, le=16)
    password_hash_time_cost: int = Field(default=3, ge=1)
    password_hash_memory_kib: int = Field(default=65536, ge=8)
    password_hash_parallelism: int = Field(default=4, ge=1)
    # Two-factor login (issue 8; docs/security.md). None: "coordinators" in production,
    # "off" otherwise (so `chatsupport demo` and development logins need no phone).
    two_factor: TwoFactorPolicy | None = None
    two_factor_issuer: str = Field(default="chatsupport", min_length=1, max_length=64)

    reminder_secs: float = Field(default=60.0, gt=0)
    resume_grace_secs: float = Field(default=120.0, gt=0)
    sweep_interval_secs: float = Field(default=5.0, gt=0)
    responder_chat_cap: int = Field(default=3, ge=1, le=20)
    max_message_chars: int = Field(default=4000, ge=1, le=20000)
    max_frame_bytes: int = Field(default=65536, ge=1024)
    max_body_bytes: int = Field(default=262144, ge=16384)
    send_queue_size: int = Field(default=256, ge=8)
    opens_per_minute: int = Field(default=3, ge=1)
    intake_cutoff_mins: int = Field(default=15, ge=0, le=240)
    escalate_after_secs: float = Field(default=300.0, gt=0)
    transfer_offer_secs: float = Field(default=60.0, gt=0)
    #: a chat's responder with no console connected this long is gone: others may claim it
    holder_gone_secs: float = Field(default=60.0, gt=0)

    # Abuse limits on the anonymous side (docs/security.md); keyed by a daily keyed hash.
    youth_connections_per_key: int = Field(default=20, ge=1)
    youth_chats_per_key_per_hour: int = Field(default=20, ge=1)
    youth_messages_per_minute: int = Field(default=30, ge=1)
    max_waiting_chats: int = Field(default=100, ge=1)
    block_minutes: int = Field(default=60, ge=1, le=24 * 60)
    handshake_secs: float = Field(default=10.0, gt=0, le=300)

    @field_validator("allowed_origins", "trusted_proxies", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip().rstrip("/") for part in value.split(",") if part.strip()]
        return value

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError("must be an IANA time zone name such as Europe/Helsinki") from exc
        return value

    @model_validator(mode="after")
    def _fill_database_url(self) -> Settings:
        if not self.database_url:
            path = (self.data_dir / "chatsupport.sqlite3").resolve()
            self.database_url = f"sqlite+aiosqlite:///{path}"
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def resolved_log_format(self) -> Literal["plain", "json"]:
        if self.log_format is not None:
            return self.log_format
        return "json" if self.environment == "production" else "plain"

    @property
    def two_factor_policy(self) -> TwoFactorPolicy:
        if self.two_factor is not None:
            return self.two_factor
        if self.environment == "production":
            return TwoFactorPolicy.COORDINATORS
        return TwoFactorPolicy.OFF

    @property
    def migrate_on_start(self) -> bool:
        """The embedded default migrates itself; a production database is migrated on purpose."""
        return self.is_sqlite if self.auto_migrate is None else self.auto_migrate

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)


def resolve_secret_key(settings: Settings) -> str:
    """The key that signs nothing secret-critical on its own but salts tokens and CSRF.

    Production: required, long, and not a placeholder. Development: generated once and kept
    in the data directory (mode 0600) so sessions survive a restart.
    """
    given = settings.secret_key.get_secret_value()
    if settings.environment == "production":
        if given.lower() in PLACEHOLDER_SECRETS or len(given) < MIN_SECRET_KEY_CHARS:
            raise ConfigurationError(
                "CHATSUPPORT_SECRET_KEY must be set to a random value of at least "
                f"{MIN_SECRET_KEY_CHARS} characters in production (not a placeholder)."
            )
        return given
    if given:
        return given
    return _load_or_create_key(settings.data_dir / SECRET_KEY_FILE)


def _load_or_create_key(path: Path) -> str:
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key
