"""Sign-up, waiting-list and promotion mails: what the parent reads about the session, in
their language and the region's time, and what they read when its details are unknown."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from dorp_notifications import handlers
from dorp_shared.contracts import Envelope, wrap
from dorp_shared.contracts.events import SignedUp, WaitlistPromoted
from dorp_shared.regions import Region, load_region
from tests.unit.notifications.builders import initiative, member, session
from tests.unit.notifications.fakes import FakeMailer, FakeNotificationsUnitOfWork


def env(payload: Any) -> Envelope[Any]:
    return wrap(payload, region="t", source="registration")


@pytest.fixture
def region() -> Region:
    return load_region("lochem")


async def test_sign_up_news_names_initiative_day_time_and_place(region: Region) -> None:
    uow, mailer = FakeNotificationsUnitOfWork(), FakeMailer()
    kw: dict[str, Any] = {"uow": lambda: uow, "mailer": mailer, "region": region}
    anna = member("Anna", "anna@example.org", language="nl")
    bram = member("Bram", "bram@example.org", language="en")
    cafe = initiative()
    scheduled = session(cafe)
    await handlers.remember_initiative(env(cafe), uow)
    await handlers.remember_session(env(scheduled), uow)
    for parent in (anna, bram):
        await handlers.register_recipient(env(parent), uow)

    signed = SignedUp(member_id=anna.member_id, session_id=scheduled.session_id, status="confirmed")
    waiting = SignedUp(
        member_id=bram.member_id,
        session_id=scheduled.session_id,
        status="waitlisted",
        waitlist_position=2,
    )
    promoted = WaitlistPromoted(member_id=bram.member_id, session_id=scheduled.session_id)
    promotion = env(promoted)
    for envelope in (env(signed), env(waiting), promotion, promotion):  # promotion redelivered
        await handlers.notify_sign_up(envelope, **kw)

    to_anna, waitlisted, place_free = mailer.sent[0], mailer.sent[1], mailer.sent[2]
    assert len(mailer.sent) == 3
    assert to_anna.subject == "Je bent aangemeld: Ouderkamer De Esch, zaterdag 5 december 2026"
    assert "Wanneer: zaterdag 5 december 2026, 10:00-12:00" in to_anna.text
    assert "Waar: Bibliotheek Laren, Dorpsstraat 1" in to_anna.text
    assert "10:00&ndash;12:00" in to_anna.html
    assert waitlisted.subject.startswith("You are on the waiting list: Ouderkamer De Esch")
    assert "waiting list (number 2)" in waitlisted.text
    assert place_free.subject == (
        "A place came free for you: Ouderkamer De Esch, Saturday 5 December 2026"
    )
    assert "When: Saturday 5 December 2026, 10:00-12:00" in place_free.text


async def test_unknown_session_is_named_by_reference_only(region: Region) -> None:
    uow, mailer = FakeNotificationsUnitOfWork(), FakeMailer()
    anna = member("Anna", "anna@example.org", language="en")
    await handlers.register_recipient(env(anna), uow)
    session_id = uuid.uuid4()
    signed = SignedUp(member_id=anna.member_id, session_id=session_id, status="confirmed")
    await handlers.notify_sign_up(env(signed), uow=lambda: uow, mailer=mailer, region=region)

    [mail] = mailer.sent
    assert mail.subject == "You are signed up: an activity"
    for body in (mail.text, mail.html):
        assert f"quoting this reference: {session_id}" in body
        assert "None" not in body and "When:" not in body
