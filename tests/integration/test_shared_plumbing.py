"""The shared plumbing every service relies on, against real NATS and PostgreSQL:
outbox → JetStream with the event id as Nats-Msg-Id, durable consumers that handle an
event once, retry transient failures and dead-letter what keeps failing."""

from __future__ import annotations

import asyncio
import itertools
import json
import time
import uuid
from datetime import timedelta
from typing import Any

import asyncpg
import pytest
from nats.errors import Error as NatsError
from nats.js.api import ConsumerInfo

from dorp_shared.contracts import Consents, ContactDetails, Envelope, MemberRegistered
from dorp_shared.contracts.envelope import wrap
from dorp_shared.contracts.subjects import deadletter_subject, event_subject, stream_name
from dorp_shared.errors import NotReadyYet
from dorp_shared.messaging import (
    EVERYTHING,
    JetStreamPublisher,
    Order,
    Outgoing,
    area_subscriber,
    ensure_streams,
    is_event,
    release_order,
)
from dorp_shared.service import Runtime, ServiceDefinition
from dorp_shared.settings import DorpSettings
from dorp_shared.uow import PgUnitOfWork
from tests.support.services import eventually, nats_client, running_service

pytestmark = pytest.mark.integration


def member(home_area: str = "lochem") -> MemberRegistered:
    return MemberRegistered(
        member_id=uuid.uuid4(),
        role="parent",
        home_area=home_area,
        languages=("nl",),
        preferred_language="nl",
        registered_by="self",
        consents=Consents(matching=True, notifications=True),
        contact=ContactDetails(display_name="Demo", email="demo@example.org"),
    )


class Recorder:
    """A consuming 'service' that records what it handled and fails on request."""

    def __init__(
        self,
        fail_times: int = 0,
        always_fail: bool = False,
        failure: Exception | None = None,
    ) -> None:
        self.handled: list[uuid.UUID] = []
        self.attempts = 0
        self.fail_times = fail_times
        self.always_fail = always_fail
        self.failure = failure or ConnectionError("database hiccup")

    def definition(self) -> ServiceDefinition:
        def wire(runtime: Runtime) -> None:
            sub = area_subscriber(
                runtime.broker,
                region=runtime.region.id,
                service="recorder",
                area="registration",
                max_deliver=runtime.settings.max_deliver,
            )

            @sub(filter=is_event(MemberRegistered))
            async def on_member(event: Envelope[MemberRegistered]) -> None:
                self.attempts += 1
                if self.always_fail or self.attempts <= self.fail_times:
                    raise self.failure
                async with runtime.uow(PgUnitOfWork) as uow:
                    if await uow.first_time("recorder", event.event_id):
                        self.handled.append(event.payload.member_id)

        return ServiceDefinition(
            name="recorder", description="test", migrations="dorp_shared.migrations", wire=wire
        )


async def emit_members(runtime: Runtime, events: list[MemberRegistered]) -> list[Envelope[Any]]:
    envelopes = []
    async with runtime.uow(PgUnitOfWork) as uow:
        for event in events:
            envelopes.append(await uow.emit(event))
    return envelopes


async def test_outbox_publishes_once_and_consumer_handles_once(settings: DorpSettings) -> None:
    recorder = Recorder()
    async with running_service(recorder.definition(), settings) as runtime:
        sent = [member(), member()]
        envelopes = await emit_members(runtime, sent)
        await eventually(lambda: _ready(len(recorder.handled) == 2))

        # A duplicate publish of the same event id is dropped by the stream.
        async with nats_client(settings.nats_url or "") as nc:
            js = nc.jetstream()
            again = envelopes[0]
            ack = await js.publish(
                event_subject(settings.region, MemberRegistered),
                again.model_dump_json().encode(),
                headers=again.headers(),
            )
            assert ack.duplicate is True
            info = await js.stream_info(stream_name(settings.region, "registration"))
            assert info.state.messages == 2

    assert sorted(recorder.handled) == sorted(m.member_id for m in sent)


async def test_transient_failure_is_redelivered_not_lost(settings: DorpSettings) -> None:
    recorder = Recorder(fail_times=2)
    async with running_service(recorder.definition(), settings) as runtime:
        event = member()
        await emit_members(runtime, [event])
        await eventually(lambda: _ready(recorder.handled == [event.member_id]))
    assert recorder.attempts == 3


