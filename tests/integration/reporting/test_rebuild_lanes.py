"""The rebuild replays its lanes (registration then matching; notifications) at the same
time, each on a database connection of its own: the rows it leaves are exactly those of
projecting the same stream messages one at a time, in stream order. Its sessions commit
without waiting for the disk."""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest
from nats.aio.client import Client

from dorp_cli.bench.reporting_year import Message, YearGenerator
from dorp_reporting import handlers
from dorp_reporting.adapters.uow import PgReportingUnitOfWork
from dorp_reporting.entrypoints.subscribers import AREAS
from dorp_reporting.events import decode_event
from dorp_reporting.rebuild import rebuild, without_flush_wait
from dorp_shared import db
from dorp_shared.contracts import Envelope
from dorp_shared.contracts import events as ev
from dorp_shared.contracts.envelope import MSG_ID_HEADER
from dorp_shared.contracts.subjects import payload_subject
from dorp_shared.messaging import declare_region
from dorp_shared.regions import load_region
from dorp_shared.service import SHARED_MIGRATIONS
from dorp_shared.settings import DorpSettings
from tests.integration.reporting.test_batch_projection import Rows, awkward, rows
from tests.support.infra import Infra, fresh_database
from tests.support.services import nats_client

pytestmark = pytest.mark.integration


def generated_year(settings: DorpSettings) -> list[Message]:
    """A synthetic year, then the awkward cases of the batch test (an erasure amid a
    member's matches, repeated and out-of-order records, one event twice)."""
    region = load_region(settings.region, settings.regions_dir)
    generator = YearGenerator(region, 2025, 3000, seed=11)
    year = [message for day in generator.days() for message in day]
    return [*year, *(as_message(settings.region, envelope) for envelope in awkward())]


def as_message(region: str, envelope: Envelope[Any]) -> Message:
    return Message(
        envelope.payload.area,
        payload_subject(region, envelope.payload),
        envelope.model_dump_json().encode(),
        envelope.headers(),
    )


async def publish(nc: Client, messages: list[Message]) -> None:
    js = nc.jetstream()
    for message in messages:
        await js.publish(message.subject, message.body, headers=message.headers)


async def one_at_a_time(database_url: str, messages: list[Message]) -> Rows:
    """Each area's events in its stream order, one transaction per event."""
    await db.migrate(database_url, "reporting", [SHARED_MIGRATIONS, "dorp_reporting.migrations"])
    pool = await db.create_pool(database_url, "reporting", max_size=1)
    try:
        for area in AREAS:
            for message in messages:
                event: Envelope[Any] | None = decode_event(message.headers, message.body)
                if message.area == area and event is not None:
                    uow = PgReportingUnitOfWork(pool, region="test", source="reporting")
                    await handlers.project(uow, event)
        return await rows(pool)
    finally:
        await pool.close()


async def rebuilt_rows(database_url: str) -> Rows:
    pool = await db.create_pool(database_url, "reporting", max_size=1)
    try:
        return await rows(pool)
    finally:
        await pool.close()


async def test_the_lanes_leave_the_rows_of_projecting_one_at_a_time(
    settings: DorpSettings, infra: Infra
) -> None:
    messages = generated_year(settings)
    stored = list({m.headers[MSG_ID_HEADER]: m for m in messages}.values())  # NATS drops repeats
    kept = [m for m in stored if decode_event(m.headers, m.body) is not None]
    await declare_region(settings.nats_url or "", settings.region)
    async with nats_client(settings.nats_url or "") as nc:
        await publish(nc, messages)
        result = await rebuild(nc, settings.database_url or "", settings.region)
    expected = await one_at_a_time(await fresh_database(infra.postgres_url), messages)
    rebuilt = await rebuilt_rows(settings.database_url or "")

    assert result.total_read == len(stored) and result.projected == len(kept)
    assert result.read == {area: sum(1 for m in stored if m.area == area) for area in AREAS}
    for table, expected_rows in expected.items():
        assert rebuilt[table] == expected_rows, table
    sent = [m for m in kept if m.headers["Dorp-Event-Type"] == ev.NotificationSent.event_type()]
    assert len(expected["notifications"]) > 100 and len(sent) > len(expected["notifications"])
    assert len(expected["members"]) > 50 and len(expected["matches"]) > 10
    assert len(expected["member_departures"]) >= 1 and len(expected["attendees"]) > 3


async def test_the_rebuild_commits_without_waiting_for_the_disk(database_url: str) -> None:
    plain = await asyncpg.connect(database_url)
    rebuilding = await asyncpg.connect(without_flush_wait(database_url))
    try:
        assert await plain.fetchval("SHOW synchronous_commit") == "on"
        assert await rebuilding.fetchval("SHOW synchronous_commit") == "off"
        same = "SELECT current_database(), current_user, inet_server_port()"
        assert tuple(await rebuilding.fetchrow(same)) == tuple(await plain.fetchrow(same))
    finally:
        await plain.close()
        await rebuilding.close()
