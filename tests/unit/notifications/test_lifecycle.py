"""After the proposal: confirmation (now with contact details), cancellation and expiry;
and privacy: contact updates, withdrawn consent and erasure reach every later message."""

from __future__ import annotations

from typing import Any

import pytest

from dorp_notifications import handlers
from dorp_notifications.domain.model import DeliveryStatus
from dorp_shared.contracts import Envelope, MemberRegistered, NotificationSent, wrap
from dorp_shared.contracts.events import ProposalCancelled, ProposalExpired
from dorp_shared.regions import Region, load_region
from tests.unit.notifications.builders import (
    confirmed,
    consent,
    erased,
    match,
    member,
    retention_warning,
    updated,
)
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


def env(payload: Any) -> Envelope[Any]:
    return wrap(payload, region="t", source="test")


class World:
    """The service's handlers with fakes at the edges, as the subscribers call them."""

    def __init__(self, uow: FakeNotificationsUnitOfWork, mailer: FakeMailer, region: Region):
        self.uow, self.mailer, self.region = uow, mailer, region
        self.kw: dict[str, Any] = {"uow": lambda: uow, "mailer": mailer, "region": region}

    async def registered(self, *members: MemberRegistered) -> None:
        for event in members:
            await handlers.register_recipient(env(event), self.uow)

    def outcomes(self) -> list[NotificationSent]:
        return [e.payload for e in self.uow.emitted if isinstance(e.payload, NotificationSent)]

    def outcomes_of(self, member: MemberRegistered) -> list[tuple[str, str | None]]:
        return [(o.status, o.reason) for o in self.outcomes() if o.recipient_id == member.member_id]

    def mails_to(self, address: str) -> list[str]:
        return [m.subject for m in self.mailer.sent if m.to_address == address]


@pytest.fixture
def world(uow: FakeNotificationsUnitOfWork, mailer: FakeMailer, region: Region) -> World:
    return World(uow, mailer, region)


async def test_confirmation_shares_the_other_address_only_now(world: World) -> None:
    anna = member("Anna", "anna@example.org", language="nl")
    bram = member("Bram de Boer", "bram@example.org", language="en")
    await world.registered(anna, bram)
    proposed = match(anna, bram)
    await handlers.notify_match(env(proposed), **world.kw)
    before = {m.to_address: m.text + m.html for m in world.mailer.sent}
    assert "bram@example.org" not in before["anna@example.org"]

    world.mailer.sent.clear()
    await handlers.notify_confirmed(env(confirmed(proposed)), **world.kw)
    after = {m.to_address: m for m in world.mailer.sent}
    assert after["anna@example.org"].subject == "Jullie match is bevestigd: oppas"
    assert after["bram@example.org"].subject == "Your match is confirmed: babysitting"
    for me, other_name, other_address in (
        ("anna@example.org", "Bram", "bram@example.org"),
        ("bram@example.org", "Anna", "anna@example.org"),
    ):
        for body in (after[me].text, after[me].html):
            assert other_name in body and other_address in body
    assert "de Boer" not in after["anna@example.org"].text
    assert "+31" not in after["anna@example.org"].text  # e-mail only, not the phone number


async def test_cancelled_and_expired_proposals_tell_both_who_were_asked(world: World) -> None:
    anna = member("Anna", "anna@example.org", language="nl")
    bram = member("Bram", "bram@example.org", language="en")
    await world.registered(anna, bram)
    first, second = match(anna, bram), match(anna, bram)
    for proposed in (first, second):
        await handlers.notify_match(env(proposed), **world.kw)
    world.mailer.sent.clear()

    cancelled = ProposalCancelled(proposal_id=first.proposal_id, reason="withdrawn")
    await handlers.notify_proposal_ended(env(cancelled), **world.kw)
    expired = ProposalExpired(proposal_id=second.proposal_id)
    await handlers.notify_proposal_ended(env(expired), **world.kw)

    assert world.mails_to("anna@example.org") == [
        "Je match gaat niet door: oppas in Laren",
        "Je match is verlopen: oppas in Laren",
    ]
    assert world.mails_to("bram@example.org") == [
        "Your match will not go ahead: babysitting in Laren",
        "Your match has expired: babysitting in Laren",
    ]
    unknown = ProposalExpired(proposal_id=anna.member_id)
    await handlers.notify_proposal_ended(env(unknown), **world.kw)
    assert len(world.mailer.sent) == 4


