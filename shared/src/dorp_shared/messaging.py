"""NATS plumbing shared by every service: connection check, streams, durable consumers,
acknowledged publishing, and the delivery guard that bounds redeliveries.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
import weakref
from collections.abc import Awaitable, Callable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NamedTuple, cast

import nats
import structlog
from faststream import AckPolicy
from faststream._internal.middlewares import BaseMiddleware
from faststream.message import StreamMessage
from faststream.nats import (
    ConsumerConfig,
    DeliverPolicy,
    JStream,
    NatsBroker,
    NatsMessage,
    PullSub,
)
from faststream.nats.subscriber.usecases.basic import LogicSubscriber
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.errors import Error as NatsError
from nats.js import JetStreamContext
from nats.js.errors import BadRequestError, NotFoundError
from opentelemetry import trace
from opentelemetry.trace import SpanKind, Status, StatusCode
from pydantic import ValidationError

from dorp_shared import db
from dorp_shared.contracts.deadletter import DeadLetter
from dorp_shared.contracts.envelope import (
    EVENT_TYPE_HEADER,
    MSG_ID_HEADER,
    SCHEMA_VERSION_HEADER,
    Event,
)
from dorp_shared.contracts.partner import FieldError
from dorp_shared.contracts.subjects import (
    area_events,
    deadletter_subject,
    region_streams,
    stream_name,
)
from dorp_shared.errors import InfrastructureUnavailable, NotReadyYet, PermanentFailure
from dorp_shared.observability import (
    ServiceMetrics,
    attached,
    correlation_from,
    correlation_scope,
    extract,
    inject,
    subject_label,
    tracer,
)
from dorp_shared.prompt_fetch import fetch_promptly
from dorp_shared.validation import field_errors

log = structlog.get_logger(__name__)

ACK_WAIT_SECONDS = 30.0
OUTAGE_PATIENCE_SECONDS = 300.0
"""How long a consumer waits for the database with a message in hand before it counts the
attempt as failed (and so, after ``max_deliver`` attempts, dead-letters it)."""
NOT_READY_PATIENCE_SECONDS = 600.0
"""How long an event still waiting for another (``NotReadyYet``) on its last delivery is
held in place, tried again now and then, before it is dead-lettered. Its retries span about
a minute and a half; a consumer catching up on a backlog after a restart can need minutes
(found by the fault test at 20,000 events: notifications dead-lettered proposals whose
members its other consumer had not reached yet)."""


async def connect_nats(url: str, *, name: str = "dorp") -> Client:
    """Connect once, failing fast with a message that names the URL tried."""

    async def quiet(_error: Exception) -> None:
        """The failure is raised below as one clear error; no retry log spam."""

    try:
        return await nats.connect(
            url,
            name=name,
            connect_timeout=3,
            allow_reconnect=False,
            max_reconnect_attempts=1,
            reconnect_time_wait=0.2,
            error_cb=quiet,
        )
    except (OSError, NatsError, TimeoutError) as exc:
        reason = str(exc) or type(exc).__name__
        raise InfrastructureUnavailable(f"cannot reach NATS at {url}: {reason}") from exc


async def ensure_streams(js: JetStreamContext, region: str, replicas: int = 1) -> None:
    """Declare the region's streams; this is the only place streams are declared."""
    for config in region_streams(region, replicas):
        try:
            await js.add_stream(config)
        except BadRequestError:
            await js.update_stream(config)


async def declare_region(url: str, region: str, replicas: int = 1) -> None:
    """Check that NATS answers with JetStream, and declare the region's streams
    (``replicas``: 3 on a production cluster, see ``DORP_STREAM_REPLICAS``)."""
    nc = await connect_nats(url, name=f"dorp-{region}-setup")
    try:
        try:
            await ensure_streams(nc.jetstream(), region, replicas)
        except (NatsError, TimeoutError) as exc:
            raise InfrastructureUnavailable(
                f"NATS at {url} answered but JetStream did not ({exc}); start it with -js"
            ) from exc
    finally:
        await nc.close()


class Outgoing(NamedTuple):
    """One message for :meth:`JetStreamPublisher.many`."""

    subject: str
    body: bytes
    headers: dict[str, str]
    stream: str


