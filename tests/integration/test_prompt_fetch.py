"""The prompt fetch (``dorp_shared.prompt_fetch``) against real NATS: a consumer that has
caught up hands a lone message over without waiting for its batch to fill, takes every
message already waiting in one fetch (up to the batch), and leaves no pull behind at the
server; an area subscriber with ``prompt=True`` still acks, retries and keeps order."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from nats.js import JetStreamContext

from dorp_shared.contracts import Envelope, MemberRegistered
from dorp_shared.contracts.envelope import wrap
from dorp_shared.contracts.subjects import event_subject, stream_name
from dorp_shared.messaging import Order, area_subscriber, ensure_streams, is_event
from dorp_shared.prompt_fetch import prompt_fetch
from dorp_shared.service import Runtime, ServiceDefinition
from dorp_shared.settings import DorpSettings
from tests.integration.test_shared_plumbing import member
from tests.support.infra import Infra
from tests.support.services import eventually, nats_client, running_service

pytestmark = pytest.mark.integration

LONG = 60.0
"""A fetch timeout far beyond what any of these fetches may take."""


class Consumer:
    def __init__(self, js: JetStreamContext, pull: Any, stream: str, subject: str) -> None:
        self.js, self.pull, self.stream, self.subject = js, pull, stream, subject

    async def publish(self, *bodies: bytes) -> None:
        for body in bodies:
            await self.js.publish(self.subject, body, stream=self.stream)

    async def pulls_waiting(self) -> int:
        info = await self.js.consumer_info(self.stream, "reader")
        return int(info.num_waiting or 0)


@asynccontextmanager
async def caught_up_consumer(nats_url: str) -> AsyncIterator[Consumer]:
    """A stream of its own with a durable pull consumer that has nothing to read yet."""
    stream = f"PROMPT{uuid.uuid4().hex[:10].upper()}"
    subject = f"prompt.{stream.lower()}"
    async with nats_client(nats_url) as nc:
        js = nc.jetstream()
        await js.add_stream(name=stream, subjects=[subject])
        try:
            pull = await js.pull_subscribe(subject, durable="reader", stream=stream)
            yield Consumer(js, pull, stream, subject)
        finally:
            await js.delete_stream(stream)


async def test_a_lone_message_is_handed_over_without_waiting_for_the_batch_to_fill(
    infra: Infra,
) -> None:
    async with caught_up_consumer(infra.nats_url) as consumer:
        fetch = asyncio.create_task(prompt_fetch(consumer.pull, batch=128, timeout=LONG))
        await eventually(consumer.pulls_waiting)  # the fetch waits at the server
        await consumer.publish(b"alone")

        done, _ = await asyncio.wait({fetch}, timeout=LONG / 2)

        assert fetch in done, "the fetch waited for the rest of its batch"
        assert [msg.data for msg in fetch.result()] == [b"alone"]
        assert await consumer.pulls_waiting() == 0


async def test_every_message_waiting_is_taken_in_one_fetch_up_to_the_batch(
    infra: Infra,
) -> None:
    async with caught_up_consumer(infra.nats_url) as consumer:
        few = [f"few {n}".encode() for n in range(5)]
        await consumer.publish(*few)
        assert [m.data for m in await prompt_fetch(consumer.pull, 128, LONG)] == few

        many = [f"many {n}".encode() for n in range(200)]
        await consumer.publish(*many)
        first = await prompt_fetch(consumer.pull, 128, LONG)
        rest = await prompt_fetch(consumer.pull, 128, LONG)

        assert [m.data for m in first] == many[:128]
        assert [m.data for m in rest] == many[128:]
        assert await consumer.pulls_waiting() == 0  # no pull left to take a later message


async def test_a_fetch_that_times_out_returns_nothing_and_the_next_one_gets_the_message(
    infra: Infra,
) -> None:
    async with caught_up_consumer(infra.nats_url) as consumer:
        assert await prompt_fetch(consumer.pull, 128, 0.3) == []
        assert await consumer.pulls_waiting() == 0  # its pull expired at the server too

        await consumer.publish(b"later")
        assert [m.data for m in await prompt_fetch(consumer.pull, 128, LONG)] == [b"later"]


class PromptRecorder:
    """A batched, ordered area subscriber with the prompt fetch; fails each member's first
    attempt when asked, so the retry path is taken as well."""

    def __init__(self, fail_first: set[uuid.UUID]) -> None:
        self.fail_first = fail_first
        self.attempted: set[uuid.UUID] = set()
        self.handled: list[uuid.UUID] = []

    def definition(self) -> ServiceDefinition:
        def keys(msg: Any) -> Order:
            return Order(keys=(json.loads(msg.data)["payload"]["home_area"],))

        def wire(runtime: Runtime) -> None:
            sub = area_subscriber(
                runtime.broker,
                region=runtime.region.id,
                service="prompt",
                area="registration",
                max_deliver=runtime.settings.max_deliver,
                batch_size=128,
                order_keys=keys,
                prompt=True,
            )

            @sub(filter=is_event(MemberRegistered))
            async def on_member(event: Envelope[MemberRegistered]) -> None:
                member_id = event.payload.member_id
                if member_id in self.fail_first and member_id not in self.attempted:
                    self.attempted.add(member_id)
                    raise ConnectionError("database hiccup")
                self.handled.append(member_id)

        return ServiceDefinition(
            name="prompt", description="test", migrations="dorp_shared.migrations", wire=wire
        )


async def test_a_prompt_area_subscriber_handles_acks_and_retries_events_as_they_come(
    settings: DorpSettings,
) -> None:
    region = settings.region
    sent = [member("lochem") for _ in range(6)]
    recorder = PromptRecorder(fail_first={sent[2].member_id})
    async with (
        running_service(recorder.definition(), settings),
        nats_client(settings.nats_url or "") as nc,
    ):
        js = nc.jetstream()
        await ensure_streams(js, region)
        for n, event in enumerate(sent):  # one at a time, each once the one before is in
            envelope = wrap(event, region=region, source="test")
            await js.publish(
                event_subject(region, MemberRegistered),
                envelope.model_dump_json().encode(),
                headers=envelope.headers(),
            )
            if n != 2:
                await eventually(lambda event=event: _ready(event.member_id in recorder.handled))
        await eventually(lambda: _ready(len(recorder.handled) == len(sent)))

        async def all_acked() -> bool:
            info = await js.consumer_info(
                stream_name(region, "registration"), "prompt-registration"
            )
            return info.num_pending == 0 and info.num_ack_pending == 0

        await eventually(all_acked)

    assert sorted(recorder.handled) == sorted(event.member_id for event in sent)
    assert len(recorder.handled) == len(set(recorder.handled))  # each once


async def _ready(value: bool) -> bool:
    return value
