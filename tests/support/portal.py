"""The staff portal of a running reporting service, for integration and browser tests."""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import asyncpg
import httpx
from nats.js import JetStreamContext

from dorp_reporting.bootstrap import DEFINITION
from dorp_reporting.portal.accounts import add_staff, portal_store
from dorp_shared.contracts import Envelope, Event
from dorp_shared.contracts.subjects import event_subject, stream_name
from dorp_shared.service import Runtime
from dorp_shared.settings import DorpSettings
from tests.support.services import eventually, nats_client, running_service

STAFF_EMAIL = "beleid@lochem.example"
STAFF_PASSWORD = "correct horse battery"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


@dataclass
class RunningPortal:
    runtime: Runtime
    url: str
    js: JetStreamContext
    database_url: str

    async def publish(self, envelopes: list[Envelope[Any]]) -> None:
        """Publish events and wait until reporting has projected all of them."""
        region = self.runtime.region.id
        for envelope in envelopes:
            payload: Event = envelope.payload
            await self.js.publish(
                event_subject(region, type(payload)),
                envelope.model_dump_json().encode(),
                headers=envelope.headers(),
            )
        await eventually(self.all_consumed)

    async def all_consumed(self) -> bool:
        region = self.runtime.region.id
        for area in ("registration", "matching", "notifications"):
            try:
                info = await self.js.consumer_info(stream_name(region, area), f"reporting-{area}")
            except Exception:  # not yet declared by the service
                return False
            if info.num_pending or info.num_ack_pending:
                return False
        return True

    async def rows(self, query: str, *args: Any) -> list[asyncpg.Record]:
        conn = await asyncpg.connect(
            self.database_url, server_settings={"search_path": "reporting"}
        )
        try:
            return list(await conn.fetch(query, *args))
        finally:
            await conn.close()


@contextlib.asynccontextmanager
async def running_portal(
    settings: DorpSettings, *, new_account: bool = True
) -> AsyncIterator[RunningPortal]:
    """Reporting running (HTTP on any free port), with one staff account made first."""
    if new_account:
        async with portal_store(settings.database_url or "") as store:
            await add_staff(store, STAFF_EMAIL, STAFF_PASSWORD)
    async with (
        running_service(DEFINITION, settings) as runtime,
        nats_client(settings.nats_url or "") as nc,
    ):
        assert runtime.http is not None
        yield RunningPortal(
            runtime, f"{runtime.http.url}/portal", nc.jetstream(), settings.database_url or ""
        )


async def log_in(
    client: httpx.AsyncClient, email: str = STAFF_EMAIL, password: str = STAFF_PASSWORD
) -> httpx.Response:
    """Fetch the log-in form (and its CSRF cookie), then post it."""
    form = await client.get("/login")
    return await client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": csrf_of(form.text)},
    )


async def audit_rows(portal: RunningPortal) -> list[tuple[str, str, str | None, str | None]]:
    rows = await portal.rows(
        "SELECT staff_email, action, period, format FROM staff_audit ORDER BY audit_id"
    )
    return [(r["staff_email"], r["action"], r["period"], r["format"]) for r in rows]


def at(year: int, month: int, day: int = 14) -> datetime:
    return datetime(year, month, day, 10, 0, tzinfo=UTC)
