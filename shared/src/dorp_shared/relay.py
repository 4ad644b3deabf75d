"""Outbox relay: publishes committed outbox rows to JetStream, in order, acknowledged.

Woken right after a commit that emitted events, and polling as a fallback (another
replica's commits, a crash between commit and publish). One relay per schema publishes at a
time (a transaction-scoped advisory lock; the others find it taken and wait for their next
turn): replicas sharing the rows would publish a member's later event while another replica
still publishes the earlier one. A batch is published pipelined (every publish sent, then
every acknowledgement awaited), so a batch costs about one round trip, not one per event;
with ``publish_many`` (:meth:`dorp_shared.messaging.JetStreamPublisher.many`) also without a
future and a timer per event. ``Nats-Msg-Id`` makes a re-publish after a crash harmless.

Each publish of a row stored with a trace context (the emitting handler or command ran in a
trace) is a span, that context's child; its own context replaces that one in the headers
sent, so the consumer's span is the publish span's child. A row without one (a partner
message that came without ``traceparent``) is sent as stored, without a span of its own:
a root span per event cost a tenth of registration's CPU under load. Published events and
failed batches are counted.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta
from typing import cast

import asyncpg
import structlog
from opentelemetry.trace import SpanKind
from pydantic_core import from_json

from dorp_shared.contracts.envelope import MSG_ID_HEADER
from dorp_shared.messaging import Outgoing
from dorp_shared.observability import ServiceMetrics, extract, inject, subject_label, tracer

Publish = Callable[[str, bytes, dict[str, str], str], Awaitable[None]]
PublishMany = Callable[[Sequence[Outgoing]], Awaitable[None]]
TRACE_HEADER = "traceparent"

log = structlog.get_logger(__name__)

TAKE_TURN = "SELECT pg_try_advisory_xact_lock(hashtext('dorp-outbox-relay:' || current_schema()))"
"""True for the one relay of this schema that may publish now; released at its commit."""
TAKE_TURN_AND_ROWS = (
    "SELECT position, subject, stream, headers, body FROM outbox"
    f" WHERE published_at IS NULL AND ({TAKE_TURN}) ORDER BY position LIMIT $1"
)
"""The next unpublished rows, if this relay may publish now (no rows if another may): the
turn is taken in the same round trip (an uncorrelated subquery, evaluated once)."""
MARK_PUBLISHED_AND_COMMIT = (
    "UPDATE outbox SET published_at = now() WHERE position = ANY('{{{positions}}}'::bigint[]);"
    " COMMIT"
)
"""Sent as one simple query (positions are integers from the outbox, written inline): the
mark and the commit cost one round trip, not two."""
PRUNE_EVERY_SECONDS = 3600.0
PRUNE_PUBLISHED = "DELETE FROM outbox WHERE published_at < now() - $1::interval"
PRUNE_IDEMPOTENCY = "DELETE FROM idempotency WHERE created_at < now() - $1::interval"


class OutboxRelay:
    def __init__(
        self,
        pool: asyncpg.Pool,
        publish: Publish,
        *,
        batch: int = 500,
        poll_seconds: float = 1.0,
        metrics: ServiceMetrics | None = None,
        publish_many: PublishMany | None = None,
        keep: timedelta = timedelta(days=7),
    ) -> None:
        """``keep``: how long published rows and idempotent commands' results stay (see
        :meth:`prune`)."""
        self._pool = pool
        self._keep = keep
        self._pruned_at = float("-inf")
        self._publish = publish
        self._publish_many = publish_many
        self._metrics = metrics
        self._batch = batch
        self._poll = poll_seconds
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def wake(self) -> None:
        self._wake.set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="outbox-relay")

    async def stop(self) -> None:
        """Publish what is committed, then stop."""
        if self._task is None:
            return
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._task = None
        try:
            await self.publish_pending()
        except Exception as exc:  # left in the outbox for the next start
            log.warning("outbox.flush_failed", error=str(exc))

    async def _run(self) -> None:
        while True:
            self._wake.clear()  # before publishing: a commit meanwhile wakes the next round
            try:
                while await self.publish_pending() == self._batch:
                    pass
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("outbox.publish_failed", error=str(exc))
                if self._metrics is not None:
                    self._metrics.publish_failures.inc()
            if time.monotonic() - self._pruned_at > PRUNE_EVERY_SECONDS:
                await self._prune_quietly()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self._poll)

    async def prune(self) -> tuple[int, int]:
        """Delete published outbox rows and stored command results older than ``keep``.

        Published rows are in the stream (the outbox only holds them for the relay); a retry
        of a command with the same idempotency key comes within minutes, not days. Without
        this both tables grow by every event and command for as long as the region runs.
        The inbox is kept: it is what stops an event replayed from the stream from being
        handled twice. Returns (outbox rows, results) deleted."""
        async with self._pool.acquire() as conn:
            outbox = await conn.execute(PRUNE_PUBLISHED, self._keep)
            results = await conn.execute(PRUNE_IDEMPOTENCY, self._keep)
        self._pruned_at = time.monotonic()
        return int(outbox.split()[-1]), int(results.split()[-1])

    async def _prune_quietly(self) -> None:
        try:
            outbox, results = await self.prune()
        except Exception as exc:  # tried again at the next hour
            self._pruned_at = time.monotonic()
            log.warning("outbox.prune_failed", error=str(exc))
            return
        if outbox or results:
            log.info("outbox.pruned", published_rows=outbox, command_results=results)

    async def publish_pending(self) -> int:
        """Publish one batch of unpublished rows; returns how many were published.

        Three round trips to PostgreSQL: ``BEGIN``; the turn and the rows; the mark and the
        ``COMMIT``. The transaction is begun and ended by hand for that last one (a failure
        rolls it back, as ``conn.transaction()`` would)."""
        async with self._pool.acquire() as conn:
            await conn.execute("BEGIN")
            try:
                rows = await self._publish_rows(cast(asyncpg.Connection, conn))
            except BaseException:
                with contextlib.suppress(Exception):  # a broken connection rolls back itself
                    await conn.execute("ROLLBACK")
                raise
        if self._metrics is not None and rows:
            _count_published(self._metrics, rows)
        return len(rows)

    async def _publish_rows(self, conn: asyncpg.Connection) -> list[asyncpg.Record]:
        """In the open transaction: take the turn and the rows, publish, mark, commit."""
        rows: list[asyncpg.Record] = await conn.fetch(TAKE_TURN_AND_ROWS, self._batch)
        if rows:
            if self._publish_many is None:
                await asyncio.gather(*(self._publish_row(row) for row in rows))
            else:
                with contextlib.ExitStack() as spans:
                    await self._publish_many([_outgoing(row, spans) for row in rows])
            positions = ",".join(str(int(row["position"])) for row in rows)
            await conn.execute(MARK_PUBLISHED_AND_COMMIT.format(positions=positions))
        else:
            await conn.execute("COMMIT")
        return rows

    async def _publish_row(self, row: asyncpg.Record) -> None:
        subject: str = row["subject"]
        headers: dict[str, str] = from_json(row["headers"])
        if TRACE_HEADER not in headers:
            await self._publish(subject, bytes(row["body"]), headers, row["stream"])
            return
        with tracer().start_as_current_span(
            f"{subject_label(subject)} publish",
            context=extract(headers),
            kind=SpanKind.PRODUCER,
            attributes=_span_attributes(subject, headers),
        ):
            await self._publish(subject, bytes(row["body"]), inject(headers), row["stream"])


def _outgoing(row: asyncpg.Record, spans: contextlib.ExitStack) -> Outgoing:
    """The row as sent; if it carries a trace context, with its publish span's instead (the
    span ends when ``spans`` closes, after the batch's acknowledgements)."""
    subject: str = row["subject"]
    headers: dict[str, str] = from_json(row["headers"])
    if TRACE_HEADER in headers:
        spans.enter_context(  # current until the batch ends; its parent is the row's
            tracer().start_as_current_span(
                f"{subject_label(subject)} publish",
                context=extract(headers),
                kind=SpanKind.PRODUCER,
                attributes=_span_attributes(subject, headers),
            )
        )
        headers = inject(headers)
    return Outgoing(subject, bytes(row["body"]), headers, row["stream"])


def _count_published(metrics: ServiceMetrics, rows: Sequence[asyncpg.Record]) -> None:
    """The published counter, moved once per subject label rather than once per row."""
    labels = Counter(subject_label(row["subject"]) for row in rows)
    for label, count in labels.items():
        metrics.events_published.labels(label).inc(count)


def _span_attributes(subject: str, headers: dict[str, str]) -> dict[str, str]:
    return {
        "messaging.system": "nats",
        "messaging.operation.type": "send",
        "messaging.destination.name": subject_label(subject),
        "messaging.message.id": headers.get(MSG_ID_HEADER, ""),
    }