class JetStreamPublisher:
    """Publishes and waits for the stream's acknowledgement; the event id is the msg id."""

    def __init__(self, nc: Client, timeout: float = 5.0) -> None:
        self._nc = nc
        self._js = nc.jetstream()
        self._timeout = timeout

    async def __call__(
        self, subject: str, body: bytes, headers: dict[str, str], stream: str
    ) -> None:
        await self._js.publish(subject, body, timeout=self._timeout, stream=stream, headers=headers)

    async def many(self, messages: Sequence[Outgoing]) -> None:
        """Publish every message, then await all their acknowledgements together (one
        timeout for the lot): a batch costs one round trip and no future or timer per
        message. Raises if any is not acknowledged by its stream; the messages are sent in
        order, so a stream stores them in order."""
        if not messages:
            return
        inbox = self._nc.new_inbox()
        acks: dict[int, bytes] = {}
        all_acked = asyncio.Event()

        async def acknowledged(msg: Msg) -> None:
            acks[int(msg.subject.rpartition(".")[2])] = msg.data
            if len(acks) == len(messages):
                all_acked.set()

        async with asyncio.timeout(self._timeout):  # also bounds a publish waiting for room
            subscription = await self._nc.subscribe(f"{inbox}.*", cb=acknowledged)
            try:
                for n, message in enumerate(messages):
                    await self._nc.publish(
                        message.subject,
                        message.body,
                        reply=f"{inbox}.{n}",
                        headers=message.headers,
                    )
                await all_acked.wait()
            finally:
                await subscription.unsubscribe()
        for n, message in enumerate(messages):
            _check_ack(message, acks[n])


def _check_ack(message: Outgoing, ack: bytes) -> None:
    """An acknowledgement is JSON naming the stream that stored the message, or an error
    (no stream for the subject is a 503 "no responders" status without a body)."""
    try:
        answer = json.loads(ack) if ack else {}
    except ValueError:
        answer = {}
    stored_in = answer.get("stream") if isinstance(answer, dict) else None
    if stored_in != message.stream:
        raise NatsError(f"{message.subject}: not stored in {message.stream} ({ack[:200]!r})")


@dataclass(frozen=True)
class Order:
    """Where a message stands among the others taken with it: it runs after every earlier
    message holding one of its ``keys`` or ``after`` keys, and later messages with one of
    its ``keys`` wait for it (``after``: it only reads what those write). No ``keys``: in
    order with every message, before and after it."""

    keys: tuple[str, ...] = ()
    after: tuple[str, ...] = ()


EVERYTHING = Order()
OrderKeys = Callable[[Msg], Order]
"""The order of a raw message (see :class:`Order`)."""


@dataclass(frozen=True)
class Turn:
    keys: tuple[str, ...]
    waits_for: tuple[asyncio.Future[None], ...]
    done: asyncio.Future[None]


class InOrder:
    """Ordered concurrency for one subscriber: a message runs after the earlier messages
    that share one of its keys, in the order they were taken; others run meanwhile.

    Each message takes its turn when its delivery guard is built, which FastStream does in
    the first step of the message's task, and the tasks of a fetched batch start in fetch
    order (stream order): so the turns follow the stream. A turn ends when the guard exits,
    whatever happened (handled, failed, no handler)."""

    def __init__(self, keys: OrderKeys) -> None:
        self._keys = keys
        self._last: dict[str, asyncio.Future[None]] = {}
        self._barrier: asyncio.Future[None] | None = None
        self._running: set[asyncio.Future[None]] = set()

    def take_turn(self, msg: Msg) -> Turn:
        order = self._keys(msg)
        keys = order.keys
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        if keys:
            earlier = [self._last[key] for key in (*keys, *order.after) if key in self._last]
            if self._barrier is not None:
                earlier.append(self._barrier)
            for key in keys:
                self._last[key] = done
        else:  # in order with everything
            earlier = list(self._running)
            self._last.clear()
            self._barrier = done
        self._running.add(done)
        return Turn(keys, tuple(dict.fromkeys(earlier)), done)

    def end_turn(self, turn: Turn) -> None:
        if not turn.done.done():
            turn.done.set_result(None)
        self._running.discard(turn.done)
        for key in turn.keys:
            if self._last.get(key) is turn.done:
                del self._last[key]
        if self._barrier is turn.done:
            self._barrier = None


