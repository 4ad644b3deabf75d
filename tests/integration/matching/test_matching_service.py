"""The matching service on real NATS and PostgreSQL: registration events in, one
explained ``MatchProposed`` out, however often the events are redelivered or replayed."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from nats.js import JetStreamContext

from dorp_matching.bootstrap import DEFINITION
from dorp_shared.contracts import (
    Envelope,
    Event,
    MatchProposed,
    wrap,
)
from dorp_shared.contracts.envelope import EVENT_TYPE_HEADER, MSG_ID_HEADER, SCHEMA_VERSION_HEADER
from dorp_shared.contracts.subjects import event_subject, stream_name
from dorp_shared.service import Runtime
from dorp_shared.settings import DorpSettings
from tests.support.events import asks, offers, parent
from tests.support.services import all_published, eventually, nats_client, running_service

pytestmark = pytest.mark.integration


class Registration:
    """Publishes as the registration service would, straight onto JetStream."""

    def __init__(self, js: JetStreamContext, region: str) -> None:
        self.js = js
        self.region = region

    async def publish(self, *payloads: Event) -> list[Envelope[Any]]:
        sent = []
        for payload in payloads:
            envelope = wrap(payload, region=self.region, source="registration")
            await self.js.publish(
                event_subject(self.region, type(payload)),
                envelope.model_dump_json().encode(),
                headers=envelope.headers(),
            )
            sent.append(envelope)
        return sent

    async def publish_unknown(self) -> None:
        """An event type matching does not know (yet): it must be skipped, not block."""
        await self.js.publish(
            f"dorp.{self.region}.registration.partner_linked.v1",
            json.dumps({"payload": {"anything": 1}}).encode(),
            headers={
                MSG_ID_HEADER: str(uuid.uuid4()),
                EVENT_TYPE_HEADER: "registration.partner_linked",
                SCHEMA_VERSION_HEADER: "1",
            },
        )


async def proposals(js: JetStreamContext, region: str) -> list[Envelope[MatchProposed]]:
    stream = stream_name(region, "matching")
    count = (await js.stream_info(stream)).state.messages
    found = []
    for seq in range(1, count + 1):
        raw = await js.get_msg(stream, seq)
        found.append(Envelope[MatchProposed].model_validate_json(raw.data or b""))
    return found


async def all_handled(js: JetStreamContext, region: str) -> bool:
    """Every registration event acked by matching and nothing dead-lettered."""
    info = await js.consumer_info(stream_name(region, "registration"), "matching-registration")
    letters = (await js.stream_info(stream_name(region, "deadletter"))).state.messages
    return info.num_pending == 0 and info.num_ack_pending == 0 and letters == 0


async def _at_least(js: JetStreamContext, region: str, n: int) -> list[Envelope[MatchProposed]]:
    found = await proposals(js, region)
    return found if len(found) >= n else []


@pytest.fixture
async def service(settings: DorpSettings) -> AsyncIterator[tuple[Runtime, JetStreamContext]]:
    async with (
        running_service(DEFINITION, settings) as runtime,
        nats_client(settings.nats_url or "") as nc,
    ):
        yield runtime, nc.jetstream()


async def test_parents_in_the_same_kern_are_proposed_to_each_other_once(
    service: tuple[Runtime, JetStreamContext], settings: DorpSettings
) -> None:
    runtime, js = service
    registration = Registration(js, settings.region)
    parent_a, parent_b = parent("laren"), parent("laren")
    the_offer, the_request = offers(parent_b), asks(parent_a)
    await registration.publish_unknown()
    sent = await registration.publish(parent_a, parent_b, the_offer, the_request)

    [first] = await eventually(lambda: _at_least(js, settings.region, 1))
    match = first.payload
    assert (match.request_id, match.offer_id) == (the_request.request_id, the_offer.offer_id)
    assert (match.requester_id, match.helper_id) == (parent_a.member_id, parent_b.member_id)
    assert match.explanation == (
        "Beide in Laren; jullie spreken allebei Nederlands; oppas voor 1-4 jaar."
    )
    assert match.needs_connector_review is False
    # A pull batch is handled concurrently: whichever of offer and request came second
    # caused the proposal.
    assert first.causation_id in {sent[-1].event_id, sent[-2].event_id}

    # The demo run again on the same data (fresh envelopes), plus a new pair; once every
    # event is acked (the unknown one too), exactly the new pair's proposal was added.
    await registration.publish(parent_a, parent_b, the_offer, the_request)
    parent_c, parent_d = parent("gorssel"), parent("epse")
    await registration.publish(parent_c, parent_d, offers(parent_d), asks(parent_c))
    await eventually(lambda: _at_least(js, settings.region, 2))
    assert await eventually(lambda: all_handled(js, settings.region))
    await eventually(lambda: all_published(runtime))
    matches = await proposals(js, settings.region)
    assert [m.payload.requester_id for m in matches] == [parent_a.member_id, parent_c.member_id]
    assert matches[1].payload.explanation.startswith("Gorssel en Epse liggen naast elkaar")
    assert await runtime.pool.fetchval("SELECT count(*) FROM proposals") == 2


async def test_a_request_before_its_member_is_matched_once_the_member_arrives(
    service: tuple[Runtime, JetStreamContext], settings: DorpSettings
) -> None:
    _, js = service
    registration = Registration(js, settings.region)
    parent_a, parent_b = parent("almen"), parent("lochem")
    await registration.publish(parent_b, offers(parent_b))
    early = asks(parent_a)
    await registration.publish(early)
    await registration.publish(parent_a)

    [first] = await eventually(lambda: _at_least(js, settings.region, 1))
    assert first.payload.request_id == early.request_id
    assert first.payload.helper_id == parent_b.member_id
    assert first.payload.explanation_en.startswith("Almen and Lochem are next to each other")
    assert await eventually(lambda: all_handled(js, settings.region))
