"""The shared plumbing every service relies on, against real NATS and PostgreSQL:
outbox → JetStream with the event id as Nats-Msg-Id, durable consumers that handle an
event once, retry transient failures and dead-letter what keeps failing."""

from __future__ import annotations

import json
import uuid
from typing import Any

import asyncpg
import pytest

from dorp_shared.contracts import Consents, ContactDetails, Envelope, MemberRegistered
from dorp_shared.contracts.subjects import deadletter_subject, event_subject, stream_name
from dorp_shared.messaging import area_subscriber, is_event
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
            consumer = await nc.jetstream().consumer_info(
                stream_name(settings.region, "registration"), "recorder-registration"
            )
    assert recorder.attempts == settings.max_deliver + 3
    assert consumer.num_redelivered == 0 and consumer.num_ack_pending == 0


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
