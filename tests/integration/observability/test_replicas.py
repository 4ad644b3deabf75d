"""Two replicas each of matching and notifications (separate NATS connections and database
pools, as two processes would have) share their durable consumers: every event is handled
once, every request gets one proposal, every (proposal, recipient) one e-mail at a real SMTP
server, and both replicas of each service do part of the work."""

from __future__ import annotations

import contextlib
from collections import Counter
from typing import Any

import pytest
from nats.js import JetStreamContext

from dorp_matching.bootstrap import DEFINITION as MATCHING
from dorp_notifications.bootstrap import DEFINITION as NOTIFICATIONS
from dorp_shared.contracts import (
    MatchProposed,
    wrap,
)
from dorp_shared.contracts.envelope import Envelope, Event
from dorp_shared.contracts.subjects import payload_subject, stream_name
from dorp_shared.service import Runtime
from dorp_shared.settings import DorpSettings
from tests.support.events import asks, offers, parent
from tests.support.mail import smtp_server
from tests.support.metrics import scrape
from tests.support.services import eventually, nats_client, running_service

pytestmark = pytest.mark.integration

PAIRS = 12
AREAS = ("lochem", "laren", "barchem", "almen", "harfsen", "epse", "gorssel", "eefde")


async def publish(js: JetStreamContext, region: str, payloads: list[Event]) -> None:
    for payload in payloads:
        envelope = wrap(payload, region=region, source="registration")
        await js.publish(
            payload_subject(region, payload),
            envelope.model_dump_json().encode(),
            headers=envelope.headers(),
        )


async def stream_events(js: JetStreamContext, region: str, area: str) -> list[dict[str, Any]]:
    stream = stream_name(region, area)
    info = await js.stream_info(stream)
    found: list[dict[str, Any]] = []
    if not info.state.messages:
        return found
    for seq in range(info.state.first_seq, info.state.last_seq + 1):
        message = await js.get_msg(stream, seq)
        found.append(
            {"type": (message.headers or {}).get("Dorp-Event-Type"), "raw": message.data or b""}
        )
    return found


async def acked(replicas: list[Runtime]) -> list[float]:
    """Events each replica handled to the end (acknowledged)."""
    totals = []
    for runtime in replicas:
        assert runtime.http is not None
        metrics = await scrape(runtime.http.url)
        totals.append(metrics.total("dorp_events_consumed_total", outcome="ack"))
    return totals


async def test_two_replicas_of_matching_and_notifications_handle_each_event_once(
    settings: DorpSettings,
) -> None:
    region = settings.region
    requesters = [parent(AREAS[i % len(AREAS)], f"asker{i}") for i in range(PAIRS)]
    helpers = [parent(AREAS[i % len(AREAS)], f"helper{i}") for i in range(PAIRS)]
    events: list[Event] = [*requesters, *helpers]
    events += [offers(h, capacity=PAIRS) for h in helpers] + [asks(r) for r in requesters]

    with smtp_server() as (inbox, smtp_port):
        service_settings = settings.model_copy(update={"smtp_port": smtp_port})
        async with contextlib.AsyncExitStack() as stack:
            replicas = {
                name: [
                    await stack.enter_async_context(running_service(definition, service_settings))
                    for _ in range(2)
                ]
                for name, definition in (("matching", MATCHING), ("notifications", NOTIFICATIONS))
            }
            nc = await stack.enter_async_context(nats_client(settings.nats_url or ""))
            js = nc.jetstream()
            await publish(js, region, events)

            async def all_mailed() -> bool:
                return len(inbox.messages) >= 2 * PAIRS

            await eventually(all_mailed, timeout=90)

            async def all_handled() -> bool:
                # registration events by matching; registration + matching events by notifications
                matching_done = sum(await acked(replicas["matching"])) >= len(events)
                notifying = sum(await acked(replicas["notifications"]))
                return matching_done and notifying >= len(events) + PAIRS

            await eventually(all_handled, timeout=60)
            work = {name: await acked(runtimes) for name, runtimes in replicas.items()}
            matching_events = await stream_events(js, region, "matching")

    proposals = [
        Envelope[MatchProposed].model_validate_json(e["raw"])
        for e in matching_events
        if e["type"] == "matching.match_proposed"
    ]
    per_request = Counter(p.payload.request_id for p in proposals)
    assert len(per_request) == PAIRS and set(per_request.values()) == {1}, per_request

    message_ids = [message["Message-ID"] for message in inbox.messages]
    assert len(message_ids) == 2 * PAIRS and len(set(message_ids)) == len(message_ids)
    for who in requesters:
        assert who.contact.email is not None
        assert len(inbox.to(who.contact.email)) == 1, who.contact.email

    # Each event was acknowledged once over both replicas, and both replicas took a share.
    assert sum(work["matching"]) == len(events)
    assert sum(work["notifications"]) == len(events) + len(matching_events)
    assert all(share > 0 for share in work["matching"]), work
    assert all(share > 0 for share in work["notifications"]), work
