"""The real notifications service (real NATS, PostgreSQL and an aiosmtpd SMTP server) after a
proposal and around privacy: what each parent receives, in which language, and what no one
receives any more once consent is withdrawn or a member is erased."""

from __future__ import annotations

import json
import uuid
from email.message import Message
from typing import Any

import asyncpg
import pytest
from nats.js import JetStreamContext

from dorp_notifications.bootstrap import DEFINITION
from dorp_shared.contracts import Envelope, wrap
from dorp_shared.contracts.events import ProposalExpired, SignedUp
from dorp_shared.contracts.subjects import payload_subject, stream_name
from dorp_shared.messaging import wait_for_stream_messages
from dorp_shared.settings import DorpSettings
from tests.integration.notifications.test_notifications_service import caught_up
from tests.support.mail import Inbox, body_text, smtp_server
from tests.support.services import eventually, nats_client, running_service
from tests.unit.notifications.builders import (
    confirmed,
    consent,
    erased,
    initiative,
    match,
    member,
    retention_warning,
    session,
    updated,
)

pytestmark = pytest.mark.integration


async def publish(js: JetStreamContext, envelope: Envelope[Any], msg_id: str = "") -> None:
    headers = envelope.headers()
    if msg_id:
        headers["Nats-Msg-Id"] = msg_id
    subject = payload_subject(envelope.region, envelope.payload)
    await js.publish(subject, envelope.model_dump_json().encode(), headers=headers)


async def received(inbox: Inbox, count: int) -> bool:
    return len(inbox.messages) >= count


def subjects_to(inbox: Inbox, address: str) -> list[str]:
    return [str(message["Subject"]) for message in inbox.to(address)]


def text_to(inbox: Inbox, address: str) -> str:
    return "\n".join(body_text(message) for message in inbox.to(address))


def whole(messages: list[Message]) -> str:
    return "\n".join(message.as_string() for message in messages)


async def test_proposal_confirmation_and_expiry_reach_both_parents_once(
    settings: DorpSettings,
) -> None:
    region = settings.region
    anna = member("Anna", "anna@example.org", language="nl", phone="+31 6 1111 2222")
    bram = member("Bram", "bram@example.org", language="en", phone="+31 6 3333 4444")
    first, second = match(anna, bram), match(anna, bram)
    confirmation = wrap(confirmed(first), region=region, source="matching")
    with smtp_server() as (inbox, port):
        service_settings = settings.model_copy(update={"smtp_port": port})
        async with (
            running_service(DEFINITION, service_settings),
            nats_client(settings.nats_url or "") as nc,
        ):
            js = nc.jetstream()
            for parent in (anna, bram):
                await publish(js, wrap(parent, region=region, source="registration"))
            await publish(js, wrap(first, region=region, source="matching"))
            await eventually(lambda: received(inbox, 2))
            proposals = list(inbox.messages)

            await publish(js, confirmation)
            await eventually(lambda: received(inbox, 4))
            await publish(js, wrap(second, region=region, source="matching"))
            expiry = ProposalExpired(proposal_id=second.proposal_id)
            await publish(js, wrap(expiry, region=region, source="matching"))
            await eventually(lambda: received(inbox, 8))
            await publish(js, confirmation, msg_id=f"replay-{uuid.uuid4()}")
            await eventually(lambda: caught_up(js, region, "notifications-matching", 5))

    # Before both said yes: no address or phone number of the other, in any part.
    for message in proposals:
        to_anna = "anna@example.org" in str(message["To"])
        other = bram if to_anna else anna
        assert other.contact.email and other.contact.email not in message.as_string()
        assert other.contact.phone and other.contact.phone not in message.as_string()

    assert len(inbox.messages) == 8  # the replayed confirmation sent nothing
    assert subjects_to(inbox, "anna@example.org") == [
        "Je hebt een match: oppas in Laren",
        "Jullie match is bevestigd: oppas",
        "Je hebt een match: oppas in Laren",
        "Je match is verlopen: oppas in Laren",
    ]
    assert subjects_to(inbox, "bram@example.org") == [
        "You have a match: babysitting in Laren",
        "Your match is confirmed: babysitting",
        "You have a match: babysitting in Laren",
        "Your match has expired: babysitting in Laren",
    ]
    confirmed_to_anna, confirmed_to_bram = (
        inbox.to("anna@example.org")[1],
        inbox.to("bram@example.org")[1],
    )
    assert "contact opnemen met Bram: bram@example.org" in body_text(confirmed_to_anna)
    assert "get in touch with Anna: anna@example.org" in body_text(confirmed_to_bram)
    assert "+31 6 3333 4444" not in whole([confirmed_to_anna])