async def test_retention_warning_names_the_date_in_the_member_language(world: World) -> None:
    anna = member("Anna", "anna@example.org", language="nl")
    bram = member("Bram", "bram@example.org", language="en")
    await world.registered(anna, bram)
    for parent in (anna, bram):
        warning = env(retention_warning(parent))
        await handlers.notify_retention_warning(warning, **world.kw)
        await handlers.notify_retention_warning(warning, **world.kw)  # redelivered
    to = {m.to_address: m for m in world.mailer.sent}
    assert len(world.mailer.sent) == 2
    assert "19 december 2026" in to["anna@example.org"].subject
    assert "wissen we op 19 december 2026" in to["anna@example.org"].text
    assert "erase all your data on 19 December 2026" in to["bram@example.org"].text


async def test_updated_contact_and_language_are_used_from_then_on(world: World) -> None:
    anna = member("Anna", "anna@example.org", language="nl")
    await world.registered(anna)
    await handlers.update_recipient(
        env(updated(anna, email="anna.new@example.org", language="en")), world.uow
    )
    await handlers.notify_retention_warning(env(retention_warning(anna)), **world.kw)
    assert [(m.to_address, m.language) for m in world.mailer.sent] == [
        ("anna.new@example.org", "en")
    ]


async def test_withdrawn_consent_suppresses_and_cancels_pending(world: World) -> None:
    anna, bram = member("Anna", "anna@example.org"), member("Bram", "bram@example.org")
    await world.registered(anna, bram)
    proposed = env(match(anna, bram))
    world.mailer.fail_next = 1  # the first send crashes: both deliveries stay pending
    with pytest.raises(ConnectionError):
        await handlers.notify_match(proposed, **world.kw)

    await handlers.change_consent(env(consent(anna, notifications=False)), world.uow)
    await handlers.notify_match(proposed, **world.kw)
    await handlers.notify_retention_warning(env(retention_warning(anna)), **world.kw)

    assert [m.to_address for m in world.mailer.sent] == ["bram@example.org"]
    about_anna = world.outcomes_of(anna)
    assert about_anna == [("suppressed", "no_consent"), ("suppressed", "no_consent")]

    await handlers.change_consent(env(consent(anna, notifications=True)), world.uow)
    await handlers.notify_retention_warning(env(retention_warning(anna)), **world.kw)
    assert world.mails_to("anna@example.org") != []


async def test_erasure_deletes_contact_details_and_silences_later_events(world: World) -> None:
    anna, bram = member("Anna", "anna@example.org"), member("Bram", "bram@example.org")
    await world.registered(anna, bram)
    proposed = match(anna, bram)
    world.mailer.fail_next = 1
    with pytest.raises(ConnectionError):
        await handlers.notify_match(env(proposed), **world.kw)

    await handlers.erase_recipient(env(erased(anna)), world.uow)
    stored = world.uow.recipients.rows[anna.member_id]
    assert (stored.display_name, stored.email, stored.phone) == ("", None, None)
    pending = [d for d in world.uow.deliveries.rows.values() if d.recipient_id == anna.member_id]
    assert [(d.status, d.reason) for d in pending] == [(DeliveryStatus.SUPPRESSED, "erased")]

    await world.registered(anna)  # a stray redelivery does not bring the details back
    await handlers.update_recipient(env(updated(anna, email="again@example.org")), world.uow)
    await handlers.notify_match(env(proposed), **world.kw)
    await handlers.notify_confirmed(env(confirmed(proposed)), **world.kw)
    await handlers.notify_retention_warning(env(retention_warning(anna)), **world.kw)

    assert world.uow.recipients.rows[anna.member_id].email is None
    assert world.mails_to("anna@example.org") == world.mails_to("again@example.org") == []
    assert world.outcomes_of(anna) == []
    # Bram is not sent a proposal or confirmation about someone who no longer exists.
    assert world.mails_to("bram@example.org") == []
    assert world.outcomes_of(bram) == [("suppressed", "other_erased")] * 2
    cancelled = ProposalCancelled(proposal_id=proposed.proposal_id, reason="erased")
    await handlers.notify_proposal_ended(env(cancelled), **world.kw)
    assert world.mails_to("bram@example.org") == ["Je match gaat niet door: oppas in Laren"]


async def test_erasure_of_a_member_never_seen_is_not_an_error(world: World) -> None:
    stranger = member("Cas", "cas@example.org")
    await handlers.erase_recipient(env(erased(stranger)), world.uow)
    await handlers.notify_retention_warning(env(retention_warning(stranger)), **world.kw)
    assert world.mailer.sent == []