_ORDERED: weakref.WeakKeyDictionary[Any, InOrder] = weakref.WeakKeyDictionary()
"""Subscribers with ordered concurrency, for their messages' guards."""
_RELEASE: ContextVar[Callable[[], None] | None] = ContextVar("dorp_release_order", default=None)


def release_order() -> None:
    """End the running message's turn (:class:`InOrder`) before its handler returns: the
    messages waiting for it may start. For a handler that has put its message in a queue of
    its own that keeps the order from there (a batched intake); the message is still
    acknowledged only when the handler returns. Nothing happens without ordered concurrency.
    """
    release = _RELEASE.get()
    if release is not None:
        release()


def area_subscriber(
    broker: NatsBroker,
    *,
    region: str,
    service: str,
    area: str,
    max_deliver: int,
    batch_size: int = 1,
    order_keys: OrderKeys | None = None,
    prompt: bool = False,
) -> LogicSubscriber[Any]:
    """One durable pull consumer per (consuming service, publishing area).

    By default one consumer for all of an area's events, fetched one at a time, handles
    them in stream order (a member is registered before their request is handled).
    Opt-in ``batch_size`` above 1 with ``order_keys`` (e.g. the member id): a fetch takes
    up to that many messages and FastStream runs them concurrently, except that a message
    runs after the earlier ones that share a key with it (:class:`InOrder`); what messages
    without a shared key do at once must be safe for the handlers (locks in the database).
    A redelivery still comes later than its successors, so handlers also cope with
    out-of-order events (``NotReadyYet``). Handlers attach with ``filter=is_event(...)``.

    Opt-in ``prompt``: each fetch is one pull that waits for the first message and then
    takes only what is already waiting, never waiting for a batch to fill, and reads the
    messages without a task per message (:func:`dorp_shared.prompt_fetch.prompt_fetch`).
    """
    if batch_size > 1 and order_keys is None:
        raise ValueError("a batch size above 1 needs order_keys")
    subscriber = broker.subscriber(
        area_events(region, area),
        stream=JStream(stream_name(region, area), declare=False),
        durable=f"{service}-{area}",
        pull_sub=PullSub(batch_size=batch_size, timeout=1.0),
        ack_policy=AckPolicy.NACK_ON_ERROR,
        config=ConsumerConfig(
            max_deliver=max_deliver + 1,  # the guard dead-letters on the last one itself
            ack_wait=ACK_WAIT_SECONDS,
            deliver_policy=DeliverPolicy.ALL,
        ),
        title=f"{service}: {area} events",
    )
    if order_keys is not None:
        _ORDERED[subscriber] = InOrder(order_keys)
    if prompt:
        fetch_promptly(subscriber)
    return subscriber


def is_event(event: type[Event]) -> Callable[[StreamMessage[Any]], Awaitable[bool]]:
    """Filter for handlers on an area subscriber: this type, this schema version."""

    async def matches(msg: StreamMessage[Any]) -> bool:
        return msg.headers.get(EVENT_TYPE_HEADER) == event.event_type() and msg.headers.get(
            SCHEMA_VERSION_HEADER
        ) == str(event.version)

    return matches


def _deliveries(msg: StreamMessage[Any]) -> int | None:
    """How often JetStream delivered this message; None for a core NATS message."""
    raw = msg.raw_message
    reply = getattr(raw, "reply", "") or ""
    if not reply.startswith("$JS.ACK"):
        return None
    return int(raw.metadata.num_delivered)


ACK, RETRY, DEAD_LETTER = "ack", "retry", "dead_letter"


