"""Small helpers shared by test modules (fixtures live in conftest.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx

from chatsupport.api.runtime import Runtime
from chatsupport.app import create_app
from chatsupport.domain.clock import Clock
from chatsupport.domain.roles import Role
from chatsupport.settings import Settings

PASSWORD = "correct horse battery"


@asynccontextmanager
async def running_app(
    values: dict[str, Any], *, clock: Clock | None = None, base_url: str = "http://testserver"
) -> AsyncIterator[tuple[httpx.AsyncClient, Runtime]]:
    """The real app with its lifespan running, and an HTTP client bound to it in memory."""
    app = create_app(Settings(**values), clock=clock)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=base_url) as client:
            yield client, app.state.runtime


async def add_user(runtime: Runtime, login: str, role: Role, name: str | None = None) -> int:
    responder = await runtime.accounts.create_responder(
        login_name=login, display_name=name or login.title(), role=role, password=PASSWORD
    )
    return responder.id


async def login(client: httpx.AsyncClient, login_name: str, password: str = PASSWORD) -> str:
    """Log in; the client keeps the cookie. Returns the CSRF token."""
    response = await client.post(
        "/api/auth/login", json={"login_name": login_name, "password": password}
    )
    assert response.status_code == 200, response.text
    token: str = response.json()["csrf_token"]
    return token


def error_code(response: httpx.Response) -> str:
    code: str = response.json()["error"]["code"]
    return code
