"""Partner intake: core NATS request/reply on ``dorp.<region>.partner.<partner_id>.<event>``.

The body is handled as raw bytes, so a malformed payload becomes a rejection reply instead
of an error. Every message gets a ``PartnerReply``.

Throughput: a plain nats-py subscription (not a FastStream subscriber, whose per-message
pipeline alone allows fewer requests per second than the target, see docs/benchmarks.md)
only queues each message in a *lane* and takes the next one, in arrival order. A member's
messages always go to the same lane, so their order holds. A lane writes whatever queued up
meanwhile in one transaction (one commit, one disk flush, for many messages) and then replies
to each: a reply always means committed. Member registrations, requests and offers are
written through :class:`BatchUnitOfWork` (one statement per table for the whole batch);
organisations and partner commands each in a savepoint of their own. Either way a failing
message is undone alone.

The FastStream subscriber is still declared: it puts the channel in the AsyncAPI document
and serves the moments between the broker's start and the plain subscription's; it is
stopped as soon as the plain subscription runs. At shutdown the plain subscription is
drained and the lanes finish what they hold before the broker closes.

The savepoint path relies on what ``handle_partner_message`` does with its unit of work:
everything a message changes is in one ``async with uow`` block, or in a second one after
the first was rolled back (a rejected partner command).

Why not FastStream's ``max_workers``: measured here, its concurrent subscriber answers
fewer requests per second than the sequential one, and it would not keep a member's
messages in order (see docs/benchmarks.md).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import re
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Self, cast

import asyncpg
import structlog
from faststream._internal.endpoint.subscriber import SubscriberUsecase
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription
from opentelemetry.context import Context

from dorp_registration.adapters.batch import BATCHED_EVENTS, BatchUnitOfWork
from dorp_registration.adapters.uow import RegistrationPgUnitOfWork
from dorp_registration.handlers import PartnerMessage, handle_partner_message
from dorp_shared.commands import IDEMPOTENCY_HEADER
from dorp_shared.contracts.partner import MAX_PARTNER_PAYLOAD_BYTES, PartnerReply
from dorp_shared.contracts.subjects import partner_wildcard
from dorp_shared.observability import Carried, extract
from dorp_shared.observability.correlation import correlation_from
from dorp_shared.service import Runtime, raw_body
from dorp_shared.uow import PgUnitOfWork

log = structlog.get_logger(__name__)

UNAVAILABLE = PartnerReply(status="rejected", reason="temporarily_unavailable")
REPLY_HEADERS = {"content-type": "application/json"}
QUEUE = "registration"
INTAKE = "partner_intake"
"""Where the intake is kept in ``Runtime.extras``."""
EMPTY = Context()
LANES = 2
"""Transactions written at once; each holds a pool connection while it writes. Two: one
lane's statement runs in PostgreSQL while the other's use case runs here, and the messages
in flight split into fewer, larger batches than with four (each batch costs three round
trips, a commit and a relay wake-up however few messages it holds)."""
MAX_BATCH = 128
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
    ``Idempotency-Key`` header, if any, for partner events that run a command; the body's
    JSON object, if it is one (read once, here)."""
    *_, partner_id, event = subject.split(".")
    return PartnerMessage(
        subject=subject,
        partner_id=partner_id,
        event=event,
        body=body,
        idempotency_key=(headers or {}).get(IDEMPOTENCY_HEADER),
        data=_json_object(body),
    )


_PLAIN_ID = re.compile(r"[0-9a-f-]+")
_ACCEPTED_HEAD = b'{"status":"accepted","reason":null,"dorp_id":"'
_ACCEPTED_TAIL = {
    duplicate: f'","duplicate":{str(duplicate).lower()},"errors":[],"result":null}}'.encode()
    for duplicate in (False, True)
}