class DeliveryGuard:
    """Broker middleware: binds log context and the correlation id per message, retries
    transient failures with backoff, and sends what cannot succeed to the region's
    dead-letter subject. For events from durable consumers it also opens the consuming span
    (a child of the publisher's trace context) and counts outcome, latency and redeliveries.

    FastStream's NATS default would terminate a message on any exception; here a passing
    database hiccup is redelivered, and only the ``max_deliver``-th failure is final.
    """

    def __init__(
        self,
        *,
        region: str,
        service: str,
        max_deliver: int,
        publish: Callable[[str, bytes, dict[str, str], str], Awaitable[None]] | None = None,
        metrics: ServiceMetrics | None = None,
    ) -> None:
        self.region = region
        self.service = service
        self.max_deliver = max_deliver
        self.publish = publish
        self.metrics = metrics

    def __call__(self, msg: Any, /, *, context: Any) -> BaseMiddleware[Any, Any]:
        return _Guard(msg, context=context, guard=self)

    async def dead_letter(
        self,
        msg: StreamMessage[Any],
        reason: str,
        detail: str,
        deliveries: int,
        errors: tuple[FieldError, ...] = (),
    ) -> None:
        letter = DeadLetter(
            reason=reason,
            detail=detail,
            service=self.service,
            original_subject=msg.raw_message.subject,
            original_payload=msg.body.decode("utf-8", errors="replace"),
            deliveries=deliveries,
            errors=errors,
            failed_at=datetime.now(UTC),
        )
        original_id = msg.headers.get(MSG_ID_HEADER, "")
        headers = {MSG_ID_HEADER: f"{self.service}:{original_id or id(msg)}:dead"}
        log.warning("message.dead_lettered", reason=reason, detail=detail, deliveries=deliveries)
        if self.metrics is not None:
            self.metrics.dead_letters.labels(reason).inc()
        if self.publish is None:
            return
        await self.publish(
            deadletter_subject(self.region, self.service),
            letter.model_dump_json().encode(),
            inject(headers),
            stream_name(self.region, "deadletter"),
        )


class _Guard(BaseMiddleware[Any, Any]):
    def __init__(self, msg: Any, /, *, context: Any, guard: DeliveryGuard) -> None:
        super().__init__(msg, context=context)
        self.guard = guard
        handler = context.get_local("handler_")
        self.order = _ORDERED.get(handler) if handler is not None else None
        self.turn = self.order.take_turn(msg) if self.order is not None else None

    async def on_receive(self) -> None:
        """With ordered concurrency: wait until the same key's earlier message is done."""
        if self.turn is not None:
            for earlier in self.turn.waits_for:
                await earlier

    async def after_processed(self, *exc_info: Any) -> bool | None:
        self._release()
        return False

    async def consume_scope(self, call_next: Any, msg: StreamMessage[Any]) -> Any:
        headers = msg.headers
        with (
            correlation_scope(correlation_from(headers)),
            structlog.contextvars.bound_contextvars(
                subject=msg.raw_message.subject, event_id=headers.get(MSG_ID_HEADER)
            ),
        ):
            token = _RELEASE.set(self._release)
            try:
                deliveries = _deliveries(msg)
                if deliveries is None:  # a request (command, partner message): its caller's trace
                    with attached(extract(headers)):
                        return await call_next(msg)
                return await self._consume_durable(call_next, msg, deliveries)
            finally:
                _RELEASE.reset(token)

    def _release(self) -> None:
        if self.order is not None and self.turn is not None:
            self.order.end_turn(self.turn)

    async def _consume_durable(
        self, call_next: Any, msg: StreamMessage[Any], deliveries: int
    ) -> Any:
        subject = msg.raw_message.subject
        started = time.perf_counter()
        with tracer().start_as_current_span(
            f"{subject_label(subject)} process",
            context=extract(msg.headers),
            kind=SpanKind.CONSUMER,
            attributes={
                "messaging.system": "nats",
                "messaging.operation.type": "process",
                "messaging.destination.name": subject_label(subject),
                "messaging.message.id": msg.headers.get(MSG_ID_HEADER, ""),
                "messaging.consumer.group.name": self.guard.service,
                "dorp.deliveries": deliveries,
            },
        ) as span:
            result, outcome = await self._handle(call_next, msg, deliveries)
            span.set_attribute("dorp.outcome", outcome)
        if self.guard.metrics is not None:
            elapsed = time.perf_counter() - started
            self.guard.metrics.consumed(subject, outcome, elapsed, deliveries)
        return result

    async def _handle(
        self, call_next: Any, msg: StreamMessage[Any], deliveries: int
    ) -> tuple[Any, str]:
        """The handler's result and the outcome: ack, retry or dead_letter."""
        guard = self.guard
        try:
            return await _through_outages(call_next, msg), ACK
        except ValidationError as exc:
            _record_failure(exc)
            await guard.dead_letter(
                msg,
                "invalid_contract",
                str(exc.error_count()) + " invalid field(s)",
                deliveries,
                field_errors(None, exc),
            )
        except PermanentFailure as exc:
            _record_failure(exc)
            await guard.dead_letter(msg, exc.reason, exc.detail, deliveries)
        except (NotReadyYet, Exception) as exc:  # transient until proven otherwise
            _record_failure(exc)
            if deliveries < guard.max_deliver:
                delay = retry_delay(exc, deliveries)
                log.warning(
                    "message.retry", deliveries=deliveries, delay=round(delay, 2), error=repr(exc)
                )
                await cast(NatsMessage, msg).nack(delay=delay)
                return None, RETRY
            if isinstance(exc, NotReadyYet):
                arrived, result, exc = await _await_dependency(call_next, msg, exc)
                if arrived:
                    return result, ACK
            await guard.dead_letter(msg, "retries_exhausted", repr(exc)[:500], deliveries)
        await msg.ack()
        return None, DEAD_LETTER


