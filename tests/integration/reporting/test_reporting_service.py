"""The reporting service on real NATS and PostgreSQL: events in, a report out over
request/reply; replays change no figure; bad requests get an answer naming the field."""

from __future__ import annotations

import json
import uuid
from typing import Any

import asyncpg
import pytest
from nats.aio.client import Client
from nats.js import JetStreamContext

from dorp_reporting.bootstrap import DEFINITION
from dorp_shared.contracts import Envelope, Event, HelpRequested
from dorp_shared.contracts.envelope import EVENT_TYPE_HEADER, MSG_ID_HEADER
from dorp_shared.contracts.subjects import area_events, command_subject, event_subject, stream_name
from dorp_shared.settings import DorpSettings
from tests.support.services import eventually, nats_client, running_service
from tests.unit.reporting import events

pytestmark = pytest.mark.integration

AREAS = ("registration", "matching", "notifications")


def scenario(region: str) -> list[Envelope[Any]]:
    """Parents and a volunteer in Lochem; matching and notifications arrive first."""
    request = events.request("babysitting", "lochem")
    return [
        events.envelope(events.match("babysitting", "lochem"), region),
        events.envelope(events.notification(), region),
        events.envelope(events.notification(), region),
        *(events.envelope(events.member("parent"), region) for _ in range(5)),
        events.envelope(events.member("volunteer", "laren"), region),
        events.envelope(request, region),
        events.envelope(events.request("walk_and_talk", "laren"), region),
        events.envelope(events.offer("babysitting", "lochem"), region),
        # The same request again under a new event id (a partner sent it twice).
        events.envelope(request, region),
    ]


async def publish(js: JetStreamContext, region: str, envelopes: list[Envelope[Any]]) -> None:
    for envelope in envelopes:
        payload: Event = envelope.payload
        await js.publish(
            event_subject(region, type(payload)),
            envelope.model_dump_json().encode(),
            headers=envelope.headers(),
        )


async def publish_unknown_type(js: JetStreamContext, region: str) -> None:
    """An event type reporting does not count yet must be acknowledged, not retried."""
    subject = area_events(region, "registration").replace(">", "member_left.v1")
    headers = {
        MSG_ID_HEADER: str(uuid.uuid4()),
        EVENT_TYPE_HEADER: "registration.member_left",
        "Dorp-Schema-Version": "1",
    }
    await js.publish(subject, b'{"payload": {}}', headers=headers)


async def ask(nc: Client, region: str, body: bytes) -> dict[str, Any]:
    reply = await nc.request(command_subject(region, "reporting", "report"), body, timeout=5)
    answer: dict[str, Any] = json.loads(reply.data)
    return answer


async def all_consumed(js: JetStreamContext, region: str) -> bool:
    for area in AREAS:
        info = await js.consumer_info(stream_name(region, area), f"reporting-{area}")
        if info.num_pending or info.num_ack_pending or info.num_redelivered:
            return False
    return True


async def test_report_counts_events_once_even_when_replayed(settings: DorpSettings) -> None:
    region = settings.region
    async with nats_client(settings.nats_url or "") as nc:
        js = nc.jetstream()
        async with running_service(DEFINITION, settings):
            await publish(js, region, scenario(region))
            await publish_unknown_type(js, region)
            await eventually(lambda: all_consumed(js, region))
            first = await ask(nc, region, b'{"period": "all"}')

        figures = first["report"]["figures"]
        assert figures["members"] == {"value": 6, "display": "6", "suppressed": False}
        by_role = {line["role"]: line["members"] for line in figures["members_by_role"]}
        assert by_role["parent"]["value"] == 5
        assert by_role["volunteer"] == {"value": None, "display": "<5", "suppressed": True}
        assert [figures[name]["value"] for name in ("requests", "offers", "matches")] == [2, 1, 1]
        assert figures["notifications_sent"]["value"] == 2
        by_kind = {line["key"]: line for line in figures["by_kind"]}
        assert by_kind["babysitting"]["matches"]["value"] == 1
        assert "# Eerste rapportage — #Opladers, Gemeente Lochem" in first["markdown"]
        assert "| oppas | 1 | 1 | 1 |" in first["markdown"]

        # Replay everything: forget the consumers' positions so the streams deliver again.
        for area in AREAS:
            await js.delete_consumer(stream_name(region, area), f"reporting-{area}")
        async with running_service(DEFINITION, settings):
            await eventually(lambda: all_consumed(js, region))
            again = await ask(nc, region, b'{"period": "all"}')
            replayed = await js.consumer_info(
                stream_name(region, "registration"), "reporting-registration"
            )
    assert replayed.delivered.stream_seq == 11  # all 10 scenario events + 1 unknown, again
    assert again["report"]["figures"] == figures


async def test_a_year_with_nothing_in_it_reports_zero(settings: DorpSettings) -> None:
    region = settings.region
    async with nats_client(settings.nats_url or "") as nc, running_service(DEFINITION, settings):
        js = nc.jetstream()
        await publish(js, region, [events.envelope(events.request(), region)])
        await eventually(lambda: all_consumed(js, region))
        earlier = await ask(nc, region, b'{"period": "2024"}')
        this_year = await ask(nc, region, b'{"period": "2026"}')
    assert earlier["report"]["period"] == "2024"
    assert earlier["report"]["figures"]["requests"]["value"] == 0
    assert this_year["report"]["figures"]["requests"]["value"] == 1


async def test_bad_request_gets_an_answer_naming_the_field(settings: DorpSettings) -> None:
    region = settings.region
    async with nats_client(settings.nats_url or "") as nc, running_service(DEFINITION, settings):
        refused = await ask(nc, region, b'{"period": "last year"}')
        garbled = await ask(nc, region, b"{not json")
        still_fine = await ask(nc, region, b"")
    assert refused["errors"][0]["field"] == "period"
    assert refused["error"].startswith("period: ")
    assert "report" not in refused
    assert garbled["errors"][0]["field"] == "(body)"
    assert still_fine["report"]["period"] == "all"


async def test_no_personal_data_reaches_the_reporting_schema(settings: DorpSettings) -> None:
    region = settings.region
    sent = [events.envelope(events.member(), region), events.envelope(events.request(), region)]
    async with nats_client(settings.nats_url or "") as nc, running_service(DEFINITION, settings):
        js = nc.jetstream()
        await publish(js, region, sent)
        await eventually(lambda: all_consumed(js, region))
    conn = await asyncpg.connect(
        settings.database_url, server_settings={"search_path": "reporting"}
    )
    try:
        stored = ""
        for table in ("members", "requests", "offers", "matches", "notifications"):
            stored += repr(await conn.fetch(f"SELECT * FROM {table}"))
    finally:
        await conn.close()
    assert str(sent[0].payload.member_id) in stored
    payload = sent[1].payload
    assert isinstance(payload, HelpRequested) and str(payload.request_id) in stored
    for personal in ("Testouder", "example.org", "woensdagmiddag"):
        assert personal not in stored
