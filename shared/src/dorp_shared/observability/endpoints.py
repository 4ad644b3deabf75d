"""``GET /health/live``, ``GET /health/ready`` and ``GET /metrics`` on a service's HTTP
server. Left out of the OpenAPI document: they are for the platform, not for API clients."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import FastAPI
from fastapi.responses import JSONResponse, Response

from dorp_shared.observability.metrics import PROMETHEUS_CONTENT_TYPE


def add_operations_routes(
    app: FastAPI,
    *,
    identity: dict[str, str],
    unready_reasons: Callable[[], Awaitable[list[str]]],
    metrics: Callable[[], Awaitable[bytes]],
) -> None:
    @app.get("/health/live", include_in_schema=False)
    async def live() -> JSONResponse:
        return JSONResponse({**identity, "status": "live"})

    @app.get("/health/ready", include_in_schema=False)
    async def ready() -> JSONResponse:
        reasons = await unready_reasons()
        if reasons:
            return JSONResponse({**identity, "status": "not_ready", "reasons": reasons}, 503)
        return JSONResponse({**identity, "status": "ready"})

    @app.get("/metrics", include_in_schema=False)
    async def scrape() -> Response:
        return Response(await metrics(), media_type=PROMETHEUS_CONTENT_TYPE)