def retry_delay(exc: BaseException, deliveries: int) -> float:
    """Seconds until the next delivery, with jitter.

    A failure: 0.2, 0.4, 0.8 ... seconds. ``NotReadyYet`` (an event this one depends on has not
    been handled): 2, 8, 32, 40 seconds, so the retries outlast ``ACK_WAIT_SECONDS`` even at
    the lowest jitter. When a consumer dies holding the earlier event, JetStream gives that
    event out again only after the ack wait; the later one must not run out of attempts first.
    """
    attempt = max(0, deliveries - 1)
    if isinstance(exc, NotReadyYet):
        base = min(40.0, 2.0 * float(4**attempt))
    else:
        base = min(30.0, 0.2 * float(2**attempt))
    return base * (0.5 + random.random())


async def _await_dependency(
    call_next: Any, msg: StreamMessage[Any], exc: Exception
) -> tuple[bool, Any, Exception]:
    """The last delivery of an event that waits for another: hold it in progress and try
    again every few seconds, until it goes through, fails otherwise, or
    ``NOT_READY_PATIENCE_SECONDS`` have passed. Returns (went through, result, last error)."""
    waited, pause = 0.0, 0.5
    while waited < NOT_READY_PATIENCE_SECONDS:
        log.warning("message.waiting_for_dependency", waited=round(waited, 1), error=repr(exc))
        await cast(NatsMessage, msg).in_progress()
        await asyncio.sleep(pause)
        waited, pause = waited + pause, min(pause * 2, 10.0)
        try:
            return True, await _through_outages(call_next, msg), exc
        except NotReadyYet as still:
            exc = still
        except Exception as other:  # dead-lettered with its reason by the caller
            _record_failure(other)
            return False, None, other
    return False, None, exc


async def _through_outages(call_next: Any, msg: StreamMessage[Any]) -> Any:
    """Handle the message, waiting out a database outage in place: the message stays in
    progress (no redelivery, no attempt counted, nothing overtakes it on this consumer) until
    the database answers again or ``OUTAGE_PATIENCE_SECONDS`` have passed."""
    waited, pause = 0.0, 0.2
    while True:
        try:
            return await call_next(msg)
        except Exception as exc:
            if not db.is_connection_failure(exc) or waited >= OUTAGE_PATIENCE_SECONDS:
                raise
            log.warning("message.waiting_for_database", waited=round(waited, 1), error=repr(exc))
            await cast(NatsMessage, msg).in_progress()
            await asyncio.sleep(pause)
            waited += pause
            pause = min(pause * 2, 10.0)


def _record_failure(exc: BaseException) -> None:
    """On the consuming span: the exception type only (its text may hold personal data)."""
    span = trace.get_current_span()
    span.set_status(Status(StatusCode.ERROR, type(exc).__name__))


async def wait_for_stream_messages(
    js: JetStreamContext, stream: str, count: int, timeout: float
) -> int:
    """Wait until a stream holds at least ``count`` messages (tests and demo progress)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        try:
            held = int((await js.stream_info(stream)).state.messages)
        except NotFoundError:
            held = 0
        if held >= count or asyncio.get_running_loop().time() > deadline:
            return held
        await asyncio.sleep(0.1)
