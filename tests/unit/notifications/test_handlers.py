"""Handlers with fakes at the edges: each parent gets one e-mail per match, never two,
and people without consent or address get none."""

from __future__ import annotations

from typing import Any

import pytest

from dorp_notifications.domain.model import DeliveryStatus
from dorp_notifications.handlers import notify_match, register_recipient
from dorp_notifications.ports import RecipientRefusedError
from dorp_shared.contracts import Consents, Envelope, MemberRegistered, NotificationSent, wrap
from dorp_shared.errors import NotReadyYet
from dorp_shared.regions import Region, load_region
from tests.unit.notifications.builders import match, member
from tests.unit.notifications.fakes import FakeMailer, FakeNotificationsUnitOfWork


@pytest.fixture
def region() -> Region:
    return load_region("lochem")


@pytest.fixture
def uow() -> FakeNotificationsUnitOfWork:
    return FakeNotificationsUnitOfWork()


@pytest.fixture
def mailer() -> FakeMailer:
    return FakeMailer()


async def registered(uow: FakeNotificationsUnitOfWork, *members: MemberRegistered) -> None:
    for event in members:
        await register_recipient(wrap(event, region="t", source="registration"), uow)


async def notify(
    envelope: Envelope[Any], uow: FakeNotificationsUnitOfWork, mailer: FakeMailer, region: Region
) -> None:
    await notify_match(envelope, uow=lambda: uow, mailer=mailer, region=region)


def outcomes(uow: FakeNotificationsUnitOfWork) -> list[NotificationSent]:
    return [e.payload for e in uow.emitted if isinstance(e.payload, NotificationSent)]


def sent_events(uow: FakeNotificationsUnitOfWork) -> list[NotificationSent]:
    return [outcome for outcome in outcomes(uow) if outcome.status == "sent"]


async def test_both_parents_get_one_mail_each_in_their_language(
    uow: FakeNotificationsUnitOfWork, mailer: FakeMailer, region: Region
) -> None:
    anna = member("Anna", "anna@example.org", language="nl")
    bram = member("Bram", "bram@example.org", language="en")
    await registered(uow, anna, bram)
    await notify(wrap(match(anna, bram), region="t", source="matching"), uow, mailer, region)

    by_address = {mail.to_address: mail for mail in mailer.sent}
    assert set(by_address) == {"anna@example.org", "bram@example.org"}
    assert by_address["anna@example.org"].subject.startswith("Je hebt een match")
    assert by_address["bram@example.org"].subject.startswith("You have a match")
    assert "bram@example.org" not in by_address["anna@example.org"].text
    events = sent_events(uow)
    assert {(e.recipient_id, e.language) for e in events} == {
        (anna.member_id, "nl"),
        (bram.member_id, "en"),
    }


async def test_redelivered_match_sends_nothing_twice(
    uow: FakeNotificationsUnitOfWork, mailer: FakeMailer, region: Region
) -> None:
    anna, bram = member("Anna", "anna@example.org"), member("Bram", "bram@example.org")
    await registered(uow, anna, bram)
    envelope = wrap(match(anna, bram), region="t", source="matching")
    for _ in range(3):
        await notify(envelope, uow, mailer, region)
    assert len(mailer.sent) == 2
    assert len(sent_events(uow)) == 2


async def test_crash_mid_send_resends_with_the_same_message_id(
    uow: FakeNotificationsUnitOfWork, mailer: FakeMailer, region: Region
) -> None:
    anna, bram = member("Anna", "anna@example.org"), member("Bram", "bram@example.org")
    await registered(uow, anna, bram)
    envelope = wrap(match(anna, bram), region="t", source="matching")
    mailer.fail_next = 1
    with pytest.raises(ConnectionError):
        await notify(envelope, uow, mailer, region)
    intents = {d.recipient_id: d for d in uow.deliveries.rows.values()}
    assert {d.status for d in intents.values()} == {DeliveryStatus.SENDING}

    await notify(envelope, uow, mailer, region)
    assert sorted(m.to_address for m in mailer.sent) == ["anna@example.org", "bram@example.org"]
    assert {m.message_id for m in mailer.sent} == {d.message_id for d in intents.values()}
    assert len(sent_events(uow)) == 2


