"""The real notifications service against real NATS, PostgreSQL and a real SMTP server
(aiosmtpd on a free local port): a proposed match e-mails both parents exactly once."""

from __future__ import annotations

import email
import email.policy
import json
import socket
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

import asyncpg
import pytest
from aiosmtpd.controller import Controller
from nats.js import JetStreamContext

from dorp_notifications.bootstrap import DEFINITION
from dorp_shared.contracts import Envelope, HelpRequested, MemberRegistered, wrap
from dorp_shared.contracts.subjects import event_subject, stream_name
from dorp_shared.messaging import wait_for_stream_messages
from dorp_shared.settings import DorpSettings
from tests.support.services import eventually, nats_client, running_service
from tests.unit.notifications.builders import match, member

pytestmark = pytest.mark.integration


@dataclass
class Inbox:
    """aiosmtpd handler: keeps every message it accepts."""

    messages: list[tuple[list[str], EmailMessage]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append((list(envelope.rcpt_tos), parsed))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


async def publish(
    js: JetStreamContext, region: str, envelope: Envelope[Any], msg_id: str = ""
) -> None:
    headers = envelope.headers()
    if msg_id:
        headers["Nats-Msg-Id"] = msg_id
    subject = event_subject(region, type(envelope.payload))
    await js.publish(subject, envelope.model_dump_json().encode(), headers=headers)


async def caught_up(js: JetStreamContext, region: str, durable: str, messages: int) -> bool:
    info = await js.consumer_info(stream_name(region, durable.split("-")[1]), durable)
    return (
        info.delivered.stream_seq >= messages
        and info.num_ack_pending == 0
        and (info.num_pending == 0)
    )


async def tried(js: JetStreamContext, region: str, durable: str) -> bool:
    """The consumer has handled (and put back) at least one delivery."""
    info = await js.consumer_info(stream_name(region, durable.split("-")[1]), durable)
    return info.num_redelivered > 0


def body(message: EmailMessage, subtype: str) -> str:
    part = message.get_body(preferencelist=(subtype,))
    assert part is not None
    return str(part.get_content())  # type: ignore[attr-defined]


async def test_match_mails_both_parents_once_even_when_replayed(
    settings: DorpSettings, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    region = settings.region
    anna = member("Anna", "anna@example.org", language="nl", phone="+31 6 1111 2222")
    bram = member("Bram", "bram@example.org", language="en", phone="+31 6 3333 4444")
    proposed = wrap(match(anna, bram), region=region, source="matching")

    service_settings = settings.model_copy(update={"smtp_port": port})
    async with (
        running_service(DEFINITION, service_settings),
        nats_client(settings.nats_url or "") as nc,
    ):
        js = nc.jetstream()
        for parent in (anna, bram):
            await publish(js, region, wrap(parent, region=region, source="registration"))
        await publish(js, region, proposed)

        await eventually(lambda: _true(len(inbox.messages) >= 2))
        held = await wait_for_stream_messages(js, stream_name(region, "notifications"), 2, 15)
        assert held == 2

        # The same event again, under another Nats-Msg-Id so the stream does not drop it.
        await publish(js, region, proposed, msg_id=f"replay-{uuid.uuid4()}")
        await eventually(lambda: caught_up(js, region, "notifications-matching", 2))
        sent = [
            json.loads((await js.get_msg(stream_name(region, "notifications"), seq)).data or b"")
            for seq in (1, 2)
        ]

    assert len(inbox.messages) == 2
    by_recipient = {rcpts[0]: message for rcpts, message in inbox.messages}
    assert set(by_recipient) == {"anna@example.org", "bram@example.org"}
    to_anna, to_bram = by_recipient["anna@example.org"], by_recipient["bram@example.org"]
    assert to_anna["Subject"] == "Je hebt een match: oppas in Laren"
    assert to_bram["Subject"] == "You have a match: babysitting in Laren"
    assert "Bram" in body(to_anna, "plain") and "Anna" in body(to_bram, "html")
    for message, other in ((to_anna, bram), (to_bram, anna)):
        whole = message.as_string()
        assert other.contact.email is not None and other.contact.email not in whole
        assert other.contact.phone is not None and other.contact.phone not in whole

    assert {event["payload"]["recipient_id"] for event in sent} == {
        str(anna.member_id),
        str(bram.member_id),
    }
    assert all(event["causation_id"] == str(proposed.event_id) for event in sent)
    assert all(event["correlation_id"] == proposed.correlation_id for event in sent)
    assert {event["payload"]["language"] for event in sent} == {"nl", "en"}


async def test_match_before_members_waits_for_them(
    settings: DorpSettings, smtp: tuple[Inbox, int]
) -> None:
    """Registration and matching are separate streams: a proposal may overtake the members."""
    inbox, port = smtp
    region = settings.region
    anna, bram = member("Anna", "anna@example.org"), member("Bram", "bram@example.org")
    service_settings = settings.model_copy(update={"smtp_port": port, "max_deliver": 10})
    async with (
        running_service(DEFINITION, service_settings),
        nats_client(settings.nats_url or "") as nc,
    ):
        js = nc.jetstream()
        await publish(js, region, wrap(match(anna, bram), region=region, source="matching"))
        await eventually(lambda: tried(js, region, "notifications-matching"))
        for parent in (anna, bram):
            await publish(js, region, wrap(parent, region=region, source="registration"))
        await eventually(lambda: _true(len(inbox.messages) == 2), timeout=20)
    assert sorted(r[0] for r, _ in inbox.messages) == ["anna@example.org", "bram@example.org"]


def asks(parent: MemberRegistered) -> HelpRequested:
    return HelpRequested(
        request_id=uuid.uuid4(),
        member_id=parent.member_id,
        kind="babysitting",
        home_area="laren",
        languages=("nl",),
    )


async def _true(value: bool) -> bool:
    return value


async def test_mail_server_down_is_retried_until_it_answers(settings: DorpSettings) -> None:
    """A connection failure is transient: the delivery stays pending with a stored
    next attempt (backoff), and goes out once the server answers; nothing is lost."""
    region, port, inbox = settings.region, free_port(), Inbox()
    anna, bram = member("Anna", "anna@example.org"), member("Bram", "bram@example.org")
    service_settings = settings.model_copy(update={"smtp_port": port})
    async with (
        running_service(DEFINITION, service_settings),
        nats_client(settings.nats_url or "") as nc,
    ):
        js = nc.jetstream()
        for parent in (anna, bram):
            await publish(js, region, wrap(parent, region=region, source="registration"))
        # Tolerant reader: an event type notifications does not use is acknowledged.
        await publish(js, region, wrap(asks(anna), region=region, source="registration"))
        await eventually(lambda: caught_up(js, region, "notifications-registration", 3))
        await publish(js, region, wrap(match(anna, bram), region=region, source="matching"))
        await eventually(lambda: attempted(settings.database_url or ""))

        controller = Controller(inbox, hostname="127.0.0.1", port=port)
        controller.start()
        try:
            await eventually(lambda: _true(len(inbox.messages) == 2), timeout=30)
        finally:
            controller.stop()
    assert sorted(r[0] for r, _ in inbox.messages) == ["anna@example.org", "bram@example.org"]


async def attempted(dsn: str) -> bool:
    """Both deliveries failed at least once and wait, pending, for their next attempt."""
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch(
            "SELECT attempts, last_error FROM notifications.deliveries WHERE status = 'sending'"
        )
    finally:
        await conn.close()
    return len(rows) == 2 and all(r["attempts"] >= 1 and r["last_error"] for r in rows)