def reply_body(reply: PartnerReply) -> bytes:
    """The reply's JSON, as ``model_dump_json`` writes it; a plain acceptance (nearly every
    reply) is filled into bytes made once instead of being serialised field by field."""
    dorp_id = reply.dorp_id
    plain = (
        reply.status == "accepted"
        and reply.reason is None
        and not reply.errors
        and reply.result is None
        and dorp_id is not None
        and _PLAIN_ID.fullmatch(dorp_id) is not None  # nothing JSON would escape
    )
    if plain and dorp_id is not None:
        return _ACCEPTED_HEAD + dorp_id.encode() + _ACCEPTED_TAIL[reply.duplicate]
    return reply.model_dump_json().encode()


def ordering_key(message: PartnerMessage) -> str:
    """Messages about one member share a key: the partner and the member's external id
    (``member_external_id`` of a request or offer, ``external_id`` of a registration)."""
    data = message.data
    if data is None:
        return message.partner_id
    return f"{message.partner_id}/{data.get('member_external_id') or data.get('external_id')}"


def _json_object(body: bytes) -> dict[str, Any] | None:
    if len(body) > MAX_PARTNER_PAYLOAD_BYTES:
        return None
    try:
        data = json.loads(body)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def wire_partner_intake(runtime: Runtime) -> PartnerIntake:
    lanes = IntakeLanes(runtime)
    subscriber = runtime.broker.subscriber(
        partner_wildcard(runtime.region.id),
        queue=QUEUE,
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
        # Only until PartnerIntake.start replaces this subscriber (see the module docstring).
        raw = runtime.broker.context.get_local("message").raw_message
        # Held until replied: FastStream's graceful stop waits for the subscriber's lock.
        in_progress = contextlib.ExitStack()
        in_progress.enter_context(subscriber.lock)
        message = partner_message(raw.subject, body, raw.headers)
        await lanes.submit(message, raw.reply, Carried.now(), in_progress)

    intake = PartnerIntake(runtime, lanes, subscriber)
    runtime.extras[INTAKE] = intake
    return intake


class PartnerIntake:
    """The plain nats-py subscription of partner intake, feeding the lanes."""

    def __init__(
        self, runtime: Runtime, lanes: IntakeLanes, declared: SubscriberUsecase[Any]
    ) -> None:
        self._runtime = runtime
        self._lanes = lanes
        self._declared = declared
        self._subscription: Subscription | None = None

    async def start(self) -> None:
        """Subscribe (same subjects, same queue group), then stop FastStream's subscriber:
        at no moment does nobody listen."""
        connection = self._runtime.broker.connection
        self._subscription = await connection.subscribe(
            partner_wildcard(self._runtime.region.id), queue=QUEUE, cb=self._received
        )
        await self._declared.stop()

    async def stop(self) -> None:
        """Take no more messages; write and answer every message taken."""
        if self._subscription is not None:
            with contextlib.suppress(Exception):  # the connection may already be closing
                await self._subscription.drain()  # type: ignore[no-untyped-call]
            self._subscription = None
        await self._lanes.finished()

    async def _received(self, msg: Msg) -> None:
        headers = msg.headers
        carried = Carried(correlation_from(headers), extract(headers) if headers else EMPTY)
        message = partner_message(msg.subject, msg.data, headers)
        await self._lanes.submit(message, msg.reply, carried)


@dataclass
class _Queued:
    message: PartnerMessage
    reply_to: str
    received_at: datetime
    carried: Carried
    """The message's correlation id and trace context: the lane writes in another task."""
    in_progress: contextlib.ExitStack | None


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
        self._held: list[_HeldConnection] = []
        self._unanswered = 0
        self._all_answered = asyncio.Event()
        self._all_answered.set()

    async def submit(
        self,
        message: PartnerMessage,
        reply_to: str,
        carried: Carried,
        in_progress: contextlib.ExitStack | None = None,
    ) -> None:
        """Queue the message in its lane (waiting for room if too many are queued)."""
        room = self._room or self._start()
        await room.acquire()
        lane = zlib.crc32(ordering_key(message).encode()) % self._lanes
        queued = _Queued(message, reply_to, datetime.now(UTC), carried, in_progress)
        self._unanswered += 1
        self._all_answered.clear()
        self._queues[lane].put_nowait(queued)

    async def finished(self) -> None:
        """Wait until every queued message is written and answered, then give the lanes'
        connections back to the pool (which waits for them when it closes)."""
        await self._all_answered.wait()
        for held in self._held:
            await held.release()

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
        held = _HeldConnection(self._runtime.pool)
        self._held.append(held)
        while True:
            batch = [await queue.get()]
            while len(batch) < self._max_batch and not queue.empty():
                batch.append(queue.get_nowait())
            try:
                replies = await self._write(batch, held)
            except Exception as exc:  # never leave a partner waiting for a timeout
                log.error("partner.lane_failed", error=type(exc).__name__, messages=len(batch))
                replies = [UNAVAILABLE] * len(batch)
            await self._reply(batch, replies)

    async def _write(self, batch: list[_Queued], held: _HeldConnection) -> list[PartnerReply]:
        """Runs of batched events one transaction each; the others as few transactions as
        their locks allow; the replies, in the batch's order."""
        replies: list[PartnerReply] = []
        while len(replies) < len(batch):
            rest = batch[len(replies) :]
            batched = list(itertools.takewhile(_batched, rest))
            if batched:
                replies += await self._write_batched(batched, held)
            else:
                await held.release()  # the savepoint path takes its own
                others = list(itertools.takewhile(lambda queued: not _batched(queued), rest))
                replies += await self._write_prefix(others)
        return replies

    async def _write_batched(
        self, batch: list[_Queued], held: _HeldConnection
    ) -> list[PartnerReply]:
        """One read per table, the use case per message in memory, one statement that writes
        it all. If the write fails (a row another replica stored meanwhile, a lost
        connection), nothing was written, and the messages go through the savepoint path."""
        runtime = self._runtime
        uow = runtime.uow(BatchUnitOfWork)
        try:
            connection = await held.connection()
            sent = [(q.message.partner_id, q.message.event, q.message.data) for q in batch]
            await uow.read(connection, runtime.region, sent)
            replies = [await _handle_kept(uow, runtime, queued) for queued in batch]
            await uow.flush(connection)
        except Exception as exc:
            log.warning("partner.batch_rewritten", error=type(exc).__name__, messages=len(batch))
            await held.release()
            replies = []
            while len(replies) < len(batch):
                replies += await self._write_prefix(batch[len(replies) :])
            return replies
        uow.committed()
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
                    body = reply_body(reply)
                    await connection.publish(queued.reply_to, body, headers=REPLY_HEADERS)
            except Exception as exc:  # the partner times out and retries: nothing is lost
                log.warning("partner.reply_failed", error=type(exc).__name__)
            finally:
                if queued.in_progress is not None:
                    queued.in_progress.close()
                if self._room is not None:
                    self._room.release()
                self._unanswered -= 1
        if not self._unanswered:
            self._all_answered.set()


async def _handle(uow: RegistrationPgUnitOfWork, runtime: Runtime, queued: _Queued) -> PartnerReply:
    # The subject is not bound for the logs: the lines logged here name it themselves.
    with queued.carried.restored():
        return await handle_partner_message(uow, runtime.region, queued.message, queued.received_at)


class _HeldConnection:
    """A lane's pool connection, kept from batch to batch: giving it back costs a round
    trip (the pool resets it)."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool
        self._held: asyncpg.pool.PoolConnectionProxy | None = None

    async def connection(self) -> asyncpg.Connection:
        if self._held is None:
            self._held = await self._pool.acquire()
        return cast(asyncpg.Connection, self._held)

    async def release(self) -> None:
        held, self._held = self._held, None
        if held is not None:
            await self._pool.release(held)


async def _handle_kept(uow: BatchUnitOfWork, runtime: Runtime, queued: _Queued) -> PartnerReply:
    """The use case with its changes kept in memory; a message that fails is forgotten alone."""
    try:
        return await _handle(cast(RegistrationPgUnitOfWork, uow), runtime, queued)
    except Exception as exc:
        return _unavailable(queued, exc)


def _batched(queued: _Queued) -> bool:
    return queued.message.event in BATCHED_EVENTS


def _unavailable(queued: _Queued, exc: Exception) -> PartnerReply:
    """The partner may retry; it must not wait for a timeout."""
    log.error("partner.failed", error=type(exc).__name__, subject=queued.message.subject)
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