async def test_a_database_outage_is_waited_out_without_using_up_attempts(
    settings: DorpSettings,
) -> None:
    """More failed connections than ``max_deliver`` allows attempts: still handled once, never
    redelivered, never dead-lettered, because the database being away is not the event's fault."""
    outage = asyncpg.exceptions.ConnectionDoesNotExistError("connection was closed")
    recorder = Recorder(fail_times=settings.max_deliver + 2, failure=outage)
    async with running_service(recorder.definition(), settings) as runtime:
        event = member()
        await emit_members(runtime, [event])
        await eventually(lambda: _ready(recorder.handled == [event.member_id]), timeout=60)
        async with nats_client(settings.nats_url or "") as nc:
            js = nc.jetstream()

            async def acknowledged() -> ConsumerInfo | None:
                """The ack follows the handler's return: under load, a moment later."""
                info = await js.consumer_info(
                    stream_name(settings.region, "registration"), "recorder-registration"
                )
                return info if info.num_ack_pending == 0 else None

            consumer = await eventually(acknowledged)
    assert recorder.attempts == settings.max_deliver + 3
    assert consumer.num_redelivered == 0


async def test_an_event_waiting_for_another_is_held_on_its_last_delivery_not_dead_lettered(
    settings: DorpSettings,
) -> None:
    """A consumer behind on another stream (after a restart, under load) may need longer than
    the retries last: on its last delivery the waiting event is held and tried again until
    what it waits for has arrived. It is handled once and never dead-lettered."""
    waiting = NotReadyYet("a member this notification concerns is not registered here yet")
    recorder = Recorder(fail_times=3, failure=waiting)
    last_delivery = settings.model_copy(update={"max_deliver": 1})
    async with nats_client(settings.nats_url or "") as nc:
        letters = await nc.subscribe(deadletter_subject(settings.region, "recorder"))
        async with running_service(recorder.definition(), last_delivery) as runtime:
            event = member()
            await emit_members(runtime, [event])
            await eventually(lambda: _ready(recorder.handled == [event.member_id]), timeout=30)
        with pytest.raises(TimeoutError):
            await letters.next_msg(timeout=0.5)
    assert recorder.attempts == 4


async def test_event_that_keeps_failing_goes_to_dead_letter(settings: DorpSettings) -> None:
    recorder = Recorder(always_fail=True)
    async with nats_client(settings.nats_url or "") as nc:
        letters = await nc.subscribe(deadletter_subject(settings.region, "recorder"))
        async with running_service(recorder.definition(), settings) as runtime:
            await emit_members(runtime, [member()])
            message = await letters.next_msg(timeout=20)
        letter = json.loads(message.data)
    assert letter["reason"] == "retries_exhausted"
    assert "database hiccup" in letter["detail"]
    assert recorder.attempts == settings.max_deliver
    assert json.loads(letter["original_payload"])["type"] == "registration.member_registered"


async def _ready(value: bool) -> bool:
    return value


async def test_a_published_batch_is_stored_in_order_and_an_unstored_message_fails_it(
    settings: DorpSettings,
) -> None:
    """The relay's batch publish: every message acknowledged by its stream, in order; a
    message no stream takes fails the batch (it stays in the outbox for the next try)."""
    region = settings.region
    stream = stream_name(region, "registration")
    async with nats_client(settings.nats_url or "") as nc:
        js = nc.jetstream()
        await ensure_streams(js, region)
        before = (await js.stream_info(stream)).state.last_seq
        envelopes = [wrap(member(), region=region, source="test") for _ in range(30)]
        batch = [
            Outgoing(
                event_subject(region, MemberRegistered),
                envelope.model_dump_json().encode(),
                envelope.headers(),
                stream,
            )
            for envelope in envelopes
        ]
        publisher = JetStreamPublisher(nc)
        await publisher.many(batch)
        stored = [await js.get_msg(stream, before + n) for n in range(1, 31)]
        assert [json.loads(m.data or b"{}")["event_id"] for m in stored] == [
            str(envelope.event_id) for envelope in envelopes
        ]

        await publisher.many(batch[:3])  # sent again: the stream keeps each once
        assert (await js.stream_info(stream)).state.last_seq == before + 30

        nowhere = Outgoing(f"dorp.{region}.nowhere.v1", b"{}", {}, stream)
        with pytest.raises(NatsError):
            await publisher.many([*batch[:1], nowhere])


class OrderedRecorder:
    """A consumer with ordered concurrency: members of one kern in order, other kernen at
    once; a member of Eefde in order with everything. Records when each handler ran."""

    def __init__(self, release: bool = False) -> None:
        self.spans: list[tuple[str, uuid.UUID, float, float]] = []
        self.release = release
        """Handlers end their turn at once (``release_order``), before they finish."""

    def definition(self) -> ServiceDefinition:
        def keys(msg: Any) -> Order:
            area = json.loads(msg.data)["payload"]["home_area"]
            return EVERYTHING if area == "eefde" else Order(keys=(area,))

        def wire(runtime: Runtime) -> None:
            sub = area_subscriber(
                runtime.broker,
                region=runtime.region.id,
                service="ordered",
                area="registration",
                max_deliver=runtime.settings.max_deliver,
                batch_size=16,
                order_keys=keys,
            )

            @sub(filter=is_event(MemberRegistered))
            async def on_member(event: Envelope[MemberRegistered]) -> None:
                started = time.monotonic()
                if self.release:
                    release_order()
                await asyncio.sleep(0.05)
                data = event.payload
                self.spans.append((data.home_area, data.member_id, started, time.monotonic()))

        return ServiceDefinition(
            name="ordered", description="test", migrations="dorp_shared.migrations", wire=wire
        )


