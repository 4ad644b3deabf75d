"""Proposals and their outcome, with fakes at the edges: each parent hears once, in their
language, without the other's contact details until both said yes."""

from __future__ import annotations

import pytest

from dorp_notifications.domain.model import DeliveryStatus
from dorp_notifications.match_notices import notify_match
from dorp_shared.contracts.events import (
    MatchCompleted,
    ProposalAccepted,
    ProposalApproved,
    ProposalCancelled,
    ProposalDeclined,
    ProposalExpired,
    ProposalRejected,
)
from dorp_shared.errors import NotReadyYet
from dorp_shared.regions import load_region
from tests.unit.notifications.builders import confirmed, match, member
from tests.unit.notifications.world import World


@pytest.fixture
def world() -> World:
    return World(load_region("lochem"))


async def test_both_parents_get_one_mail_each_in_their_language(world: World) -> None:
    anna = member("Anna", "anna@example.org", language="nl")
    bram = member("Bram", "bram@example.org", language="en")
    for m in (anna, bram):
        await world.deliver(m)
    await world.deliver(match(anna, bram))
    await world.send()

    [to_anna], [to_bram] = world.mails_to("anna@example.org"), world.mails_to("bram@example.org")
    assert to_anna.subject.startswith("Je hebt een match")
    assert to_bram.subject.startswith("You have a match")
    assert "bram@example.org" not in to_anna.text + to_anna.html
    assert "Bram wil je daarbij helpen" in to_anna.text
    assert "You both live in Laren" in to_bram.text
    assert {(e.recipient_id, e.language) for e in world.sent()} == {
        (anna.member_id, "nl"),
        (bram.member_id, "en"),
    }


async def test_redelivered_match_sends_nothing_twice(world: World) -> None:
    anna, bram = member("Anna", "anna@example.org"), member("Bram", "bram@example.org")
    for m in (anna, bram):
        await world.deliver(m)
    envelope = await world.deliver(match(anna, bram))
    await world.send()
    for _ in range(2):  # the same envelope again, as JetStream would redeliver it
        await notify_match(envelope, uow=lambda: world.uow, notifier=world.notifier)
    await world.send()
    assert len(world.mailer.sent) == 2
    assert len(world.sent()) == 2


async def test_unknown_member_is_not_ready_yet(world: World) -> None:
    anna = member("Anna", "anna@example.org")
    await world.deliver(anna)
    with pytest.raises(NotReadyYet):
        await world.deliver(match(anna, member("Bram", "bram@example.org")))
    await world.send()
    assert world.mailer.sent == []


async def test_confirmation_shares_contact_details_only_now(world: World) -> None:
    anna = member("Anna", "anna@example.org", phone="+31 6 1111 2222")
    bram = member("Bram", None, phone=None)
    for m in (anna, bram):
        await world.deliver(m)
    proposed = match(anna, bram)
    await world.deliver(proposed)
    await world.send()
    assert all("+31 6 1111 2222" not in m.text for m in world.mailer.sent)

    await world.deliver(confirmed(proposed))
    await world.send()
    [confirmation] = [m for m in world.mails_to("anna@example.org") if "bevestigd" in m.subject]
    assert "Bram heeft geen e-mailadres bij ons" in confirmation.text
    [inbox_bram] = [m for m in world.uow.inbox_messages.rows.values() if "bevestigd" in m.subject]
    assert "anna@example.org" in inbox_bram.text
    assert "+31 6 1111 2222" not in inbox_bram.text  # an address is enough


async def test_a_yes_is_told_to_the_other_side_until_both_said_yes(world: World) -> None:
    anna, bram = member("Anna", "anna@example.org"), member("Bram", "bram@example.org")
    for m in (anna, bram):
        await world.deliver(m)
    proposed = match(anna, bram)
    await world.deliver(proposed)
    pid = proposed.proposal_id
    await world.deliver(ProposalAccepted(proposal_id=pid, member_id=anna.member_id, side="request"))
    await world.deliver(ProposalAccepted(proposal_id=pid, member_id=bram.member_id, side="offer"))
    await world.send()

    yes_mails = [m for m in world.mailer.sent if "zegt ja" in m.subject]
    assert [m.to_address for m in yes_mails] == ["bram@example.org"]
    assert "Anna heeft ja gezegd" in yes_mails[0].text
    assert "anna@example.org" not in yes_mails[0].text


async def test_a_no_is_told_to_the_other_side(world: World) -> None:
    anna, bram = member("Anna", "anna@example.org"), member("Bram", "bram@example.org")
    for m in (anna, bram):
        await world.deliver(m)
    proposed = match(anna, bram)
    await world.deliver(proposed)
    await world.deliver(
        ProposalDeclined(proposal_id=proposed.proposal_id, member_id=bram.member_id, side="offer")
    )
    await world.send()
    [no] = [m for m in world.mailer.sent if "gaat niet door" in m.subject]
    assert no.to_address == "anna@example.org"


