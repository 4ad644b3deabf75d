"""Partner intake: core NATS request/reply on ``dorp.<region>.partner.<partner_id>.<event>``.

The body reaches the handler as raw bytes (no FastStream decoding), so a malformed payload
becomes a rejection reply instead of an error. Every message gets a ``PartnerReply``.

Throughput: the subscriber only queues each message in a *lane* and takes the next one, in
arrival order. A member's messages always go to the same lane, so their order holds. A lane
writes whatever queued up meanwhile in one transaction (one commit, one disk flush, for many
messages), each message in a savepoint of its own so that a failing one is undone alone, and
then replies to each: a reply always means committed. Queued messages count as in progress
for FastStream's graceful shutdown, which waits for them before it unsubscribes.

This relies on what ``handle_partner_message`` does with its unit of work: everything a
message changes is in one ``async with uow`` block, or in a second one after the first was
rolled back (a rejected partner command).

Why not FastStream's ``max_workers``: measured here, its concurrent subscriber answers
fewer requests per second than the sequential one, and it would not keep a member's
messages in order (see docs/benchmarks.md).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType
from typing import Self, cast

import asyncpg
import structlog

from dorp_registration.adapters.uow import RegistrationPgUnitOfWork
from dorp_registration.handlers import PartnerMessage, handle_partner_message
from dorp_shared.commands import IDEMPOTENCY_HEADER
from dorp_shared.contracts.partner import MAX_PARTNER_PAYLOAD_BYTES, PartnerReply
from dorp_shared.contracts.subjects import partner_wildcard
from dorp_shared.observability import Carried
from dorp_shared.service import Runtime, raw_body
from dorp_shared.uow import PgUnitOfWork

log = structlog.get_logger(__name__)

UNAVAILABLE = PartnerReply(status="rejected", reason="temporarily_unavailable")
REPLY_HEADERS = {"content-type": "application/json"}
LANES = 4
"""Transactions written at once; each holds a pool connection while it writes."""
MAX_BATCH = 64
"""Messages at most in one transaction: bounds how long a reply waits for its commit."""
MAX_QUEUED = 1024
"""Messages queued at most; beyond, the subscriber waits (and NATS buffers) for room."""
LOCK_WAIT_MS = 200
"""How long a message (not the first) of a shared transaction waits for another lane's lock."""
LOCK_CONFLICTS = (asyncpg.LockNotAvailableError, asyncpg.DeadlockDetectedError)


def partner_message(
    subject: str, body: bytes, headers: Mapping[str, str] | None = None
) -> PartnerMessage:
    """``dorp.<region>.partner.<partner_id>.<event>`` → partner id and event name; the
    ``Idempotency-Key`` header, if any, for partner events that run a command."""
    *_, partner_id, event = subject.split(".")
    return PartnerMessage(
        subject=subject,
        partner_id=partner_id,
        event=event,
        body=body,
        idempotency_key=(headers or {}).get(IDEMPOTENCY_HEADER),
    )


def ordering_key(message: PartnerMessage) -> str:
    """Messages about one member share a key: the partner and the member's external id
    (``member_external_id`` of a request or offer, ``external_id`` of a registration)."""
    if len(message.body) > MAX_PARTNER_PAYLOAD_BYTES:
        return message.partner_id
    try:
        data = json.loads(message.body)
    except ValueError:
        return message.partner_id
    if not isinstance(data, dict):
        return message.partner_id
    member = data.get("member_external_id") or data.get("external_id")
    return f"{message.partner_id}/{member}"


def wire_partner_intake(runtime: Runtime) -> None:
    lanes = IntakeLanes(runtime)
    subscriber = runtime.broker.subscriber(
        partner_wildcard(runtime.region.id),
        queue="registration",
        decoder=raw_body,
        no_reply=True,  # the lane replies once the message is committed
        title="registration: partner intake",
        description=(
            "Partner systems register members, help requests and offers and organisations, "
            "and send the partner commands (attendance, sessions, sign-ups) with the API's body."
        ),
    )

    @subscriber
    async def partner_intake(body: bytes) -> None:
        # From the context, not a ``NatsMessage`` parameter: FastStream resolves such a
        # parameter in a worker thread, a thread switch per message.
        raw = runtime.broker.context.get_local("message").raw_message
        # Held until replied: FastStream's graceful stop waits for the subscriber's lock.
        in_progress = contextlib.ExitStack()
        in_progress.enter_context(subscriber.lock)
        message = partner_message(raw.subject, body, raw.headers)
        await lanes.submit(message, raw.reply, in_progress)


@dataclass
class _Queued:
    message: PartnerMessage
    reply_to: str
    received_at: datetime
    in_progress: contextlib.ExitStack
    carried: Carried
    """The message's correlation id and trace context: the lane writes in another task."""


