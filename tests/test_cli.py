"""The ``chatsupport`` command as a user runs it: real processes, real exit codes."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from chatsupport.storage import responders, two_factor
from chatsupport.storage.database import Database
from chatsupport.storage.tables import StaffSessionRow
from tests.conftest import FAST_HASH

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def run_cli(*args: str, env: dict[str, str], stdin: str = "") -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("CHATSUPPORT_")}
    full_env.update({f"CHATSUPPORT_{k.upper()}": str(v) for k, v in FAST_HASH.items()})
    full_env.update(env)
    return subprocess.run(
        [sys.executable, "-m", "chatsupport", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=full_env,
        timeout=60,
        check=False,
    )


@pytest.fixture
def cli_env(database_url: str, tmp_path: Path) -> dict[str, str]:
    return {"CHATSUPPORT_DATABASE_URL": database_url, "CHATSUPPORT_DATA_DIR": str(tmp_path)}


def test_migrate_then_create_user_from_stdin(cli_env: dict[str, str]) -> None:
    """`migrate` brings an empty database to head; `create-user` reads the password from stdin."""
    migrated = run_cli("migrate", env=cli_env)
    assert migrated.returncode == 0, migrated.stderr
    assert "at revision" in migrated.stdout
    created = run_cli(
        "create-user",
        "--login",
        "Koordi",
        "--role",
        "coordinator",
        "--password-stdin",
        env=cli_env,
        stdin="a long enough password\n",
    )
    assert created.returncode == 0, created.stderr
    assert "created coordinator 'koordi'" in created.stdout
    swedish = run_cli(
        "create-user",
        "--login",
        "sara",
        "--role",
        "professional",
        "--languages",
        "sv,fi",
        "--password-stdin",
        env=cli_env,
        stdin="a long enough password\n",
    )
    assert swedish.returncode == 0, swedish.stderr
    wrong = run_cli(
        "create-user",
        "--login",
        "olli",
        "--role",
        "professional",
        "--languages",
        "fi,de",
        "--password-stdin",
        env=cli_env,
        stdin="a long enough password\n",
    )
    assert wrong.returncode == 2
    assert wrong.stderr.strip() == "chatsupport: languages: expected one or more of fi, sv, en"
    again = run_cli(
        "create-user",
        "--login",
        "koordi",
        "--role",
        "coordinator",
        "--password-stdin",
        env=cli_env,
        stdin="a long enough password\n",
    )
    assert again.returncode == 2
    assert again.stderr.strip() == "chatsupport: login_name: already in use"


def test_weak_password_is_refused_in_one_line(cli_env: dict[str, str]) -> None:
    """A too-short password is refused with one line and exit status 2."""
    result = run_cli(
        "create-user",
        "--login",
        "x1",
        "--role",
        "professional",
        "--password-stdin",
        env=cli_env,
        stdin="short\n",
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "password" in result.stderr


def test_unreachable_database_gives_one_clear_line() -> None:
    """An unreachable database: one line naming the URL with the password masked, exit 2."""
    env = {"CHATSUPPORT_DATABASE_URL": "postgresql+asyncpg://app:hunter2@127.0.0.1:9/cs"}
    for command in ("serve", "migrate"):
        result = run_cli(command, env=env)
        assert result.returncode == 2
        assert result.stderr.strip().splitlines() == [
            "chatsupport: cannot reach the database at "
            "postgresql+asyncpg://app:***@127.0.0.1:9/cs (ConnectionRefusedError)"
        ]
        assert "hunter2" not in result.stderr and "Traceback" not in result.stderr


def test_serve_refuses_an_unmigrated_production_database(
    database_url: str, backend: str, tmp_path: Path
) -> None:
    """Without auto-migration, `serve` on an unmigrated database says to run `migrate`."""
    env = {
        "CHATSUPPORT_DATABASE_URL": database_url,
        "CHATSUPPORT_DATA_DIR": str(tmp_path),
        "CHATSUPPORT_AUTO_MIGRATE": "false",
    }
    result = run_cli("serve", env=env)
    assert result.returncode == 2
    assert "run `chatsupport migrate` first" in result.stderr
    assert "Traceback" not in result.stderr


def test_invalid_configuration_names_the_variable(tmp_path: Path) -> None:
    """A bad environment value is reported by variable name, without a traceback."""
    result = run_cli(
        "migrate",
        env={"CHATSUPPORT_TRANSCRIPT_RETENTION_DAYS": "365", "CHATSUPPORT_DATA_DIR": str(tmp_path)},
    )
    assert result.returncode == 2
    assert "CHATSUPPORT_TRANSCRIPT_RETENTION_DAYS" in result.stderr
    assert "Traceback" not in result.stderr


def test_production_demo_is_refused(tmp_path: Path) -> None:
    """`demo` never creates well-known passwords in production."""
    result = run_cli(
        "demo", env={"CHATSUPPORT_ENVIRONMENT": "production", "CHATSUPPORT_DATA_DIR": str(tmp_path)}
    )
    assert result.returncode == 2 and "production" in result.stderr


def test_reset_two_factor_from_the_shell(cli_env: dict[str, str]) -> None:
    """`reset-two-factor` removes an enrolled account's factor, recovery codes and sessions;
    an unknown name is one line."""
    assert run_cli("migrate", env=cli_env).returncode == 0
    created = run_cli(
        "create-user",
        "--login",
        "koordi",
        "--role",
        "coordinator",
        "--password-stdin",
        env=cli_env,
        stdin="a long enough password\n",
    )
    assert created.returncode == 0, created.stderr
    url = cli_env["CHATSUPPORT_DATABASE_URL"]
    asyncio.run(_enrol_with_a_session(url, "koordi"))
    assert asyncio.run(_factor_of(url, "koordi")) == (True, 2, 1)
    reset = run_cli("reset-two-factor", "--login", "Koordi", env=cli_env)
    assert reset.returncode == 0, reset.stderr
    assert "second factor of 'koordi' removed" in reset.stdout
    assert asyncio.run(_factor_of(url, "koordi")) == (False, 0, 0)
    unknown = run_cli("reset-two-factor", "--login", "nobody", env=cli_env)
    assert unknown.returncode == 2
    assert unknown.stderr.strip() == "chatsupport: no such login name"


async def _enrol_with_a_session(url: str, login_name: str) -> None:
    """An enabled factor with two recovery codes, and an open session, as enrolment leaves them."""
    db = Database(url)
    try:
        async with db.write() as s:
            responder_id = await _id_of(s, login_name)
            await two_factor.start(s, responder_id=responder_id, seed="seed")
            await two_factor.enable(
                s, responder_id=responder_id, seed="seed", counter=1, now=NOW, digests=["a", "b"]
            )
            s.add(
                StaffSessionRow(
                    token_hash="t" * 64, responder_id=responder_id, created_at=NOW, expires_at=NOW
                )
            )
    finally:
        await db.dispose()


async def _factor_of(url: str, login_name: str) -> tuple[bool, int, int]:
    """(enabled, recovery codes left, sessions) of the account."""
    db = Database(url)
    try:
        async with db.read() as s:
            responder_id = await _id_of(s, login_name)
            state = await two_factor.load(s, responder_id=responder_id)
            codes = await two_factor.recovery_codes_left(s, responder_id=responder_id)
            sessions = await s.scalar(
                select(func.count())
                .select_from(StaffSessionRow)
                .where(StaffSessionRow.responder_id == responder_id)
            )
        return state.enabled, codes, int(sessions or 0)
    finally:
        await db.dispose()


async def _id_of(session: AsyncSession, login_name: str) -> int:
    found = await responders.find_with_hash(session, login_name=login_name)
    assert found is not None
    return found[0].id
