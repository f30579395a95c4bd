"""Prometheus metrics at ``/metrics``, for the operator's scraper only.

Off unless ``CHATSUPPORT_METRICS_TOKEN`` is set; then the scraper sends it as a bearer token.
The proxy in deploy/ never forwards ``/metrics`` from outside: Prometheus scrapes each
replica directly on the internal network.
"""

from __future__ import annotations

import hmac

from fastapi import APIRouter, Request, Response

from chatsupport.api.deps import RuntimeDep
from chatsupport.domain.errors import NotAuthenticated, NotFound
from chatsupport.metrics import CONTENT_TYPE, render
from chatsupport.services.observability import scrape_values

router = APIRouter(include_in_schema=False)


@router.get("/metrics")
async def metrics(request: Request, rt: RuntimeDep) -> Response:
    token = rt.settings.metrics_token.get_secret_value()
    if not token:
        raise NotFound("Metrics are off (set CHATSUPPORT_METRICS_TOKEN).", code="metrics.off")
    sent = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
    if not hmac.compare_digest(sent.encode(), token.encode()):
        raise NotAuthenticated("Send the metrics token as a bearer token.")
    values = await scrape_values(db=rt.db, broker=rt.broker)
    return Response(render(values), media_type=CONTENT_TYPE)
