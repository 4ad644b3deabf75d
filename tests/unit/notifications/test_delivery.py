"""How a notification goes out: channel choice with fallbacks, quiet hours for SMS, the
daily digest, retries with backoff, dead letters, and what consent and erasure cancel."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

import pytest

from dorp_notifications.dispatch import Dispatcher, DispatchSettings
from dorp_notifications.domain.deliveries import APP, EMAIL, SMS, choose_channel
from dorp_notifications.domain.model import DeliveryStatus
from dorp_notifications.handlers import recipient_from
from dorp_notifications.ports import Finished, PermanentFailure, Retry
from dorp_shared.regions import load_region
from tests.unit.notifications.builders import consent, erased, match, member, retention_warning
from tests.unit.notifications.fakes import FakeNotificationsUnitOfWork
from tests.unit.notifications.world import LEASE, World

EVENING = dt.datetime(2026, 11, 21, 22, 30, tzinfo=dt.UTC)  # 23:30 in Lochem
MORNING = dt.datetime(2026, 11, 22, 7, 0, tzinfo=dt.UTC)  # 08:00 in Lochem


@pytest.fixture
def world() -> World:
    return World(load_region("lochem"))


@pytest.mark.parametrize(
    ("channel", "email", "phone", "sms_on", "expected"),
    [
        ("sms", "a@example.org", "+31 6 1", True, (SMS, "preferred")),
        ("sms", "a@example.org", None, True, (EMAIL, "no_phone")),
        ("sms", None, None, True, (APP, "no_phone_no_email")),
        ("sms", "a@example.org", "+31 6 1", False, (EMAIL, "sms_unavailable")),
        ("email", "a@example.org", "+31 6 1", True, (EMAIL, "preferred")),
        ("email", None, "+31 6 1", True, (SMS, "no_email")),
        ("email", None, None, True, (APP, "no_email")),
        ("app", "a@example.org", "+31 6 1", True, (APP, "preferred")),
    ],
)
def test_channel_is_the_preferred_one_or_a_fallback_with_the_reason(
    channel: str, email: str | None, phone: str | None, sms_on: bool, expected: tuple[str, str]
) -> None:
    recipient = recipient_from(member("Anna", email, phone=phone, channel=channel))  # type: ignore[arg-type]
    assert choose_channel(recipient, sms_available=sms_on) == expected


async def test_sms_at_night_waits_for_the_morning_e_mail_does_not(world: World) -> None:
    world.now = EVENING
    anna = member("Anna", None, phone="+31 6 1111 2222", channel="sms")
    bram = member("Bram", "bram@example.org")
    for m in (anna, bram):
        await world.deliver(m)
    await world.deliver(match(anna, bram))
    await world.send()
    assert [m.to_address for m in world.mailer.sent] == ["bram@example.org"]
    assert world.sms.sent == []
    [held] = world.uow.deliveries.by_status(DeliveryStatus.SENDING)
    assert (held.channel, held.held) == (SMS, "quiet_hours")

    world.now = MORNING - dt.timedelta(minutes=1)
    await world.send()
    assert world.sms.sent == []
    world.now = MORNING
    await world.send()
    [text] = world.sms.sent
    assert text.to_number == "+31 6 1111 2222"
    assert text.text.startswith("Je hebt een match")
    assert "bram@example.org" not in text.text


async def test_digest_readers_get_one_mail_in_the_morning(world: World) -> None:
    world.now = dt.datetime(2026, 11, 21, 14, 0, tzinfo=dt.UTC)
    anna = member("Anna", "anna@example.org")
    bram, cor = member("Bram", "bram@example.org"), member("Cor", "cor@example.org")
    for m in (anna, bram, cor):
        await world.deliver(m)
    await world.uow.recipients.set_digest(anna.member_id, True)
    await world.deliver(match(anna, bram))
    await world.deliver(match(anna, cor))
    await world.deliver(retention_warning(anna))
    await world.send()
    assert world.mails_to("anna@example.org") == []
    assert len(world.mailer.sent) == 2  # Bram and Cor are not digest readers

    world.now = MORNING
    await world.send()
    [digest] = world.mails_to("anna@example.org")
    assert digest.subject.endswith("(3)")
    assert "Bram" in digest.text and "Cor" in digest.text and "gewist" in digest.text
    assert len([o for o in world.sent() if o.recipient_id == anna.member_id]) == 3


async def test_no_address_at_all_lands_in_the_inbox(world: World) -> None:
    anna, bram = member("Anna", None, phone=None), member("Bram", "bram@example.org")
    for m in (anna, bram):
        await world.deliver(m)
    await world.deliver(match(anna, bram))
    await world.send()
    [message] = world.uow.inbox_messages.rows.values()
    assert message.member_id == anna.member_id
    assert message.subject.startswith("Je hebt een match")
    [outcome] = [o for o in world.sent() if o.recipient_id == anna.member_id]
    assert (outcome.channel, outcome.channel_reason) == ("app", "no_email")


async def test_without_consent_nothing_is_sent_and_the_reason_is_published(world: World) -> None:
    anna = member("Anna", "anna@example.org", consent=False)
    bram = member("Bram", "bram@example.org")
    for m in (anna, bram):
        await world.deliver(m)
    await world.deliver(match(anna, bram))
    await world.send()
    assert [m.to_address for m in world.mailer.sent] == ["bram@example.org"]
    [suppressed] = [o for o in world.outcomes() if o.status == "suppressed"]
    assert (suppressed.recipient_id, suppressed.reason) == (anna.member_id, "no_consent")
    assert suppressed.channel_reason == "preferred"  # which channel it would have gone on


async def test_transient_failures_back_off_then_dead_letter(world: World) -> None:
    anna, bram = member("Anna", "anna@example.org"), member("Bram", "bram@example.org")
    for m in (anna, bram):
        await world.deliver(m)
    world.mailer.fail_next = 10
    await world.deliver(match(anna, bram))
    await world.send()
    assert world.pending() == 2
    world.later(seconds=2)  # the first backoff (2.5 s with this jitter) has not passed
    await world.send()
    assert world.mailer.fail_next == 8
    world.later(seconds=1)
    await world.send()
    assert world.mailer.fail_next == 6
    world.later(seconds=60)
    await world.send()  # third attempt of three: exhausted
    assert world.pending() == 0
    failed = [o for o in world.outcomes() if o.status == "failed"]
    assert {o.reason for o in failed} == {"retries_exhausted"}
    assert len(world.uow.dead_letters) == 2


async def test_a_transient_failure_then_success_sends_once(world: World) -> None:
    anna, bram = member("Anna", "anna@example.org"), member("Bram", "bram@example.org")
    for m in (anna, bram):
        await world.deliver(m)
    world.mailer.fail_next = 1
    await world.deliver(match(anna, bram))
    await world.send()
    world.later(minutes=1)
    await world.send()
    assert sorted(m.to_address for m in world.mailer.sent) == [
        "anna@example.org",
        "bram@example.org",
    ]
    assert len(world.sent()) == 2


async def test_a_refused_recipient_fails_at_once_with_a_dead_letter(world: World) -> None:
    anna, bram = member("Anna", "anna@example.org"), member("Bram", "bram@example.org")
    for m in (anna, bram):
        await world.deliver(m)
    world.mailer.fail_next, world.mailer.failure = 1, PermanentFailure("550 no such user")
    await world.deliver(match(anna, bram))
    await world.send()
    [failed] = [o for o in world.outcomes() if o.status == "failed"]
    assert failed.reason == "refused"
    assert [reason for reason, _ in world.uow.dead_letters] == ["refused"]
    assert len(world.mailer.sent) == 1


async def test_a_crashed_send_comes_back_after_the_lease_with_the_same_message_id(
    world: World,
) -> None:
    anna, bram = member("Anna", "anna@example.org"), member("Bram", "bram@example.org")
    for m in (anna, bram):
        await world.deliver(m)
    await world.deliver(match(anna, bram))
    crashed = await world.uow.deliveries.claim_due(world.now, 10, LEASE)  # then it died
    await world.send()
    assert world.mailer.sent == []  # another sender keeps off while the lease holds
    world.later(seconds=LEASE.total_seconds())
    await world.send()
    ids = {m.message_id for m in world.mailer.sent}
    assert ids == {f"<{row.delivery.notification_id}@dorp>" for row in crashed}


class DatabaseRestarting:
    """The unit of work, unreachable for a few entries after the first (the claim)."""

    def __init__(self, uow: FakeNotificationsUnitOfWork, failures: int) -> None:
        self.uow, self.entries, self.failures = uow, 0, failures

    def __call__(self) -> DatabaseRestarting:
        return self

    def _reach(self) -> None:
        self.entries += 1
        if 1 < self.entries <= 1 + self.failures:
            raise ConnectionRefusedError("the database system is starting up")

    async def __aenter__(self) -> FakeNotificationsUnitOfWork:
        self._reach()
        return await self.uow.__aenter__()

    async def conclude(
        self, retries: Sequence[Retry], finished: Sequence[Finished]
    ) -> set[uuid.UUID]:
        self._reach()
        return await self.uow.conclude(retries, finished)

    async def __aexit__(self, *exc: object) -> None:
        await self.uow.__aexit__(*exc)  # type: ignore[arg-type]


async def test_outcomes_the_database_cannot_take_for_a_moment_are_recorded_not_sent_again(
    world: World,
) -> None:
    anna, bram = member("Anna", "anna@example.org"), member("Bram", "bram@example.org")
    for m in (anna, bram):
        await world.deliver(m)
    await world.deliver(match(anna, bram))
    restarting = DatabaseRestarting(world.uow, failures=2)
    dispatcher = Dispatcher(
        restarting,  # type: ignore[arg-type]
        world.region,
        mailer=world.mailer,
        sms=None,
        settings=DispatchSettings(lease=dt.timedelta(seconds=3)),
        clock=lambda: world.now,
    )
    assert await dispatcher.drain() == 2
    assert restarting.entries > 3  # the outcomes' commit was tried again
    assert sorted(m.to_address for m in world.mailer.sent) == [
        "anna@example.org",
        "bram@example.org",
    ]
    assert [o.status for o in world.outcomes()] == ["sent", "sent"]
    assert world.pending() == 0


async def test_withdrawn_consent_cancels_what_is_pending(world: World) -> None:
    world.now = EVENING
    anna = member("Anna", None, phone="+31 6 1111 2222", channel="sms")
    bram = member("Bram", "bram@example.org")
    for m in (anna, bram):
        await world.deliver(m)
    await world.deliver(match(anna, bram))
    await world.send()
    await world.deliver(consent(anna, notifications=False))
    world.now = MORNING
    await world.send()
    assert world.sms.sent == []
    [suppressed] = [o for o in world.outcomes() if o.status == "suppressed"]
    assert suppressed.reason == "no_consent"
    assert all(row.letter is None for row in world.uow.deliveries.rows.values())
    stored = world.uow.recipients.rows[anna.member_id]
    assert (stored.email, stored.phone) == (None, None)  # kept only to notify


async def test_erasure_deletes_contact_inbox_and_pending_letters_silently(world: World) -> None:
    world.now = EVENING
    anna = member("Anna", None, phone="+31 6 1111 2222", channel="sms")
    bram, cor = member("Bram", "bram@example.org"), member("Cor", None, phone=None)
    for m in (anna, bram, cor):
        await world.deliver(m)
    await world.deliver(match(anna, bram))
    await world.deliver(match(cor, bram))
    await world.send()
    assert len(world.uow.inbox_messages.rows) == 1
    published = len(world.outcomes())

    await world.deliver(erased(anna))
    await world.deliver(erased(cor))
    world.now = MORNING
    await world.send()
    assert world.sms.sent == []
    assert world.uow.inbox_messages.rows == {}
    stored = world.uow.recipients.rows[anna.member_id]
    assert (stored.email, stored.phone, stored.display_name) == (None, None, "")
    assert all(row.letter is None for row in world.uow.deliveries.rows.values())
    assert len(world.outcomes()) == published  # nothing is said about erased members
