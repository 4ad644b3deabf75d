"""Rebuild the projections: empty them, then replay the registration, matching and
notifications streams from their start.

Run it while the region's reporting service is stopped (it refuses when one answers):
the replay reads each stream up to its last message at the start, with an ephemeral
consumer, and marks every event in the inbox. When the service starts again, its durable
consumers go on from where they were; events they meet that the replay already applied
are skipped by the inbox, and events published since are projected as usual.

The streams are replayed in lanes, each on a database connection of its own, at the same
time: PostgreSQL writes one lane's batch while this process decodes another's. Each
lane keeps its streams' order; lanes touch no common rows (see :data:`LANES`).

The rebuild's sessions commit without waiting for the WAL to reach the disk
(``synchronous_commit = off``): a crash may lose the last batches, and a rebuild that
did not finish is simply run again (it starts by emptying the projections).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import asyncpg
from nats.aio.client import Client
from nats.errors import NoRespondersError
from nats.errors import TimeoutError as NatsTimeout

from dorp_reporting import handlers
from dorp_reporting.adapters.projections import PROJECTION_TABLES
from dorp_reporting.adapters.uow import PgReportingUnitOfWork
from dorp_reporting.entrypoints.subscribers import AREAS
from dorp_reporting.events import decode_event
from dorp_shared import db
from dorp_shared.contracts import Envelope
from dorp_shared.contracts.subjects import area_events, command_subject, stream_name
from dorp_shared.errors import DorpError
from dorp_shared.service import SHARED_MIGRATIONS
from dorp_shared.stream_reader import Reader, open_reader

BATCH = 1000
AHEAD = 3
"""Batches fetched and decoded ahead of the one being written."""
YIELD_EVERY = 100
"""Messages decoded between two chances for the writer to go on: when PostgreSQL answers a
statement, the next one is sent within a few milliseconds instead of after the whole batch
(PostgreSQL waits less on this process)."""
GC_THRESHOLD = 100_000
"""Allocations between collections of the youngest generation while replaying."""
Progress = Callable[[str, int, int], None]
"""(area, messages read in this area, messages in this area)"""
LANES: tuple[tuple[str, ...], ...] = (("registration", "matching"), ("notifications",))
"""Areas replayed one after the other within a lane; the lanes run at the same time. Order
matters within registration and matching (a match after its members, an erasure before
what follows it); reporting keeps only notification outcomes of the notifications area,
which write their own table and read no other (a unit test fails when another event of
that area gets a projection: it may have to join the first lane)."""


class ServiceStillRunning(DorpError):
    pass


@dataclass
class RebuildResult:
    read: dict[str, int] = field(default_factory=dict)
    projected: int = 0

    @property
    def total_read(self) -> int:
        return sum(self.read.values())


async def ensure_stopped(nc: Client, region: str) -> None:
    try:
        reply = await nc.request(command_subject(region, "reporting", "health"), b"", timeout=1)
    except (NoRespondersError, NatsTimeout):
        return
    answer: dict[str, Any] = json.loads(reply.data or b"{}")
    raise ServiceStillRunning(
        f"the reporting service of region {region} is running ({answer.get('status', '?')}); "
        "stop it first, then rebuild, then start it again"
    )


async def rebuild(
    nc: Client, database_url: str, region: str, progress: Progress | None = None
) -> RebuildResult:
    await ensure_stopped(nc, region)
    await db.migrate(database_url, "reporting", [SHARED_MIGRATIONS, "dorp_reporting.migrations"])
    pool = await db.create_pool(
        without_flush_wait(database_url), "reporting", max_size=len(LANES), keep_session=True
    )
    try:
        await _empty(pool)
        result = RebuildResult()
        for area in AREAS:
            result.read[area] = 0
        with few_collections():
            await _replay_lanes(nc, pool, region, result, progress)
        return result
    finally:
        await pool.close()


def without_flush_wait(database_url: str) -> str:
    """``database_url`` with ``synchronous_commit=off`` for its sessions (asyncpg passes
    a URL's unknown query parameters to the server as settings)."""
    parts = urlsplit(database_url)
    query = [*parse_qsl(parts.query), ("synchronous_commit", "off")]
    return urlunsplit(parts._replace(query=urlencode(query)))


async def _replay_lanes(
    nc: Client, pool: asyncpg.Pool, region: str, result: RebuildResult, progress: Progress | None
) -> None:
    """Every lane at the same time; when one fails, the others are cancelled and its
    failure is raised (as itself, not in an exception group)."""
    try:
        async with asyncio.TaskGroup() as lanes:
            for lane in LANES:
                lanes.create_task(_replay_lane(nc, pool, region, lane, result, progress))
    except ExceptionGroup as failed:
        raise failed.exceptions[0] from None


async def _replay_lane(
    nc: Client,
    pool: asyncpg.Pool,
    region: str,
    lane: Sequence[str],
    result: RebuildResult,
    progress: Progress | None,
) -> None:
    for area in lane:
        await _replay(nc, pool, region, area, result, progress)


@contextlib.contextmanager
def few_collections(threshold: int = GC_THRESHOLD) -> Iterator[None]:
    """Fewer garbage collections while replaying. Each event leaves short-lived objects
    without cycles; with the default threshold the collector runs every 700 of them and its
    older generations walk every object the process holds (modules, the report renderers):
    about a third of the CPU of decoding an event (measured: 28-32 µs per event decoded
    with, 10-13 µs without). What is alive at the start is frozen out of the collector."""
    before = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(threshold, *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)
        gc.unfreeze()


async def _empty(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute(f"TRUNCATE {', '.join(PROJECTION_TABLES)}")
        await conn.execute("DELETE FROM inbox WHERE consumer = $1", handlers.CONSUMER)


async def _replay(
    nc: Client,
    pool: asyncpg.Pool,
    region: str,
    area: str,
    result: RebuildResult,
    progress: Progress | None,
) -> None:
    """Read one stream to its end in batches; while a batch is written, the next ones are
    fetched and decoded (the database and this process work at the same time)."""
    js = nc.jetstream()
    stream = stream_name(region, area)
    state = (await js.stream_info(stream)).state
    total, last = int(state.messages), int(state.last_seq)
    if progress:
        progress(area, 0, total)
    if total == 0:
        return
    batches: asyncio.Queue[_Batch | None] = asyncio.Queue(maxsize=AHEAD)
    async with open_reader(nc, stream, area_events(region, area)) as reader:
        reading = asyncio.create_task(_read(reader, total, last, batches))
        try:
            while (batch := await batches.get()) is not None:
                projected = await handlers.project_batch(
                    PgReportingUnitOfWork(pool, region=region, source="reporting"), batch.events
                )
                result.projected += projected  # not `+= await`: another lane adds meanwhile
                result.read[area] += batch.read
                if progress:
                    progress(area, result.read[area], total)
            await reading  # raises what the reader met
        finally:
            reading.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await reading


@dataclass(frozen=True)
class _Batch:
    events: list[Envelope[Any]]
    read: int
    """Messages read, also those of types reporting does not keep."""


async def _read(
    reader: Reader, total: int, last: int, batches: asyncio.Queue[_Batch | None]
) -> None:
    """Fetch and decode batches up to stream sequence ``last`` (``total`` messages: asking
    for no more than are left, a pull never waits for its expiry), then put None (also
    when reading fails: the writer then stops and the failure is raised from this task)."""
    left = total
    try:
        while left > 0 and (messages := await reader.read(min(BATCH, left))):
            left -= len(messages)
            events = []
            for start in range(0, len(messages), YIELD_EVERY):
                for msg in messages[start : start + YIELD_EVERY]:
                    event = decode_event(msg.headers, msg.data)
                    if event is not None:
                        events.append(event)
                await asyncio.sleep(0)  # the writer sends its next statement meanwhile
            await batches.put(_Batch(events, len(messages)))
            if messages[-1].sequence >= last:
                break
    except BaseException:
        while not batches.empty():
            batches.get_nowait()
        batches.put_nowait(None)
        raise
    await batches.put(None)