async def test_feedback_is_thanked_in_the_members_words(world: World) -> None:
    anna, bram = member("Anna", "anna@example.org"), member("Bram", "bram@example.org")
    for m in (anna, bram):
        await world.deliver(m)
    proposed = match(anna, bram)
    await world.deliver(proposed)
    await world.deliver(
        MatchCompleted(
            proposal_id=proposed.proposal_id,
            member_id=anna.member_id,
            side="request",
            helped=True,
            became_contact=True,
            ladder_step="chat",
        )
    )
    await world.send()
    [thanks] = [m for m in world.mailer.sent if m.subject == "Bedankt voor je reactie"]
    assert thanks.to_address == "anna@example.org"
    assert "Fijn om te horen dat het heeft geholpen" in thanks.text


async def test_review_first_tells_the_connector_and_not_the_parents(world: World) -> None:
    anna, bram = member("Anna", "anna@example.org"), member("Bram", "bram@example.org")
    connie = member("Connie", "connie@example.org", role="connector")
    for m in (anna, bram, connie):
        await world.deliver(m)
    proposed = match(anna, bram).model_copy(update={"needs_connector_review": True})
    await world.deliver(proposed)
    await world.send()
    [task] = world.mailer.sent
    assert task.to_address == "connie@example.org"
    assert "Voorstel om te bekijken" in task.subject
    assert "Anna" not in task.text and "Bram" not in task.text

    await world.deliver(
        ProposalApproved(proposal_id=proposed.proposal_id, connector_id=connie.member_id)
    )
    await world.send()
    asked = {m.to_address for m in world.mailer.sent if "Je hebt een match" in m.subject}
    assert asked == {"anna@example.org", "bram@example.org"}


async def test_a_proposal_in_one_connectors_queue_is_mailed_to_that_connector_only(
    world: World,
) -> None:
    anna, bram = member("Anna", "anna@example.org"), member("Bram", "bram@example.org")
    connie = member("Connie", "connie@example.org", role="connector")
    kees = member("Kees", "kees@example.org", role="connector")
    for m in (anna, bram, connie, kees):
        await world.deliver(m)
    in_queue = match(anna, bram).model_copy(
        update={"needs_connector_review": True, "reviewer_id": kees.member_id}
    )
    anyone = match(bram, anna).model_copy(update={"needs_connector_review": True})
    await world.deliver(in_queue)
    await world.deliver(anyone)
    await world.send()
    tasks = sorted(m.to_address for m in world.mailer.sent if "Voorstel" in m.subject)
    assert tasks == ["connie@example.org", "kees@example.org", "kees@example.org"]


async def test_rejected_in_review_the_parents_never_hear_of_it(world: World) -> None:
    anna, bram = member("Anna", "anna@example.org"), member("Bram", "bram@example.org")
    for m in (anna, bram):
        await world.deliver(m)
    proposed = match(anna, bram).model_copy(update={"needs_connector_review": True})
    await world.deliver(proposed)
    await world.deliver(
        ProposalRejected(proposal_id=proposed.proposal_id, connector_id=anna.member_id)
    )
    await world.deliver(ProposalCancelled(proposal_id=proposed.proposal_id, reason="withdrawn"))
    await world.send()
    assert world.mailer.sent == []


async def test_ended_proposals_tell_both_what_happened_but_not_why(world: World) -> None:
    anna, bram = (
        member("Anna", "anna@example.org"),
        member("Bram", "bram@example.org", language="en"),
    )
    for m in (anna, bram):
        await world.deliver(m)
    proposed = match(anna, bram)
    await world.deliver(proposed)
    await world.deliver(ProposalExpired(proposal_id=proposed.proposal_id))
    await world.send()
    [expired_nl] = [m for m in world.mails_to("anna@example.org") if "verlopen" in m.subject]
    [expired_en] = [m for m in world.mails_to("bram@example.org") if "expired" in m.subject]
    assert "we zoeken verder" in expired_nl.text
    assert "we keep looking" in expired_en.text
    assert all(o.status != "failed" for o in world.outcomes())
    assert not world.uow.deliveries.by_status(DeliveryStatus.FAILED)


async def test_confirmation_gives_a_phone_number_only_when_there_is_no_address(
    world: World,
) -> None:
    anna = member("Anna", "anna@example.org")
    bram = member("Bram", None, phone="+31 6 7777 8888", channel="sms")
    for m in (anna, bram):
        await world.deliver(m)
    proposed = match(anna, bram)
    await world.deliver(proposed)
    await world.deliver(confirmed(proposed))
    await world.send()
    [confirmation] = [m for m in world.mails_to("anna@example.org") if "bevestigd" in m.subject]
    assert "Telefoonnummer van Bram: +31 6 7777 8888" in confirmation.text
    [text] = [sms for sms in world.sms.sent if "bevestigd" in sms.text]
    assert "anna@example.org" in text.text
