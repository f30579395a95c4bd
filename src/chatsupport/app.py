"""The ASGI application: ``create_app(settings)`` wires the runtime into FastAPI."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from chatsupport import __version__
from chatsupport.api import (
    audit_routes,
    auth_routes,
    canned_routes,
    debrief_routes,
    diary_routes,
    errors,
    feedback_routes,
    health_routes,
    metrics_routes,
    responder_routes,
    rota_routes,
    statistics_routes,
    support_routes,
    transcript_routes,
    two_factor_routes,
    web_routes,
    ws_routes,
)
from chatsupport.api.audit_middleware import AuditTrail
from chatsupport.api.body_limit import BodyLimit
from chatsupport.api.request_ids import RequestIds
from chatsupport.api.runtime import build_runtime
from chatsupport.domain.clock import Clock
from chatsupport.settings import Settings


def create_app(settings: Settings, *, clock: Clock | None = None) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime = await build_runtime(settings, clock=clock)
        app.state.runtime = runtime
        try:
            yield
        finally:
            await runtime.close()

    app = FastAPI(
        title="chatsupport",
        version=__version__,
        lifespan=lifespan,
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    errors.install(app)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(AuditTrail)
    app.add_middleware(RequestIds)
    for module in (health_routes, auth_routes, responder_routes, rota_routes, ws_routes):
        app.include_router(module.router)
    for module in (diary_routes, statistics_routes, canned_routes, feedback_routes):
        app.include_router(module.router)
    app.include_router(support_routes.router)
    app.include_router(debrief_routes.router)
    app.include_router(transcript_routes.router)
    app.include_router(metrics_routes.router)
    app.include_router(audit_routes.router)
    app.include_router(two_factor_routes.router)
    web_routes.install(app)
    return app


def app_from_env() -> FastAPI:
    """Factory for ``uvicorn --factory`` (used by ``chatsupport serve`` for every worker)."""
    return create_app(Settings())