class IntakeLanes:
    """Ordered lanes of partner messages, each written a batch per transaction."""

    def __init__(
        self,
        runtime: Runtime,
        lanes: int = LANES,
        max_batch: int = MAX_BATCH,
        max_queued: int = MAX_QUEUED,
    ) -> None:
        self._runtime = runtime
        self._lanes = lanes
        self._max_batch = max_batch
        self._max_queued = max_queued
        self._queues: list[asyncio.Queue[_Queued]] = []
        self._room: asyncio.Semaphore | None = None
        self._writers: list[asyncio.Task[None]] = []

    async def submit(
        self, message: PartnerMessage, reply_to: str, in_progress: contextlib.ExitStack
    ) -> None:
        """Queue the message in its lane (waiting for room if too many are queued)."""
        room = self._room or self._start()
        await room.acquire()
        lane = zlib.crc32(ordering_key(message).encode()) % self._lanes
        queued = _Queued(message, reply_to, datetime.now(UTC), in_progress, Carried.now())
        self._queues[lane].put_nowait(queued)

    def _start(self) -> asyncio.Semaphore:
        """Started on the first message, in the service's event loop; the writers hold
        nothing between batches, so the loop's end may simply cancel them."""
        self._room = asyncio.Semaphore(self._max_queued)
        self._queues = [asyncio.Queue() for _ in range(self._lanes)]
        self._writers = [
            asyncio.create_task(self._write_lane(queue), name=f"partner-lane-{index}")
            for index, queue in enumerate(self._queues)
        ]
        return self._room

    async def _write_lane(self, queue: asyncio.Queue[_Queued]) -> None:
        while True:
            batch = [await queue.get()]
            while len(batch) < self._max_batch and not queue.empty():
                batch.append(queue.get_nowait())
            try:
                replies = await self._write(batch)
            except Exception as exc:  # never leave a partner waiting for a timeout
                log.error("partner.lane_failed", error=type(exc).__name__, messages=len(batch))
                replies = [UNAVAILABLE] * len(batch)
            await self._reply(batch, replies)

    async def _write(self, batch: list[_Queued]) -> list[PartnerReply]:
        """As few transactions as the batch allows; the replies, in the batch's order."""
        replies: list[PartnerReply] = []
        while len(replies) < len(batch):
            replies += await self._write_prefix(batch[len(replies) :])
        return replies

    async def _write_prefix(self, batch: list[_Queued]) -> list[PartnerReply]:
        """Write messages from the start of ``batch`` in one transaction, each in a savepoint
        of its own, until one would wait long for a lock another lane holds (a shared row
        such as a rejection count): the transaction then commits what came before, and that
        message starts the next one, so order holds and lanes never deadlock. If the
        transaction itself fails (say, at commit), its messages go one transaction each."""
        if len(batch) == 1:
            return [await self._write_one(batch[0])]
        runtime = self._runtime
        uow = runtime.uow(_SharedTransactionUnitOfWork)
        replies: list[PartnerReply] = []
        try:
            async with runtime.pool.acquire() as conn, conn.transaction():
                uow.join(cast(asyncpg.Connection, conn))  # a pool proxy of one
                for queued in batch:
                    if len(replies) == 1:  # the first waits as long as it must: it holds nothing
                        await conn.execute(f"SET LOCAL lock_timeout = '{LOCK_WAIT_MS}ms'")
                    try:
                        replies.append(await _handle(uow, runtime, queued))
                    except LOCK_CONFLICTS:
                        if not replies:
                            raise
                        break
                    except Exception as exc:
                        replies.append(_unavailable(queued, exc))
        except Exception as exc:
            log.warning("partner.batch_retried_singly", error=type(exc).__name__)
            return [await self._write_one(queued) for queued in batch]
        uow.committed()
        return replies

    async def _write_one(self, queued: _Queued) -> PartnerReply:
        runtime = self._runtime
        try:
            return await _handle(runtime.uow(RegistrationPgUnitOfWork), runtime, queued)
        except Exception as exc:
            return _unavailable(queued, exc)

    async def _reply(self, batch: list[_Queued], replies: list[PartnerReply]) -> None:
        connection = self._runtime.broker.connection
        for queued, reply in zip(batch, replies, strict=True):
            try:
                if queued.reply_to:
                    body = reply.model_dump_json().encode()
                    await connection.publish(queued.reply_to, body, headers=REPLY_HEADERS)
            except Exception as exc:  # the partner times out and retries: nothing is lost
                log.warning("partner.reply_failed", error=type(exc).__name__)
            finally:
                queued.in_progress.close()
                if self._room is not None:
                    self._room.release()


async def _handle(uow: RegistrationPgUnitOfWork, runtime: Runtime, queued: _Queued) -> PartnerReply:
    message = queued.message
    with (
        queued.carried.restored(),
        structlog.contextvars.bound_contextvars(subject=message.subject),
    ):
        return await handle_partner_message(uow, runtime.region, message, queued.received_at)


def _unavailable(queued: _Queued, exc: Exception) -> PartnerReply:
    """The partner may retry; it must not wait for a timeout."""
    log.error("partner.failed", error=type(exc).__name__, partner_event=queued.message.event)
    return UNAVAILABLE


class _JoinedTransaction(PgUnitOfWork):
    """A unit of work inside a transaction its caller began and will commit: each
    ``async with`` is a savepoint, so a block that raises is undone on its own (as a unit of
    work of its own would be) and the others' work stays. Lets many messages share one
    commit."""

    _joined: asyncpg.Connection | None = None

    def join(self, conn: asyncpg.Connection) -> None:
        self._joined = conn

    async def __aenter__(self) -> Self:
        if self._joined is None:
            raise RuntimeError("join a connection in a transaction first")
        self.conn = self._joined
        self._tx = self.conn.transaction()  # inside a transaction: a savepoint
        await self._tx.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            await self._tx.commit()
        else:
            await self._tx.rollback()

    def committed(self) -> None:
        """Call after the caller's commit: wakes the outbox relay if events were queued."""
        if self._emitted:
            self._on_commit()


class _SharedTransactionUnitOfWork(RegistrationPgUnitOfWork, _JoinedTransaction):
    """Registration's repositories on a joined transaction (``RegistrationPgUnitOfWork``
    binds them after ``super().__aenter__()``, which here is the joined one)."""
