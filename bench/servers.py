"""Start the systems under test as real processes on loopback, and stop them again.

* ``embedded``: one ``chatsupport serve`` on SQLite in a temp data dir + the memory broker;
* ``cluster``: two ``chatsupport serve`` on a fresh PostgreSQL database + Redis;
* ``floor``: ``bench/floor.py`` (bare Starlette relay) under uvicorn.

Responders are created through the real coordinator API, put on a shift, and logged in over
HTTP; their session cookies are handed to the WebSocket clients.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import asyncpg
import httpx

POSTGRES_DSN = os.environ.get("BENCH_POSTGRES_DSN", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
PASSWORD = "bench-password-123"  # noqa: S105 - throwaway accounts in a temp database
COORDINATOR = "benchkoordi"
FLOOR = Path(__file__).with_name("floor.py")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Node:
    port: int
    log: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_base(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def rss_kib(self) -> int:
        """Resident set size of the server process (from /proc), KiB."""
        assert self.process is not None
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        return 0

    def spawn(self, argv: list[str], env: dict[str, str]) -> None:
        with self.log.open("ab") as handle:
            self.process = subprocess.Popen(argv, env=env, stdout=handle, stderr=subprocess.STDOUT)

    async def start(self, argv: list[str], env: dict[str, str]) -> None:
        self.spawn(argv, env)
        await wait_healthy(self)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)


async def wait_healthy(node: Node) -> None:
    async with httpx.AsyncClient(base_url=node.base) as client:
        for _ in range(600):
            assert node.process is not None
            if node.process.poll() is not None:
                tail = node.log.read_text(errors="replace")[-1500:]
                raise RuntimeError(f"server exited with {node.process.returncode}: {tail}")
            try:
                if (await client.get("/healthz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.05)
    raise TimeoutError(f"{node.base} did not become healthy")


@dataclass
class Target:
    """A running system under test and the responder accounts on it."""

    name: str
    nodes: list[Node]
    cookies: list[str] = field(default_factory=list)

    def node_for(self, index: int) -> Node:
        return self.nodes[index % len(self.nodes)]

    def rss_kib(self) -> int:
        return sum(n.rss_kib() for n in self.nodes)


#: Where ``chatsupport`` is imported from: the working tree (installed editable) unless
#: ``snapshot`` put a commit's code in front of it.
CODE_PATH: list[str] = []
#: Extra ``CHATSUPPORT_*`` settings for every server (``run.py --set``), for experiments.
EXTRA_SETTINGS: dict[str, str] = {}


def snapshot(rev: str, into: Path) -> str:
    """Export ``rev``'s src/ and migrations/ so the servers run that commit, not the tree."""
    repo = Path(__file__).resolve().parent.parent
    commit = subprocess.run(
        ["git", "rev-parse", "--short", rev], cwd=repo, check=True, capture_output=True, text=True
    ).stdout.strip()
    archive = subprocess.run(
        ["git", "archive", commit, "src", "migrations"], cwd=repo, check=True, capture_output=True
    ).stdout
    into.mkdir(parents=True, exist_ok=True)
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    # the package maps chatsupport.migrations to migrations/; mirror that in the copy
    (into / "migrations").rename(into / "src" / "chatsupport" / "migrations")
    CODE_PATH[:] = [str(into / "src")]
    return commit


def apply_patch(patch: Path, into: Path) -> None:
    """Try a proposed src/ change on the exported copy only (the tree is not touched)."""
    subprocess.run(["git", "apply", str(patch.resolve())], cwd=into, check=True)


def serve_env(values: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHATSUPPORT_")}
    if CODE_PATH:
        env["PYTHONPATH"] = os.pathsep.join([*CODE_PATH, env.get("PYTHONPATH", "")])
    base = {
        "secret_key": "b" * 48,
        # cheap argon2 so 50 logins take a moment; hashing is not what is measured
        "password_hash_time_cost": "1",
        "password_hash_memory_kib": "1024",
        "password_hash_parallelism": "1",
        "responder_chat_cap": "20",
        "reminder_secs": "3600",
        # every simulated young person comes from 127.0.0.1, one "network" to the abuse limits
        "youth_connections_per_key": "1000000",
        "youth_chats_per_key_per_hour": "1000000",
        "youth_messages_per_minute": "1000000",
        "max_waiting_chats": "1000000",
        "handshake_secs": "300",  # idle sockets that never send a frame stay for the phase
    }
    merged = {**base, **values, **EXTRA_SETTINGS}
    env.update({f"CHATSUPPORT_{k.upper()}": v for k, v in merged.items()})
    return env


def cli(env: dict[str, str], *args: str, stdin: str | None = None) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "chatsupport", *args],
        env=env,
        input=stdin.encode() if stdin else None,
        capture_output=True,
        timeout=120,
    )
    if done.returncode:
        raise RuntimeError(f"chatsupport {args[0]}: {done.stderr.decode().strip()}")


def prepare(env: dict[str, str]) -> None:
    """Migrate and create the coordinator through the real CLI."""
    Path(env["CHATSUPPORT_DATA_DIR"]).mkdir(parents=True, exist_ok=True)
    cli(env, "migrate")
    cli(env, "create-user", "--login", COORDINATOR, "--role", "coordinator", "--password-stdin",
        stdin=PASSWORD + "\n")  # fmt: skip


