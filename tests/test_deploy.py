"""The production deployment: Dockerfile, compose.yaml and the proxy configuration.

No Docker engine runs here, so what can be proved without one is proved: the compose file
against the Compose Specification's schema, the image's rules read from the Dockerfile, and
the compose start sequence (migrate once, two replicas on PostgreSQL + Redis, nginx with the
repository's own proxy configuration terminating TLS) run as real processes on loopback.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import shutil
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets
import yaml

from tests.cluster import Cluster, cluster
from tests.conftest import (
    POSTGRES_URL,
    SERVICES_REQUIRED,
    create_postgres_database,
    drop_postgres_database,
    free_port,
    need_service,
)
from tests.helpers import PASSWORD
from tests.live import WsClient

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "deploy" / "nginx.conf.template"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "compose.yaml").read_text())
    return loaded


def test_compose_file_follows_the_compose_specification() -> None:
    """compose.yaml validates against the Compose Specification JSON Schema."""
    checker = Path(sys.executable).parent / "check-jsonschema"
    result = subprocess.run(
        [str(checker), "--builtin-schema", "vendor.compose-spec", str(ROOT / "compose.yaml")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_compose_migrates_once_before_two_replicas_behind_the_proxy() -> None:
    """PostgreSQL, Redis, a one-shot migrate, two replicas, and a TLS proxy in front."""
    services = compose()["services"]
    assert {"postgres", "redis", "migrate", "app1", "app2", "proxy"} <= set(services)
    assert services["migrate"]["command"] == ["chatsupport", "migrate"]
    assert services["migrate"]["restart"] == "no"
    for app in ("app1", "app2"):
        needs = services[app]["depends_on"]
        assert needs["migrate"]["condition"] == "service_completed_successfully"
        env = services[app]["environment"]
        assert env["CHATSUPPORT_ENVIRONMENT"] == "production"
        assert env["CHATSUPPORT_BROKER_URL"].startswith("redis://")
        assert services[app]["env_file"] == ".env"
    assert "pgdata:/var/lib/postgresql/data" in services["postgres"]["volumes"]
    proxy = services["proxy"]
    assert any("nginx.conf.template" in volume for volume in proxy["volumes"])
    assert {
        proxy["environment"][k] for k in ("CHATSUPPORT_UPSTREAM_1", "CHATSUPPORT_UPSTREAM_2")
    } == {
        "app1:8000",
        "app2:8000",
    }
    example = (ROOT / ".env.example").read_text()
    for name in ("CHATSUPPORT_SECRET_KEY", "POSTGRES_PASSWORD", "CHATSUPPORT_ALLOWED_ORIGINS"):
        assert re.search(rf"^{name}=", example, re.MULTILINE)


def test_dockerfile_is_multi_stage_pinned_non_root_with_a_health_check() -> None:
    """The image builds in one stage, runs in another, as a user, with a health check."""
    text = (ROOT / "Dockerfile").read_text()
    base = re.search(r"^ARG PYTHON_IMAGE=(\S+)$", text, re.MULTILINE)
    assert base and re.fullmatch(r"python:3\.\d+\.\d+-slim-\w+", base.group(1))
    assert len(re.findall(r"^FROM ", text, re.MULTILINE)) == 2
    assert re.search(r"^USER chatsupport$", text, re.MULTILINE)
    assert "HEALTHCHECK" in text and "/healthz" in text
    assert "--constraint deploy/constraints.txt" in text
    assert re.search(r'^CMD \["chatsupport", "serve"\]$', text, re.MULTILINE)


def test_proxy_keeps_no_client_address() -> None:
    """The proxy writes no access log and forwards no client address."""
    text = TEMPLATE.read_text()
    assert "access_log off;" in text
    assert 'proxy_set_header X-Forwarded-For "";' in text


# --- the start sequence, for real --------------------------------------------------------


def need_nginx() -> None:
    if Path(NGINX).exists():
        return
    if SERVICES_REQUIRED:
        pytest.fail("nginx is not installed (CI=true: deployment tests must not be skipped)")
    pytest.skip("nginx is not installed")


def render(template: str, values: dict[str, str]) -> str:
    """envsubst as the nginx image does it: only the variables given, nginx's own stay."""
    for name, value in values.items():
        template = template.replace("${" + name + "}", value)
    assert "${CHATSUPPORT_" not in template
    return template


def self_signed(directory: Path) -> tuple[Path, Path]:
    cert, key = directory / "fullchain.pem", directory / "privkey.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    return cert, key


