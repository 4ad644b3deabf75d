"""The real notifications service with every channel: SMS through a local HTTP gateway
(held back in quiet hours, retried, refused numbers dead-lettered), e-mail over a real
SMTP server, and the in-app inbox over HTTP and NATS request/reply."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import pytest
from nats.js import JetStreamContext

from dorp_notifications.bootstrap import DEFINITION
from dorp_shared.contracts import Envelope, wrap
from dorp_shared.contracts.subjects import event_subject, stream_name
from dorp_shared.regions import load_region
from dorp_shared.settings import DorpSettings
from tests.integration.notifications.gateway import Gateway, sms_gateway
from tests.support.api import service_api
from tests.support.mail import smtp_server
from tests.support.services import eventually
from tests.unit.notifications.builders import match, member

pytestmark = pytest.mark.integration
API_KEY = "test-key-123"


@pytest.fixture
def gateway(monkeypatch: pytest.MonkeyPatch) -> Any:
    with sms_gateway() as running:
        monkeypatch.setenv("DORP_SMS_GATEWAY_URL", running.url)
        monkeypatch.setenv("DORP_SMS_API_KEY", API_KEY)
        monkeypatch.setenv("DORP_SMS_SENDER", "Opladers")
        monkeypatch.setenv("DORP_NOTIFY_POLL_SECONDS", "0.2")
        yield running


def quiet_until(regions_dir: Path, region_id: str, seconds: int) -> dt.datetime:
    """Quiet hours that began two hours ago and end ``seconds`` from now (region time)."""
    zone = ZoneInfo(load_region(region_id, regions_dir).time_zone)
    end = dt.datetime.now(zone) + dt.timedelta(seconds=seconds)
    start = end - dt.timedelta(hours=2)
    path = regions_dir / f"{region_id}.toml"
    path.write_text(
        path.read_text(encoding="utf-8")
        + f'\n[quiet_hours]\nstart = "{start:%H:%M:%S}"\nend = "{end:%H:%M:%S}"\n',
        encoding="utf-8",
    )
    return end


def no_quiet_hours(settings: DorpSettings) -> None:
    """A start equal to the end: texts go out at any hour, so the test does not depend on
    the time of day it runs at."""
    assert settings.regions_dir is not None
    path = settings.regions_dir / f"{settings.region}.toml"
    path.write_text(
        path.read_text(encoding="utf-8") + '\n[quiet_hours]\nstart = "00:00"\nend = "00:00"\n',
        encoding="utf-8",
    )


async def publish(js: JetStreamContext, envelope: Envelope[Any]) -> None:
    subject = event_subject(envelope.region, type(envelope.payload))
    await js.publish(subject, envelope.model_dump_json().encode(), headers=envelope.headers())


async def rows(dsn: str, sql: str) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(dsn)
    try:
        return list(await conn.fetch(sql))
    finally:
        await conn.close()


async def test_sms_waits_out_the_quiet_hours_then_goes_once_through_the_gateway(
    settings: DorpSettings, regions_dir: Path, gateway: Gateway
) -> None:
    region = settings.region
    end = quiet_until(regions_dir, region, seconds=12)
    anna = member("Anna", None, phone="+31 6 1111 2222", channel="sms")
    bram = member("Bram", "bram@example.org", language="en", phone=None, channel="sms")
    with smtp_server() as (mails, port):
        service = settings.model_copy(update={"smtp_port": port})
        async with service_api(DEFINITION, service) as api:
            js = api.nc.jetstream()
            for parent in (anna, bram):
                await publish(js, wrap(parent, region=region, source="registration"))
            await publish(js, wrap(match(anna, bram), region=region, source="matching"))
            await eventually(lambda: _true(len(mails.messages) == 1))

            async def only_the_sms_waits() -> bool:
                held = await rows(
                    settings.database_url or "",
                    "SELECT channel, held FROM notifications.deliveries WHERE status = 'sending'",
                )
                return [(r["channel"], r["held"]) for r in held] == [("sms", "quiet_hours")]

            await eventually(only_the_sms_waits)
            assert gateway.received == []  # e-mail went at once; the SMS waits
            [waiting] = (await api.ok("pending_list", {"member_id": str(anna.member_id)}))[
                "pending"
            ]
            assert (waiting["template"], waiting["channel"], waiting["held"]) == (
                "match_proposed",
                "sms",
                "quiet_hours",
            )
            due = dt.datetime.fromisoformat(waiting["due_at"])
            assert abs((due - end).total_seconds()) < 1  # when the quiet hours end
            await eventually(lambda: _true(len(gateway.accepted()) == 1), timeout=45)
            outcomes = await eventually(lambda: _outcomes(js, region, 2))
            assert (await api.ok("pending_list", {"member_id": str(anna.member_id)}))[
                "pending"
            ] == []

    [(headers, text)] = gateway.received
    assert headers["X-Api-Key"] == API_KEY
    assert text["to"] == "+31 6 1111 2222" and text["from"] == "Opladers"
    assert text["text"].startswith("Je hebt een match: oppas in Laren")
    assert "bram@example.org" not in text["text"]
    assert uuid.UUID(text["reference"])
    # Every outcome says why its channel: Bram prefers SMS but has no phone number.
    why = {
        o["payload"]["recipient_id"]: (
            o["payload"]["channel"],
            o["payload"]["channel_reason"],
            o["payload"]["held"],
        )
        for o in outcomes
    }
    assert why == {
        str(anna.member_id): ("sms", "preferred", "quiet_hours"),
        str(bram.member_id): ("email", "no_phone", None),
    }


async def test_gateway_errors_are_retried_and_refusals_dead_lettered(
    settings: DorpSettings, gateway: Gateway
) -> None:
    region = settings.region
    no_quiet_hours(settings)
    gateway.answers = [503]
    gateway.refuse_numbers = {"+31 6 0000 0000"}
    anna = member("Anna", None, phone="+31 6 1111 2222", channel="sms")
    bram = member("Bram", None, phone="+31 6 0000 0000", channel="sms")
    with smtp_server() as (_, port):
        service = settings.model_copy(update={"smtp_port": port})
        async with service_api(DEFINITION, service) as api:
            js = api.nc.jetstream()
            for parent in (anna, bram):
                await publish(js, wrap(parent, region=region, source="registration"))
            await publish(js, wrap(match(anna, bram), region=region, source="matching"))
            await eventually(lambda: _true(len(gateway.accepted()) == 1), timeout=20)
            dead = await eventually(lambda: _stream(js, stream_name(region, "deadletter")))
            outcomes = await eventually(lambda: _outcomes(js, region, 2))

    assert [body["to"] for body in gateway.accepted()] == ["+31 6 1111 2222"]
    assert json.loads(dead[0])["reason"] == "refused"
    assert "+31 6 0000 0000" not in dead[0].decode()
    by_status = {o["payload"]["status"]: o["payload"] for o in outcomes}
    assert by_status["sent"]["recipient_id"] == str(anna.member_id)
    assert by_status["failed"]["reason"] == "refused"
    assert by_status["failed"]["channel"] == "sms"
    assert by_status["failed"]["channel_reason"] == by_status["sent"]["channel_reason"]
    assert by_status["sent"]["channel_reason"] == "preferred"


async def test_inbox_is_readable_over_http_and_nats(settings: DorpSettings) -> None:
    region = settings.region
    anna = member("Anna", None, phone=None, channel="app")
    bram = member("Bram", None, phone=None, channel="app", language="ar")
    with smtp_server() as (_, port):
        service = settings.model_copy(update={"smtp_port": port})
        async with service_api(DEFINITION, service) as api:
            js = api.nc.jetstream()
            for parent in (anna, bram):
                await publish(js, wrap(parent, region=region, source="registration"))
            await publish(js, wrap(match(anna, bram), region=region, source="matching"))

            async def listed() -> dict[str, Any] | None:
                got = await api.ok("inbox_list", {"member_id": str(anna.member_id)})
                return got if got["messages"] else None

            inbox = await eventually(listed)
            status, arabic = await api.request("inbox_list", {"member_id": str(bram.member_id)})
            [message] = inbox["messages"]
            assert message["subject"] == "Je hebt een match: oppas in Laren"
            assert "Bram wil je daarbij helpen" in message["text"]
            assert status == 200 and arabic["messages"][0]["language"] == "ar"

            body = {"member_id": str(anna.member_id), "message_ids": [message["message_id"]]}
            status, marked = await api.request("inbox_mark_read", body, key="read-1")
            assert (status, marked["marked"]) == (200, 1)
            again = await api.ok("inbox_mark_read", body)
            assert again["marked"] == 0
            unread = {"member_id": str(anna.member_id), "unread_only": True}
            assert (await api.ok("inbox_list", unread))["messages"] == []
            stranger = {"member_id": str(uuid.uuid4()), "daily_digest": True}
            assert (await api.post("set_notification_preferences", stranger)).status_code == 404
            digest = {"member_id": str(anna.member_id), "daily_digest": True}
            assert (await api.ok("set_notification_preferences", digest))["daily_digest"]


async def _stream(js: JetStreamContext, stream: str) -> list[bytes] | None:
    info = await js.stream_info(stream)
    if not info.state.messages:
        return None
    return [
        (await js.get_msg(stream, seq)).data or b"" for seq in range(1, info.state.messages + 1)
    ]


async def _outcomes(js: JetStreamContext, region: str, count: int) -> list[Any] | None:
    stream = stream_name(region, "notifications")
    found = await _stream(js, stream)
    if found is None or len(found) < count:
        return None
    return [json.loads(item) for item in found]


async def _true(value: bool) -> bool:
    return value