async def serve_nodes(env: dict[str, str], tmp: Path, count: int) -> list[Node]:
    prepare(env)
    nodes = [Node(free_port(), tmp / f"serve{i}.log") for i in range(count)]
    argv = [sys.executable, "-m", "chatsupport", "serve", "--port"]
    await asyncio.gather(*(n.start([*argv, str(n.port)], env) for n in nodes))
    return nodes


async def add_responders(target: Target, count: int) -> None:
    """Create ``count`` responders on a shift now (coordinator API), then log each in."""
    async with httpx.AsyncClient(base_url=target.nodes[0].base, timeout=30) as client:
        r = await client.post(
            "/api/auth/login", json={"login_name": COORDINATOR, "password": PASSWORD}
        )
        r.raise_for_status()
        client.headers["X-CSRF-Token"] = r.json()["csrf_token"]
        ids = [await create_responder(client, f"bench{i}") for i in range(count)]
        for start in range(0, count, 20):  # a rota shift names at most 20 responders
            await put_on_shift(client, ids[start : start + 20])
    target.cookies = [await login(target.node_for(i), f"bench{i}") for i in range(count)]
    await asyncio.sleep(1.2)  # each process caches who is on duty for a second


async def create_responder(client: httpx.AsyncClient, name: str) -> int:
    body = {"login_name": name, "display_name": name.title(), "role": "professional",
            "password": PASSWORD}  # fmt: skip
    created = await client.post("/api/responders", json=body)
    created.raise_for_status()
    rid: int = created.json()["id"]
    return rid


async def put_on_shift(client: httpx.AsyncClient, ids: list[int]) -> None:
    """A dated rota shift from an hour ago for 24 h; before the rota, one shift row each."""
    zone = ZoneInfo("Europe/Helsinki")
    start = (datetime.now(UTC) - timedelta(hours=1)).astimezone(zone).replace(microsecond=0)
    end = start + timedelta(hours=24)
    rota = {"role": "professional", "date": start.date().isoformat(),
            "starts": start.time().isoformat("minutes"), "ends": end.time().isoformat("minutes"),
            "ends_next_day": True, "responder_ids": ids}  # fmt: skip
    r = await client.post("/api/rota/shifts", json=rota)
    if r.status_code != 404:
        r.raise_for_status()
        return
    for rid in ids:  # the commit predates the rota: the temporary shifts table
        legacy = {"responder_id": rid, "starts_at": start.isoformat(),
                  "ends_at": end.isoformat()}  # fmt: skip
        (await client.post("/api/shifts", json=legacy)).raise_for_status()


async def login(node: Node, name: str) -> str:
    async with httpx.AsyncClient(base_url=node.base, timeout=30) as client:
        r = await client.post("/api/auth/login", json={"login_name": name, "password": PASSWORD})
        r.raise_for_status()
        return f"cs_session={r.cookies['cs_session']}"


@asynccontextmanager
async def embedded(tmp: Path, responders: int) -> AsyncIterator[Target]:
    env = serve_env({"data_dir": str(tmp / "data")})
    nodes: list[Node] = []
    try:
        nodes = await serve_nodes(env, tmp, 1)
        target = Target("embedded (SQLite + memory, 1 process)", nodes)
        await add_responders(target, responders)
        yield target
    finally:
        for node in nodes:
            node.stop()


@asynccontextmanager
async def fresh_database() -> AsyncIterator[str]:
    name = f"bench_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(POSTGRES_DSN)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        yield name
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


@asynccontextmanager
async def cluster(tmp: Path, responders: int) -> AsyncIterator[Target]:
    nodes: list[Node] = []
    async with fresh_database() as db:
        host = POSTGRES_DSN.split("@", 1)[1].rsplit("/", 1)[0]
        user = POSTGRES_DSN.split("//", 1)[1].split("@", 1)[0]
        env = serve_env({
            "data_dir": str(tmp / "data"),
            "database_url": f"postgresql+asyncpg://{user}@{host}/{db}",
            "broker_url": REDIS_URL,
            "broker_namespace": f"bench-{uuid.uuid4().hex[:12]}",
            "auto_migrate": "false",
        })  # fmt: skip
        try:
            nodes = await serve_nodes(env, tmp, 2)
            target = Target("2 processes (PostgreSQL + Redis)", nodes)
            await add_responders(target, responders)
            yield target
        finally:
            for node in nodes:
                node.stop()


@asynccontextmanager
async def floor(tmp: Path, responders: int) -> AsyncIterator[Target]:
    node = Node(free_port(), tmp / "floor.log")
    try:
        await node.start([sys.executable, str(FLOOR), "--port", str(node.port)], dict(os.environ))
        yield Target("floor (bare Starlette relay)", [node], [""] * responders)
    finally:
        node.stop()


@asynccontextmanager
async def floor_stored(tmp: Path, responders: int) -> AsyncIterator[Target]:
    node = Node(free_port(), tmp / "floor.log")
    argv = [sys.executable, str(FLOOR), "--port", str(node.port), "--store", str(tmp / "f.db")]
    try:
        await node.start(argv, dict(os.environ))
        name = "floor + storage (bare relay storing every message)"
        yield Target(name, [node], [""] * responders)
    finally:
        node.stop()
