"""Real ``chatsupport serve`` processes sharing one PostgreSQL and one Redis."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pyotp

from tests.conftest import FAST_HASH, free_port
from tests.helpers import PASSWORD
from tests.rota_helpers import shift_body_now


def cli_env(values: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHATSUPPORT_")}
    env.update({f"CHATSUPPORT_{k.upper()}": str(v) for k, v in FAST_HASH.items()})
    # Every simulated youth shares 127.0.0.1: lift the per-network chat limit (tests may set it)
    env["CHATSUPPORT_YOUTH_CHATS_PER_KEY_PER_HOUR"] = "100000"
    env.update({f"CHATSUPPORT_{k.upper()}": v for k, v in values.items()})
    return env


@dataclass
class ServeProcess:
    port: int
    env: dict[str, str]
    log: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_base(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    async def start(self) -> None:
        with self.log.open("ab") as handle:  # the child keeps its own copy of the descriptor
            self.process = subprocess.Popen(
                [sys.executable, "-m", "chatsupport", "serve", "--port", str(self.port)],
                env=self.env,
                stdout=handle,
                stderr=subprocess.STDOUT,
            )
        await wait_healthy(self.base, self.process)

    def kill(self) -> None:
        """SIGKILL: no goodbye frames, no cleanup — a crashed process."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()


async def wait_healthy(base: str, process: subprocess.Popen[bytes]) -> None:
    async with httpx.AsyncClient(base_url=base) as client:
        for _ in range(300):
            if process.poll() is not None:
                raise RuntimeError(f"server exited with {process.returncode}")
            try:
                if (await client.get("/healthz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.05)
    raise TimeoutError(f"{base} did not become healthy")


@dataclass
class Cluster:
    nodes: list[ServeProcess]
    env: dict[str, str]
    responders: dict[str, int] = field(default_factory=dict)

    async def add_on_duty(self, logins: list[str]) -> None:
        """Create responders through the coordinator API and put them on a shift now."""
        async with httpx.AsyncClient(base_url=self.nodes[0].base) as client:
            r = await client.post(
                "/api/auth/login", json={"login_name": "koordi", "password": PASSWORD}
            )
            csrf = {"X-CSRF-Token": r.json()["csrf_token"]}
            if r.json()["must_enrol"]:  # production: a coordinator's first login enrols 2FA
                await enrol_second_factor(client, csrf)
            now = datetime.now(UTC)
            for login in logins:
                created = await client.post(
                    "/api/responders",
                    headers=csrf,
                    json={
                        "login_name": login,
                        "display_name": login.title(),
                        "role": "professional",
                        "password": PASSWORD,
                    },
                )
                assert created.status_code == 201, created.text
                rid = created.json()["id"]
                self.responders[login] = rid
                shift = await client.post(
                    "/api/rota/shifts",
                    headers=csrf,
                    json=shift_body_now(now, ZoneInfo("Europe/Helsinki"), responder_ids=[rid]),
                )
                assert shift.status_code == 201, shift.text
        await asyncio.sleep(1.1)  # each process caches who is on duty for a second


async def enrol_second_factor(client: httpx.AsyncClient, csrf: dict[str, str]) -> None:
    """Enrol the signed-in account's second factor as its authenticator app would."""
    begun = await client.post("/api/auth/two-factor/begin", headers=csrf)
    code = pyotp.TOTP(begun.json()["secret"]).now()
    confirmed = await client.post("/api/auth/two-factor/confirm", headers=csrf, json={"code": code})
    assert confirmed.status_code == 200, confirmed.text


@asynccontextmanager
async def cluster(
    *,
    database_url: str,
    redis_url: str,
    namespace: str,
    tmp: Path,
    size: int = 2,
    extra: dict[str, str] | None = None,
) -> AsyncIterator[Cluster]:
    """migrate once, then ``size`` serve processes on one database and one Redis."""
    env = cli_env(
        {
            "database_url": database_url,
            "broker_url": redis_url,
            "broker_namespace": namespace,
            "auto_migrate": "false",
            "data_dir": str(tmp / "data"),
            "secret_key": "x" * 48,
            **(extra or {}),
        }
    )
    subprocess.run(
        [sys.executable, "-m", "chatsupport", "migrate"],
        env=env,
        check=True,
        capture_output=True,
        timeout=60,
    )
    subprocess.run(
        [
            sys.executable,
            "-m",
            "chatsupport",
            "create-user",
            "--login",
            "koordi",
            "--role",
            "coordinator",
            "--password-stdin",
        ],
        env=env,
        check=True,
        input=f"{PASSWORD}\n".encode(),
        capture_output=True,
        timeout=60,
    )
    nodes = [ServeProcess(free_port(), env, tmp / f"node{i}.log") for i in range(size)]
    try:
        await asyncio.gather(*(n.start() for n in nodes))
        yield Cluster(nodes, env)
    finally:
        for node in nodes:
            node.stop()
