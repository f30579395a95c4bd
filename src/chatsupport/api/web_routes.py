"""The web pages: the youth widget at `/`, the responder console at `/console/`, the
coordinator pages at `/coordinator/`, assets.

The pages are static files in `web/` (shipped as the package `chatsupport.web`); no build
step. Each page gets a strict Content-Security-Policy: scripts and connections only to this
service. The youth page may be framed by the configured family-centre origins (the embed
snippet); the console and the coordinator pages may be framed by nobody.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.responses import FileResponse
from starlette.staticfiles import StaticFiles

from chatsupport.api.deps import RuntimeDep

WEB_DIR = Path(str(files("chatsupport.web")))

router = APIRouter(include_in_schema=False)


def _csp(frame_ancestors: str) -> str:
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self' ws: wss:; object-src 'none'; base-uri 'none'; "
        f"form-action 'self'; frame-ancestors {frame_ancestors}"
    )


def _page(relative: str, frame_ancestors: str) -> FileResponse:
    return FileResponse(
        WEB_DIR / relative,
        media_type="text/html",
        headers={
            "Content-Security-Policy": _csp(frame_ancestors),
            "Referrer-Policy": "no-referrer",
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "no-store",
        },
    )


@router.api_route("/", methods=["GET", "HEAD"])
async def youth_page(rt: RuntimeDep) -> FileResponse:
    ancestors = " ".join(["'self'", *rt.settings.allowed_origins])
    return _page("youth/index.html", ancestors)


@router.api_route("/console/", methods=["GET", "HEAD"])
async def console_page() -> FileResponse:
    return _page("console/index.html", "'none'")


@router.api_route("/coordinator/", methods=["GET", "HEAD"])
async def coordinator_page() -> FileResponse:
    return _page("coordinator/index.html", "'none'")


@router.api_route("/embed.js", methods=["GET", "HEAD"])
async def embed_script() -> FileResponse:
    return FileResponse(WEB_DIR / "embed.js", media_type="text/javascript")


def install(app: FastAPI) -> None:
    app.include_router(router)
    app.mount("/static", StaticFiles(directory=WEB_DIR), name="static")
