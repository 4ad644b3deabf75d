"""Unit of work: state change, inbox mark and outbox rows in one transaction.

Handlers depend on the :class:`UnitOfWork` protocol; services extend
:class:`PgUnitOfWork` with their repositories, and unit tests extend
:class:`FakeUnitOfWork`.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Sequence
from types import TracebackType
from typing import Any, ClassVar, NamedTuple, Protocol, Self, cast

import asyncpg

from dorp_shared.contracts.envelope import Envelope, Event, wrap
from dorp_shared.contracts.subjects import payload_subject, stream_name
from dorp_shared.observability.correlation import current_correlation_id
from dorp_shared.observability.tracing import inject


class UnitOfWork(Protocol):
    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    async def first_time(self, consumer: str, event_id: uuid.UUID) -> bool:
        """Record an event in the inbox; False if this consumer handled it before."""
        ...

    async def emit(
        self,
        payload: Event,
        *,
        cause: Envelope[Any] | None = None,
        event_id: uuid.UUID | None = None,
    ) -> Envelope[Any]:
        """Queue an event for publishing once this unit of work commits."""
        ...


class _EnvelopeFactory:
    """Envelopes that inherit their correlation id from the event that caused them, or else
    from the message or command being handled (:mod:`dorp_shared.observability.correlation`)."""

    def __init__(self, region: str, source: str) -> None:
        self.region = region
        self.source = source

    def envelope(
        self, payload: Event, cause: Envelope[Any] | None, event_id: uuid.UUID | None
    ) -> Envelope[Any]:
        return wrap(
            payload,
            region=self.region,
            source=self.source,
            correlation_id=cause.correlation_id if cause else current_correlation_id(),
            causation_id=cause.event_id if cause else None,
            event_id=event_id,
        )


class PgUnitOfWork(_EnvelopeFactory):
    """One asyncpg transaction; ``conn`` is for the service's repositories."""

    conn: asyncpg.Connection
    hold_outbox: ClassVar[bool] = False
    """Opt-in: keep the messages queued for the relay and write them in one statement just
    before the commit (a unit of work that emits many events pays one insert)."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        *,
        region: str,
        source: str,
        on_commit: Callable[[], None] = lambda: None,
    ) -> None:
        super().__init__(region, source)
        self._pool = pool
        self._on_commit = on_commit
        self._emitted = 0
        self._held: list[OutboxRow] = []

    async def __aenter__(self) -> Self:
        self._proxy = await self._pool.acquire()
        self.conn = cast(asyncpg.Connection, self._proxy)
        self._tx = self.conn.transaction()
        try:
            await self._tx.start()
        except BaseException:  # cancelled or failed here, __aexit__ never runs: release
            await self._pool.release(self._proxy)
            raise
        self._held = []
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if exc_type is None:
                try:
                    if self._held:
                        await self.conn.execute(outbox_insert(1), *outbox_columns(self._held))
                except BaseException:
                    await self._tx.rollback()
                    raise
                await self._tx.commit()
            else:
                await self._tx.rollback()
        finally:
            await self._pool.release(self._proxy)
        if exc_type is None and self._emitted:
            self._on_commit()

    async def first_time(self, consumer: str, event_id: uuid.UUID) -> bool:
        inserted = await self.conn.fetchval(
            "INSERT INTO inbox (consumer, event_id) VALUES ($1, $2)"
            " ON CONFLICT DO NOTHING RETURNING true",
            consumer,
            event_id,
        )
        return bool(inserted)

    async def first_times(self, consumer: str, event_ids: list[uuid.UUID]) -> set[uuid.UUID]:
        """``first_time`` for many events in one statement: the ids not handled before."""
        rows = await self.conn.fetch(
            "INSERT INTO inbox (consumer, event_id) SELECT $1, unnest($2::uuid[])"
            " ON CONFLICT DO NOTHING RETURNING event_id",
            consumer,
            event_ids,
        )
        return {row["event_id"] for row in rows}

    async def emit(
        self,
        payload: Event,
        *,
        cause: Envelope[Any] | None = None,
        event_id: uuid.UUID | None = None,
    ) -> Envelope[Any]:
        envelope = self.envelope(payload, cause, event_id)
        await self.enqueue(
            payload_subject(self.region, payload),
            stream_name(self.region, payload.area),
            inject(envelope.headers()),  # the relay's publish span continues this trace
            envelope.model_dump_json().encode(),
            message_id=envelope.event_id,
        )
        return envelope

    async def claim_key(
        self, key: str, command: str, request_hash: str
    ) -> tuple[str, str, str | None] | None:
        """Claim an idempotency key in this transaction; a concurrent claim of the same key
        waits for this one to commit or roll back. Returns what an earlier claim stored."""
        inserted = await self.conn.fetchval(
            "INSERT INTO idempotency (key, command, request_hash) VALUES ($1, $2, $3)"
            " ON CONFLICT DO NOTHING RETURNING true",
            key,
            command,
            request_hash,
        )
        if inserted:
            return None
        row = await self.conn.fetchrow(
            "SELECT command, request_hash, result::text AS result FROM idempotency WHERE key = $1",
            key,
        )
        if row is None:  # the earlier claim was rolled back between the two statements
            return await self.claim_key(key, command, request_hash)
        return row["command"], row["request_hash"], row["result"]

    async def store_result(self, key: str, result_json: str) -> None:
        await self.conn.execute(
            "UPDATE idempotency SET result = $2::jsonb WHERE key = $1", key, result_json
        )

    async def enqueue(
        self,
        subject: str,
        stream: str,
        headers: dict[str, str],
        body: bytes,
        *,
        message_id: uuid.UUID,
    ) -> None:
        """Queue any message (an event, a dead letter) for the relay, in this transaction."""
        if self.hold_outbox:
            self._held.append(OutboxRow(message_id, subject, stream, headers, body))
            self._emitted += 1
            return
        await self.conn.execute(
            "INSERT INTO outbox (event_id, subject, stream, headers, body)"
            " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (event_id) DO NOTHING",
            message_id,
            subject,
            stream,
            json.dumps(headers),
            body,
        )
        self._emitted += 1


class OutboxRow(NamedTuple):
    """A message queued for the relay: what :meth:`PgUnitOfWork.enqueue` stores."""

    message_id: uuid.UUID
    subject: str
    stream: str
    headers: dict[str, str]
    body: bytes


def outbox_insert(first: int) -> str:
    """The insert of outbox rows given as five arrays, parameters ``$first`` onwards (see
    :func:`outbox_columns`), in their order; for use inside a larger statement too."""
    kinds = ("uuid", "text", "text", "jsonb", "bytea")
    arrays = ", ".join(f"${first + n}::{kind}[]" for n, kind in enumerate(kinds))
    return (
        "INSERT INTO outbox (event_id, subject, stream, headers, body)"
        f" SELECT event_id, subject, stream, headers, body FROM unnest({arrays}) WITH ORDINALITY"
        " AS queued (event_id, subject, stream, headers, body, n)"
        " ORDER BY n ON CONFLICT (event_id) DO NOTHING"
    )


def outbox_columns(rows: Sequence[OutboxRow]) -> list[list[Any]]:
    """The five arrays :func:`outbox_insert` takes."""
    return [
        [row.message_id for row in rows],
        [row.subject for row in rows],
        [row.stream for row in rows],
        [json.dumps(row.headers) for row in rows],
        [row.body for row in rows],
    ]


class FakeUnitOfWork(_EnvelopeFactory):
    """In-memory stand-in for unit tests: records commits, inbox and emitted events."""

    def __init__(self, *, region: str = "testregion", source: str = "test") -> None:
        super().__init__(region, source)
        self.inbox: set[tuple[str, uuid.UUID]] = set()
        self.emitted: list[Envelope[Any]] = []
        self._pending: list[Envelope[Any]] = []
        self.commits = 0
        self.keys: dict[str, tuple[str, str, str | None]] = {}
        self._pending_keys: dict[str, tuple[str, str, str | None]] = {}

    async def __aenter__(self) -> Self:
        self._pending = []
        self._pending_keys = {}
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.emitted.extend(self._pending)
            self.keys.update(self._pending_keys)
            self.commits += 1
        self._pending = []
        self._pending_keys = {}

    async def first_time(self, consumer: str, event_id: uuid.UUID) -> bool:
        if (consumer, event_id) in self.inbox:
            return False
        self.inbox.add((consumer, event_id))
        return True

    async def emit(
        self,
        payload: Event,
        *,
        cause: Envelope[Any] | None = None,
        event_id: uuid.UUID | None = None,
    ) -> Envelope[Any]:
        envelope = self.envelope(payload, cause, event_id)
        self._pending.append(envelope)
        return envelope

    async def claim_key(
        self, key: str, command: str, request_hash: str
    ) -> tuple[str, str, str | None] | None:
        if key in self.keys:
            return self.keys[key]
        self._pending_keys[key] = (command, request_hash, None)
        return None

    async def store_result(self, key: str, result_json: str) -> None:
        command, digest, _ = self._pending_keys[key]
        self._pending_keys[key] = (command, digest, result_json)