async def test_no_consent_or_no_address_is_suppressed_with_a_reason(
    uow: FakeNotificationsUnitOfWork, mailer: FakeMailer, region: Region
) -> None:
    anna = member("Anna", "anna@example.org", consent=False)
    bram = member("Bram", None)
    await registered(uow, anna, bram)
    await notify(wrap(match(anna, bram), region="t", source="matching"), uow, mailer, region)

    assert mailer.sent == []
    reasons = {d.recipient_id: (d.status, d.reason) for d in uow.deliveries.rows.values()}
    assert reasons == {
        anna.member_id: (DeliveryStatus.SUPPRESSED, "no_consent"),
        bram.member_id: (DeliveryStatus.SUPPRESSED, "no_email"),
    }
    published = {(e.recipient_id, e.status, e.reason) for e in outcomes(uow)}
    assert published == {
        (anna.member_id, "suppressed", "no_consent"),
        (bram.member_id, "suppressed", "no_email"),
    }


async def test_unknown_member_is_not_ready_yet(
    uow: FakeNotificationsUnitOfWork, mailer: FakeMailer, region: Region
) -> None:
    anna, bram = member("Anna", "anna@example.org"), member("Bram", "bram@example.org")
    await registered(uow, anna)
    with pytest.raises(NotReadyYet):
        await notify(wrap(match(anna, bram), region="t", source="matching"), uow, mailer, region)
    assert mailer.sent == []


async def test_refused_recipient_fails_that_delivery_only(
    uow: FakeNotificationsUnitOfWork, mailer: FakeMailer, region: Region
) -> None:
    anna, bram = member("Anna", "anna@example.org"), member("Bram", "bram@example.org")
    await registered(uow, anna, bram)
    mailer.fail_next = 1
    mailer.failure = RecipientRefusedError("550")
    await notify(wrap(match(anna, bram), region="t", source="matching"), uow, mailer, region)

    statuses = sorted(d.status for d in uow.deliveries.rows.values())
    assert statuses == [DeliveryStatus.FAILED, DeliveryStatus.SENT]
    assert len(mailer.sent) == 1
    assert sorted((e.status, e.reason) for e in outcomes(uow)) == [
        ("failed", "recipient_refused"),
        ("sent", None),
    ]


async def test_member_registered_stores_contact_details_and_consent(
    uow: FakeNotificationsUnitOfWork,
) -> None:
    anna = member("Anna", "anna@example.org", language="en")
    await register_recipient(wrap(anna, region="t", source="registration"), uow)
    stored = uow.recipients.rows[anna.member_id]
    assert (stored.email, stored.preferred_language, stored.consents_notifications) == (
        "anna@example.org",
        "en",
        True,
    )


async def test_crashed_send_is_not_resent_after_consent_is_withdrawn(
    uow: FakeNotificationsUnitOfWork, mailer: FakeMailer, region: Region
) -> None:
    anna, bram = member("Anna", "anna@example.org"), member("Bram", "bram@example.org")
    await registered(uow, anna, bram)
    envelope = wrap(match(anna, bram), region="t", source="matching")
    mailer.fail_next = 1
    with pytest.raises(ConnectionError):
        await notify(envelope, uow, mailer, region)

    await registered(uow, anna.model_copy(update={"consents": Consents(notifications=False)}))
    await notify(envelope, uow, mailer, region)

    assert [m.to_address for m in mailer.sent] == ["bram@example.org"]
    anna_delivery = next(
        d for d in uow.deliveries.rows.values() if d.recipient_id == anna.member_id
    )
    assert (anna_delivery.status, anna_delivery.reason) == (DeliveryStatus.SUPPRESSED, "no_consent")