async def _publish_waiting(settings: DorpSettings, sent: list[MemberRegistered]) -> None:
    """Published before the consumer starts, so that they all come in one fetch."""
    region = settings.region
    async with nats_client(settings.nats_url or "") as nc:
        js = nc.jetstream()
        await ensure_streams(js, region)
        for event in sent:
            envelope = wrap(event, region=region, source="test")
            subject = event_subject(region, MemberRegistered)
            await js.publish(
                subject, envelope.model_dump_json().encode(), headers=envelope.headers()
            )


async def test_ordered_concurrency_keeps_each_keys_order_and_runs_other_keys_at_once(
    settings: DorpSettings,
) -> None:
    areas = ["lochem", "laren"] * 4 + ["eefde"] + ["laren", "lochem"] * 2
    sent = [member(area) for area in areas]
    await _publish_waiting(settings, sent)
    recorder = OrderedRecorder()
    async with running_service(recorder.definition(), settings):
        await eventually(lambda: _ready(len(recorder.spans) == len(sent)))
    spans = recorder.spans
    for area in ("lochem", "laren"):  # one after another, in stream order
        theirs = sorted((s for s in spans if s[0] == area), key=lambda s: s[2])
        assert [s[1] for s in theirs] == [e.member_id for e in sent if e.home_area == area]
        assert all(a[3] <= b[2] for a, b in itertools.pairwise(theirs))
    lochem = [s for s in spans if s[0] == "lochem"]
    laren = [s for s in spans if s[0] == "laren"]
    assert any(a[2] < b[3] and b[2] < a[3] for a in lochem for b in laren), "never at once"
    [eefde] = [s for s in spans if s[0] == "eefde"]
    earlier = {e.member_id for e in sent[: areas.index("eefde")]}
    assert all(s[3] <= eefde[2] for s in spans if s[1] in earlier)  # after all before it
    assert all(s[2] >= eefde[3] for s in spans if s[1] not in earlier and s is not eefde)


async def test_a_released_turn_lets_the_next_of_its_key_start_in_order_before_it_ends(
    settings: DorpSettings,
) -> None:
    sent = [member("laren") for _ in range(5)]
    await _publish_waiting(settings, sent)
    recorder = OrderedRecorder(release=True)
    async with running_service(recorder.definition(), settings):
        await eventually(lambda: _ready(len(recorder.spans) == len(sent)))
    started = sorted(recorder.spans, key=lambda s: s[2])
    assert [s[1] for s in started] == [e.member_id for e in sent]  # still in stream order
    assert any(b[2] < a[3] for a, b in itertools.pairwise(started)), "never overlapping"


async def test_published_rows_and_old_command_results_are_pruned_after_the_keep_time(
    settings: DorpSettings,
) -> None:
    """The outbox and the idempotency results would otherwise grow by every event and
    command for as long as a region runs; what is still to publish, or recent, stays."""
    async with running_service(Recorder().definition(), settings) as runtime:
        await emit_members(runtime, [member(), member()])
        await eventually(lambda: _published_all(runtime))
        async with runtime.pool.acquire() as conn:
            await conn.execute("UPDATE outbox SET published_at = now() - interval '8 days'")
            await conn.execute(
                "INSERT INTO outbox (event_id, subject, stream, headers, body)"
                " VALUES ($1, 'never.published', 'NONE', '{}', '')",
                uuid.uuid4(),
            )
            await conn.executemany(
                "INSERT INTO idempotency (key, command, request_hash, created_at)"
                " VALUES ($1, 'c', 'h', now() - $2::interval)",
                [("old", timedelta(days=8)), ("recent", timedelta(hours=1))],
            )
        relay = runtime._relay
        assert relay is not None
        assert await relay.prune() == (2, 1)
        async with runtime.pool.acquire() as conn:
            left = await conn.fetch("SELECT subject, published_at FROM outbox")
            keys = await conn.fetch("SELECT key FROM idempotency")
            await conn.execute("DELETE FROM outbox WHERE published_at IS NULL")
    assert [(row["subject"], row["published_at"]) for row in left] == [("never.published", None)]
    assert [row["key"] for row in keys] == ["recent"]


async def _published_all(runtime: Runtime) -> bool:
    async with runtime.pool.acquire() as conn:
        return bool(
            await conn.fetchval("SELECT count(*) = 0 FROM outbox WHERE published_at IS NULL")
        )