@contextmanager
def nginx(upstreams: list[int], tmp: Path) -> Iterator[int]:
    """nginx running the repository's proxy configuration for these loopback upstreams."""
    port = free_port()
    tmp.mkdir(parents=True, exist_ok=True)
    cert, key = self_signed(tmp)
    site = render(
        TEMPLATE.read_text(),
        {
            "CHATSUPPORT_UPSTREAM_1": f"127.0.0.1:{upstreams[0]}",
            "CHATSUPPORT_UPSTREAM_2": f"127.0.0.1:{upstreams[1]}",
            "CHATSUPPORT_PROXY_PORT": f"127.0.0.1:{port}",
            "CHATSUPPORT_TLS_CERT": str(cert),
            "CHATSUPPORT_TLS_KEY": str(key),
        },
    )
    (tmp / "site.conf").write_text(site)
    # The nginx image's own nginx.conf does the same: an http block including the site.
    (tmp / "nginx.conf").write_text(
        f"pid {tmp}/nginx.pid; error_log {tmp}/error.log warn; events {{}}\n"
        f"http {{ client_body_temp_path {tmp}/body; proxy_temp_path {tmp}/proxy;\n"
        f"  include {tmp}/site.conf; }}\n"
    )
    process = subprocess.Popen(
        [NGINX, "-p", str(tmp), "-c", str(tmp / "nginx.conf"), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,  # nginx writes its errors to error.log above
    )
    try:
        wait_until_listening(port, process)
        yield port
    finally:
        process.terminate()
        process.wait(10)


def wait_until_listening(port: int, process: subprocess.Popen[bytes]) -> None:
    """nginx forks and binds after Popen returns; on a loaded machine the first request came
    before it listened (a refused connection, seen once in a full run)."""
    for _ in range(200):
        if process.poll() is not None:
            raise RuntimeError(f"nginx exited with {process.returncode}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.1):
            return
        time.sleep(0.05)
    raise TimeoutError(f"nginx did not listen on {port}")


def insecure_tls() -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # the test's own self-signed certificate
    return context


class ThroughProxy:
    """Browser-like clients that reach the service only through the proxy's https port."""

    def __init__(self, port: int) -> None:
        self.base = f"https://127.0.0.1:{port}"
        self.origin = self.base

    def http(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=self.base, verify=insecure_tls())

    async def socket(self, path: str, cookie: str | None = None) -> WsClient:
        headers = {"Cookie": cookie} if cookie else {}
        ws = await websockets.connect(
            f"wss://127.0.0.1:{self.base.rsplit(':', 1)[1]}{path}",
            ssl=insecure_tls(),
            origin=websockets.Origin(self.origin),
            additional_headers=headers,
            open_timeout=10,
        )
        return WsClient(ws)


@pytest.fixture
async def started(redis_url: str, unique_namespace: str, tmp_path: Path) -> AsyncIterator[Cluster]:
    need_service("PostgreSQL", POSTGRES_URL, 5432)
    need_nginx()
    url = await create_postgres_database()
    try:
        async with cluster(
            database_url=url,
            redis_url=redis_url,
            namespace=unique_namespace,
            tmp=tmp_path,
            extra={"environment": "production", "trusted_proxies": "127.0.0.1"},
        ) as two:
            yield two
    finally:
        await drop_postgres_database(url)


@pytest.mark.slow
async def test_compose_start_sequence_serves_chats_through_the_proxy(
    started: Cluster, tmp_path: Path
) -> None:
    """migrate → two replicas → nginx (TLS): a chat works end to end over wss, cookies are
    Secure, browser origins match, and the chat survives the loss of one replica."""
    await started.add_on_duty(["anna"])
    with nginx([node.port for node in started.nodes], tmp_path / "nginx") as port:
        proxy = ThroughProxy(port)
        async with proxy.http() as client:
            assert (await client.get("/readyz")).json()["ready"] is True
            login = await client.post(
                "/api/auth/login",
                json={"login_name": "anna", "password": PASSWORD},
                headers={"Origin": proxy.origin},
            )
            assert login.status_code == 200, login.text
            assert "secure" in login.headers["set-cookie"].lower()
            cookie = f"cs_session={login.cookies['cs_session']}"
        anna = await proxy.socket("/ws/responder", cookie)
        await anna.send(type="hello", resume={})
        await anna.expect("welcome")
        young = await proxy.socket("/ws/youth")
        await young.send(type="open")
        token = (await young.expect("opened"))["token"]
        chat_id = (await anna.expect("tag"))["chat_id"]
        await anna.send(type="claim", chat_id=chat_id)
        await anna.expect("claimed")
        await young.send(type="send", client_id="m1", text="hei")
        assert (await anna.expect("message"))["text"] == "hei"

        for node in started.nodes:  # lose one replica; the proxy sends everyone to the other
            if node.process and node.process.poll() is None:
                node.kill()
                break
        await young.ws.close()
        await anna.ws.close()
        young = await reconnect_youth(proxy, token)
        await young.send(type="send", client_id="m2", text="oletko siellä")
        anna = await proxy.socket("/ws/responder", cookie)
        await anna.send(type="hello", resume={chat_id: 1})
        chat = await anna.expect("chat", chat_id=chat_id)
        assert [m["text"] for m in chat["messages"]] == ["oletko siellä"]
        await young.ws.close()
        await anna.ws.close()


async def reconnect_youth(proxy: ThroughProxy, token: str) -> WsClient:
    """Resume through the proxy; retried while nginx notices the dead replica."""
    for _ in range(20):
        try:
            young = await proxy.socket("/ws/youth")
        except (OSError, websockets.InvalidStatus):
            await asyncio.sleep(0.25)
            continue
        await young.send(type="resume", token=token, last_seq=1)
        resumed = await young.expect("resumed")
        assert resumed["state"] == "active" and resumed["messages"] == []
        return young
    raise AssertionError("could not reach a live replica through the proxy")


def test_rendered_template_is_valid_nginx(tmp_path: Path) -> None:
    """`nginx -t` accepts the proxy configuration rendered as compose renders it."""
    need_nginx()
    cert, key = self_signed(tmp_path)
    site = render(
        TEMPLATE.read_text(),
        {
            "CHATSUPPORT_UPSTREAM_1": "127.0.0.1:1",
            "CHATSUPPORT_UPSTREAM_2": "127.0.0.1:2",
            "CHATSUPPORT_PROXY_PORT": "127.0.0.1:8443",
            "CHATSUPPORT_TLS_CERT": str(cert),
            "CHATSUPPORT_TLS_KEY": str(key),
        },
    )
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid; error_log {tmp_path}/error.log; events {{}}\n"
        f"http {{ include {tmp_path}/site.conf; }}\n"
    )
    result = subprocess.run(
        [NGINX, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
