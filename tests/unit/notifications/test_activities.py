"""Sessions, dialogue tables and matching's suggestions: sign-up news with a stored
reminder the day before, cancellations, decisions to the members of the table's groups,
coffee dates and recommended sessions."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from dorp_notifications.domain.model import DeliveryStatus
from dorp_shared.contracts.events import (
    CoffeeDatePaired,
    DecisionRecorded,
    DialogueTableOpened,
    ParentGroupJoined,
    ProposalReviewOverdue,
    RecommendedSession,
    SessionCancelled,
    SessionsRecommended,
    SignedUp,
    SignUpCancelled,
    WaitlistPromoted,
)
from dorp_shared.regions import load_region
from tests.unit.notifications.builders import initiative, member, session
from tests.unit.notifications.world import World

DAY_BEFORE = dt.datetime(2026, 12, 4, 9, 0, tzinfo=dt.UTC)  # the session starts 5 Dec 09:00


@pytest.fixture
def world() -> World:
    return World(load_region("lochem"))


async def signed_up_world(world: World) -> tuple[uuid.UUID, list[uuid.UUID]]:
    cafe = initiative()
    planned = session(cafe)
    await world.deliver(cafe)
    await world.deliver(planned)
    members = [member("Anna", "anna@example.org"), member("Bram", "bram@example.org")]
    for m in members:
        await world.deliver(m)
        await world.deliver(
            SignedUp(member_id=m.member_id, session_id=planned.session_id, status="confirmed")
        )
    return planned.session_id, [m.member_id for m in members]


async def test_sign_up_is_confirmed_now_and_reminded_the_day_before(world: World) -> None:
    await signed_up_world(world)
    await world.send()
    [confirmation] = world.mails_to("anna@example.org")
    assert confirmation.subject == "Je bent aangemeld: Ouderkamer De Esch, zaterdag 5 december 2026"
    assert "Wanneer: zaterdag 5 december 2026, 10:00-12:00" in confirmation.text
    assert "Waar: Bibliotheek Laren, Dorpsstraat 1" in confirmation.text

    world.now = DAY_BEFORE - dt.timedelta(minutes=1)
    await world.send()
    assert len(world.mails_to("anna@example.org")) == 1
    world.now = DAY_BEFORE
    await world.send()
    reminder = world.mails_to("anna@example.org")[-1]
    assert reminder.subject == "Morgen: Ouderkamer De Esch"
    assert "10:00-12:00" in reminder.text and "Bibliotheek Laren" in reminder.text


async def test_an_sms_reminder_due_in_the_quiet_hours_waits_for_the_morning(
    world: World,
) -> None:
    """An evening session (21:30 in Lochem): the reminder's moment, a day before, is in the
    quiet hours, so the text is held back until they end; an e-mail reminder is not."""
    cafe = initiative()
    evening = session(cafe).model_copy(
        update={"starts_at": dt.datetime(2026, 11, 22, 20, 30, tzinfo=dt.UTC)}
    )
    anna = member("Anna", None, phone="+31 6 1111 2222", channel="sms")
    bram = member("Bram", "bram@example.org")
    for event in (cafe, evening, anna, bram):
        await world.deliver(event)
    for m in (anna, bram):
        await world.deliver(
            SignedUp(member_id=m.member_id, session_id=evening.session_id, status="confirmed")
        )
    await world.send()
    assert len(world.sms.sent) == 1 and len(world.mails_to("bram@example.org")) == 1

    [texted] = await world.uow.deliveries.pending_for(anna.member_id, 10)
    [mailed] = await world.uow.deliveries.pending_for(bram.member_id, 10)
    assert (texted.delivery.template, texted.delivery.held) == ("session_reminder", "quiet_hours")
    assert texted.due_at == dt.datetime(2026, 11, 22, 7, 0, tzinfo=dt.UTC)  # 08:00 in Lochem
    assert (mailed.delivery.held, mailed.due_at) == (
        "reminder",
        evening.starts_at - dt.timedelta(days=1),
    )
    world.now = dt.datetime(2026, 11, 21, 20, 30, tzinfo=dt.UTC)
    await world.send()
    assert len(world.mails_to("bram@example.org")) == 2 and len(world.sms.sent) == 1
    world.now = texted.due_at
    await world.send()
    assert world.sms.sent[-1].text.startswith("Morgen: Ouderkamer De Esch")
    reminders = [o for o in world.sent() if o.template == "session_reminder"]
    assert {(o.channel, o.channel_reason, o.held) for o in reminders} == {
        ("sms", "preferred", "quiet_hours"),
        ("email", "preferred", "reminder"),
    }


async def test_cancelled_sign_up_cancels_its_reminder(world: World) -> None:
    session_id, (anna, _) = await signed_up_world(world)
    await world.deliver(SignUpCancelled(member_id=anna, session_id=session_id))
    world.now = DAY_BEFORE
    await world.send()
    assert [m.subject for m in world.mails_to("anna@example.org")] == [
        "Je bent aangemeld: Ouderkamer De Esch, zaterdag 5 december 2026"
    ]
    assert len([m for m in world.mailer.sent if m.subject.startswith("Morgen")]) == 1


async def test_cancelled_session_tells_who_has_a_place_and_drops_reminders(world: World) -> None:
    session_id, _ = await signed_up_world(world)
    await world.deliver(SessionCancelled(session_id=session_id, reason="zieke begeleider"))
    world.now = DAY_BEFORE
    await world.send()
    cancelled = [m for m in world.mailer.sent if m.subject.startswith("Gaat niet door")]
    assert {m.to_address for m in cancelled} == {"anna@example.org", "bram@example.org"}
    assert not [m for m in world.mailer.sent if m.subject.startswith("Morgen")]
    reasons = {o.reason for o in world.outcomes() if o.status == "suppressed"}
    assert reasons == {"session_cancelled"}


async def test_waitlist_gets_no_reminder_until_promoted(world: World) -> None:
    cafe = initiative()
    planned = session(cafe)
    anna = member("Anna", "anna@example.org")
    for event in (cafe, planned, anna):
        await world.deliver(event)
    await world.deliver(
        SignedUp(
            member_id=anna.member_id,
            session_id=planned.session_id,
            status="waitlisted",
            waitlist_position=2,
        )
    )
    await world.send()
    assert world.pending() == 0
    await world.deliver(WaitlistPromoted(member_id=anna.member_id, session_id=planned.session_id))
    await world.send()
    assert world.pending() == 1  # the reminder, stored for the day before
    [waiting, promoted] = world.mails_to("anna@example.org")
    assert "(plaats 2)" in waiting.text
    assert promoted.subject.startswith("Er is plek voor je")


async def test_decision_goes_to_the_members_of_the_groups_at_the_table(world: World) -> None:
    group_a, group_b, table = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    anna, bram = (
        member("Anna", "anna@example.org"),
        member("Bram", "bram@example.org", language="en"),
    )
    outsider = member("Cor", "cor@example.org")
    for m in (anna, bram, outsider):
        await world.deliver(m)
    await world.deliver(ParentGroupJoined(member_id=anna.member_id, group_id=group_a))
    await world.deliver(ParentGroupJoined(member_id=bram.member_id, group_id=group_b))
    await world.deliver(
        DialogueTableOpened(
            table_id=table,
            topic="Veilig naar school",
            group_ids=(group_a, group_b),
            home_area="laren",
            held_on=dt.date(2026, 11, 20),
        )
    )
    await world.deliver(
        DecisionRecorded(
            decision_id=uuid.uuid4(),
            table_id=table,
            proposal_id=uuid.uuid4(),
            adopted=True,
            majority_view="Een oversteekplaats bij de school.",
            minority_view="Eerst met de gemeente praten.",
            votes_for=7,
            votes_against=2,
            votes_abstain=1,
        )
    )
    await world.send()
    assert {m.to_address for m in world.mailer.sent} == {"anna@example.org", "bram@example.org"}
    [to_bram] = world.mails_to("bram@example.org")
    assert to_bram.subject == "Decision of the dialogue table: Veilig naar school"
    assert "What the minority adds: Eerst met de gemeente praten." in to_bram.text
    assert "7 for, 2 against, 1 abstained" in to_bram.text


async def test_coffee_date_names_the_others_by_first_name_only(world: World) -> None:
    anna = member("Anna de Vries", "anna@example.org")
    bram = member("Bram Jansen", "bram@example.org", phone="+31 6 9999 0000")
    for m in (anna, bram):
        await world.deliver(m)
    await world.deliver(
        CoffeeDatePaired(
            member_id=anna.member_id,
            date_id=uuid.uuid4(),
            round_id=uuid.uuid4(),
            partner_ids=(bram.member_id,),
            home_area="laren",
            meet_by=dt.date(2026, 12, 5),
            score=0.8,
            reasons=(),
            explanation="Jullie kinderen zitten op dezelfde school.",
            explanation_en="Your children go to the same school.",
        )
    )
    await world.send()
    [date] = world.mailer.sent
    assert date.to_address == "anna@example.org"
    assert date.subject == "Een koffie- of theedate voor je, met Bram"
    assert "Jansen" not in date.text and "bram@example.org" not in date.text
    assert "+31 6 9999 0000" not in date.text
    assert "vóór 5 december 2026" in date.text


async def test_recommended_sessions_list_time_place_and_places_left(world: World) -> None:
    anna = member("Anna", "anna@example.org", language="en")
    await world.deliver(anna)
    starts = dt.datetime(2026, 12, 5, 9, 0, tzinfo=dt.UTC)
    await world.deliver(
        SessionsRecommended(
            member_id=anna.member_id,
            recommendation_id=uuid.uuid4(),
            trigger="new_member",
            sessions=(
                RecommendedSession(
                    session_id=uuid.uuid4(),
                    initiative_id=uuid.uuid4(),
                    initiative_name="Ouderkamer De Esch",
                    initiative_kind="parent_cafe",
                    starts_at=starts,
                    ends_at=starts + dt.timedelta(hours=2),
                    place="Bibliotheek Laren",
                    home_area="laren",
                    places_left=3,
                    score=0.7,
                    reasons=(),
                    explanation="Dichtbij.",
                    explanation_en="Close to home.",
                ),
            ),
        )
    )
    await world.send()
    [advice] = world.mailer.sent
    assert advice.subject == "Activities that suit you"
    for part in (
        "Ouderkamer De Esch",
        "Saturday 5 December 2026, 10:00-12:00",
        "Bibliotheek Laren",
        "3 places left.",
        "Close to home.",
    ):
        assert part in advice.text


async def test_overdue_review_reminds_the_connectors(world: World) -> None:
    connie = member("Connie", "connie@example.org", role="connector")
    await world.deliver(connie)
    await world.deliver(
        ProposalReviewOverdue(
            proposal_id=uuid.uuid4(),
            request_id=uuid.uuid4(),
            kind="babysitting",
            home_area="laren",
            waiting_since=dt.datetime(2026, 11, 19, 8, 0, tzinfo=dt.UTC),
            review_hours=48,
            connector_ids=(connie.member_id,),
        )
    )
    await world.send()
    [reminder] = world.mailer.sent
    assert reminder.subject == "Wacht al meer dan 48 uur: voorstel voor oppas in Laren"
    assert "donderdag 19 november 2026 09:00" in reminder.text
    assert not world.uow.deliveries.by_status(DeliveryStatus.FAILED)
