"""A running service's command API, over HTTP and NATS, for integration tests."""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
from nats.aio.client import Client

from dorp_shared.commands import IDEMPOTENCY_HEADER
from dorp_shared.contracts.subjects import command_subject
from dorp_shared.service import STATUS_HEADER, Runtime, ServiceDefinition
from dorp_shared.settings import DorpSettings
from tests.support.services import nats_client, running_service


@dataclass
class ApiClient:
    runtime: Runtime
    http: httpx.AsyncClient
    nc: Client

    @property
    def region(self) -> str:
        return self.runtime.region.id

    async def post(
        self, command: str, body: dict[str, Any] | bytes, *, key: str | None = None
    ) -> httpx.Response:
        headers = {IDEMPOTENCY_HEADER: key} if key else {}
        content = body if isinstance(body, bytes) else json.dumps(body, default=str).encode()
        return await self.http.post(
            f"/v1/{command}",
            content=content,
            headers={"content-type": "application/json", **headers},
        )

    async def ok(self, command: str, body: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        """POST and insist on 200; the JSON result."""
        response = await self.post(command, body, **kwargs)
        assert response.status_code == 200, (command, response.status_code, response.text)
        result: dict[str, Any] = response.json()
        return result

    async def request(
        self, command: str, body: dict[str, Any] | bytes, *, key: str | None = None
    ) -> tuple[int, dict[str, Any]]:
        """The same command over NATS request/reply: (status, JSON reply)."""
        subject = command_subject(self.region, self.runtime.service, command)
        content = body if isinstance(body, bytes) else json.dumps(body, default=str).encode()
        headers = {IDEMPOTENCY_HEADER: key} if key else None
        reply = await self.nc.request(subject, content, timeout=10, headers=headers)
        status = int((reply.headers or {}).get(STATUS_HEADER, "0"))
        return status, json.loads(reply.data)


@contextlib.asynccontextmanager
async def service_api(
    definition: ServiceDefinition, settings: DorpSettings
) -> AsyncIterator[ApiClient]:
    async with (
        running_service(definition, settings) as runtime,
        nats_client(settings.nats_url or "") as nc,
    ):
        assert runtime.http is not None, f"{definition.name} serves no HTTP API"
        async with httpx.AsyncClient(base_url=runtime.http.url, timeout=10) as http:
            yield ApiClient(runtime, http, nc)