async def test_updates_consent_and_erasure_decide_who_hears_anything(
    settings: DorpSettings,
) -> None:
    region = settings.region
    anna = member("Anna", "anna@example.org", language="nl")
    bram = member("Bram", "bram@example.org", language="nl")
    cas = member("Cas", "cas@example.org", language="nl", phone="+31 6 5555 6666")

    def registration(payload: Any) -> Envelope[Any]:
        return wrap(payload, region=region, source="registration")

    with smtp_server() as (inbox, port):
        service_settings = settings.model_copy(update={"smtp_port": port})
        async with (
            running_service(DEFINITION, service_settings),
            nats_client(settings.nats_url or "") as nc,
        ):
            js = nc.jetstream()
            for event in (
                anna,
                bram,
                cas,
                updated(anna, email="anna.new@example.org", language="en"),
                consent(bram, notifications=False),
                erased(cas),
                retention_warning(anna),
                retention_warning(bram),
                retention_warning(cas),
            ):
                await publish(js, registration(event))
            await eventually(lambda: caught_up(js, region, "notifications-registration", 9))
            await eventually(lambda: received(inbox, 1))
            await wait_for_stream_messages(js, stream_name(region, "notifications"), 2, 15)
            outcomes = await _published_outcomes(js, region)

    assert [message["To"] for message in inbox.messages] == ["Anna <anna.new@example.org>"]
    assert subjects_to(inbox, "anna.new@example.org") == [
        "Your data at #Opladers will be erased on 19 December 2026"
    ]
    assert "Want to stay?" in text_to(inbox, "anna.new@example.org")

    by_member = {(o["recipient_id"], o.get("status"), o.get("reason")) for o in outcomes}
    assert by_member == {
        (str(anna.member_id), "sent", None),
        (str(bram.member_id), "suppressed", "no_consent"),
    }  # nothing at all is published about Cas, who was erased

    stored = await _notifications_tables(settings)
    assert str(cas.member_id) in stored
    for personal in ("Cas", "cas@example.org", "5555", "anna@example.org"):
        assert personal not in stored


async def test_sign_up_is_confirmed_with_day_time_and_place(settings: DorpSettings) -> None:
    region = settings.region
    anna = member("Anna", "anna@example.org", language="nl")
    cafe = initiative()
    scheduled = session(cafe)
    signed = SignedUp(member_id=anna.member_id, session_id=scheduled.session_id, status="confirmed")
    with smtp_server() as (inbox, port):
        service_settings = settings.model_copy(update={"smtp_port": port})
        async with (
            running_service(DEFINITION, service_settings),
            nats_client(settings.nats_url or "") as nc,
        ):
            js = nc.jetstream()
            for event in (cafe, scheduled, anna, signed):
                await publish(js, wrap(event, region=region, source="registration"))
            await eventually(lambda: received(inbox, 1))

    [mail] = inbox.messages
    assert mail["Subject"] == "Je bent aangemeld: Ouderkamer De Esch, zaterdag 5 december 2026"
    assert "Wanneer: zaterdag 5 december 2026, 10:00-12:00" in body_text(mail)
    assert "Waar: Bibliotheek Laren, Dorpsstraat 1" in body_text(mail)


async def _published_outcomes(js: JetStreamContext, region: str) -> list[dict[str, Any]]:
    stream = stream_name(region, "notifications")
    count = (await js.stream_info(stream)).state.messages
    return [
        json.loads((await js.get_msg(stream, seq)).data or b"")["payload"]
        for seq in range(1, count + 1)
    ]


async def _notifications_tables(settings: DorpSettings) -> str:
    conn = await asyncpg.connect(
        settings.database_url, server_settings={"search_path": "notifications"}
    )
    try:
        stored = ""
        for table in ("recipients", "deliveries", "proposals"):
            stored += repr(await conn.fetch(f"SELECT * FROM {table}"))
        return stored
    finally:
        await conn.close()
