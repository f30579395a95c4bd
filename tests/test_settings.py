"""Configuration: defaults, parsing, the secret key rules, and the docs staying true."""

from __future__ import annotations

import re
import stat
from pathlib import Path

import pytest
from pydantic import ValidationError

from chatsupport.settings import ConfigurationError, Settings, resolve_secret_key

DOC = Path(__file__).resolve().parents[1] / "docs" / "configuration.md"


def test_embedded_defaults_need_no_other_server(tmp_path: Path) -> None:
    """By default the database is a SQLite file in the data directory and the broker in-process."""
    settings = Settings(data_dir=tmp_path)
    assert settings.database_url == f"sqlite+aiosqlite:///{tmp_path.resolve()}/chatsupport.sqlite3"
    assert settings.broker_url == "memory://"
    assert settings.time_zone == "Europe/Helsinki"
    assert settings.migrate_on_start is True
    assert settings.transcript_retention_days == 30


def test_environment_variables_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    """CHATSUPPORT_* variables set the fields; origins are a comma-separated list."""
    monkeypatch.setenv("CHATSUPPORT_ALLOWED_ORIGINS", "https://perhekeskus.fi, https://a.fi/")
    monkeypatch.setenv("CHATSUPPORT_DATABASE_URL", "postgresql+asyncpg://u@db/cs")
    settings = Settings()
    assert settings.allowed_origins == ["https://perhekeskus.fi", "https://a.fi"]
    assert settings.migrate_on_start is False  # production databases are migrated on purpose


@pytest.mark.parametrize(
    ("field", "value"),
    [("transcript_retention_days", 91), ("time_zone", "Mars/Olympus"), ("port", 0)],
)
def test_out_of_range_values_are_refused(field: str, value: object) -> None:
    """Values outside their documented range are refused at start."""
    with pytest.raises(ValidationError):
        Settings(**{field: value})


def test_development_secret_is_generated_once_and_kept_private(tmp_path: Path) -> None:
    """Without a configured key, one is generated into the data dir (0600) and reused."""
    settings = Settings(data_dir=tmp_path)
    first = resolve_secret_key(settings)
    assert len(first) >= 32
    assert resolve_secret_key(settings) == first
    mode = stat.S_IMODE((tmp_path / "secret_key").stat().st_mode)
    assert mode == 0o600


@pytest.mark.parametrize("value", ["", "changeme", "short-but-not-placeholder"])
def test_production_refuses_missing_or_placeholder_secret(tmp_path: Path, value: str) -> None:
    """In production the secret key is required, long, and not a placeholder."""
    settings = Settings(data_dir=tmp_path, environment="production", secret_key=value)
    with pytest.raises(ConfigurationError, match="CHATSUPPORT_SECRET_KEY"):
        resolve_secret_key(settings)


def test_every_setting_is_documented_with_its_default() -> None:
    """docs/configuration.md has a row for every field, naming its variable."""
    text = DOC.read_text()
    documented = set(re.findall(r"`CHATSUPPORT_([A-Z_]+)`", text))
    fields = {name.upper() for name in Settings.model_fields}
    assert fields - documented == set(), "undocumented settings"
    assert documented - fields == set(), "documented settings that do not exist"
