"""Recording what a cause asks to be sent: once per (cause event, recipient, channel).

1. One transaction marks the cause handled (the inbox), records every delivery it leads
   to (status ``sending``, i.e. pending, with its letter and the time it may go out; or
   ``suppressed`` with the reason) under a unique key, and publishes the suppressed ones.
2. The dispatcher (``dispatch``) sends what is due, outside any transaction, and a second
   transaction records the outcome; see there for the gap between the two.

A redelivered cause changes nothing. Suppressed deliveries are published too
(``status="suppressed"`` with the reason), except for erased members: nothing more is said
about them.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

import structlog

from dorp_notifications.domain.deliveries import APP, ERASED, SMS, plan_delivery
from dorp_notifications.domain.language import pick_language
from dorp_notifications.domain.letters import Head, Letter, head_for
from dorp_notifications.domain.model import Delivery, DeliveryStatus, Recipient
from dorp_notifications.domain.timing import after_quiet_hours, next_digest
from dorp_notifications.ports import NotificationsUnitOfWork, Planned
from dorp_shared.contracts import Envelope, NotificationSent, wrap
from dorp_shared.errors import NotReadyYet
from dorp_shared.regions import Region

log = structlog.get_logger(__name__)

CONSUMER = "notifications"
DIGEST = "digest"
QUIET_HOURS = "quiet_hours"
REMINDER = "reminder"
UowFactory = Callable[[], NotificationsUnitOfWork]
People = Mapping[uuid.UUID, Recipient]
Compose = Callable[[People, Head], Letter]
"""Builds the letter for one recipient from everyone involved and the letterhead."""

_OUTCOMES: dict[DeliveryStatus, Literal["sent", "failed", "suppressed"]] = {
    DeliveryStatus.SENT: "sent",
    DeliveryStatus.FAILED: "failed",
    DeliveryStatus.SUPPRESSED: "suppressed",
}


@dataclass(frozen=True)
class Notifier:
    """What handlers need besides the unit of work: the region, the clock, whether an SMS
    gateway is configured, and a way to wake the dispatcher after a commit."""

    region: Region
    sms_available: bool = False
    wake: Callable[[], None] = lambda: None
    clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class Wanted:
    """One notification a cause asks for: to whom, with which template and content."""

    recipient_id: uuid.UUID
    template: str
    compose: Compose
    about: tuple[uuid.UUID, ...] = ()
    """Other members the message is about: if one was erased, it is not sent."""
    cause_id: uuid.UUID | None = None
    """Another cause id than the event's (a second notification from one event)."""
    due_at: dt.datetime | None = None
    """Not before then (a reminder); None: now."""
    topic_id: uuid.UUID | None = None
    digestible: bool = True
    """False for what must arrive on its own and on time (a reminder)."""


async def notify(
    cause: Envelope[Any],
    wanted: Sequence[Wanted],
    *,
    involved: Sequence[uuid.UUID],
    uow: UowFactory,
    notifier: Notifier,
) -> None:
    """``involved`` are all members whose records the content needs (recipients included);
    an unknown one means registration's events have not arrived yet (retried later)."""
    async with uow() as work:
        if not await work.first_time(CONSUMER, cause.event_id):
            return
        people = await _load(work, involved)
        for want in wanted:
            await _record(work, cause, want, people, notifier)
    notifier.wake()


async def _load(
    uow: NotificationsUnitOfWork, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, Recipient]:
    people = {}
    for member_id in ids:
        recipient = await uow.recipients.get(member_id)
        if recipient is None:
            raise NotReadyYet("a member this notification concerns is not registered here yet")
        people[member_id] = recipient
    return people


async def _record(
    uow: NotificationsUnitOfWork,
    cause: Envelope[Any],
    want: Wanted,
    people: People,
    notifier: Notifier,
) -> None:
    recipient = people[want.recipient_id]
    about = tuple(people[member_id] for member_id in want.about)
    region = notifier.region
    language = pick_language(recipient.preferred_language, region.default_language)
    delivery = plan_delivery(
        want.cause_id or cause.event_id,
        recipient,
        want.template,
        language,
        about,
        sms_available=notifier.sms_available,
    )
    due_at, held = when_due(want, delivery, recipient, region, notifier.clock())
    delivery = replace(delivery, correlation_id=cause.correlation_id)
    letter = None
    if delivery.status is DeliveryStatus.SENDING:
        letter = want.compose(people, head_for(region, recipient, language))
        delivery = replace(delivery, held=held)
    stored, created = await uow.deliveries.record(
        Planned(delivery, letter, due_at, topic_id=want.topic_id)
    )
    if created and stored.status is DeliveryStatus.SUPPRESSED:
        await publish_outcome(uow, stored)
    log.debug(
        "notification.planned",
        template=want.template,
        channel=stored.channel,
        channel_reason=stored.channel_reason,
        status=stored.status.value,
        reason=stored.reason,
        held=stored.held,
        created=created,
        notification_id=str(stored.notification_id),
    )


def when_due(
    want: Wanted, delivery: Delivery, recipient: Recipient, region: Region, now: dt.datetime
) -> tuple[dt.datetime, str | None]:
    """When it may go out, and why it waits: a reminder waits for the day before, a
    digest reader's messages for the morning digest, an SMS for the end of quiet hours
    (also a reminder by SMS whose moment falls in them: then ``held`` says quiet_hours)."""
    due, held = (want.due_at, REMINDER) if want.due_at and want.due_at > now else (now, None)
    if recipient.digest and want.digestible and delivery.channel != APP and held is None:
        due, held = next_digest(now, region.quiet_hours, region.time_zone), DIGEST
    if delivery.channel == SMS:
        later = after_quiet_hours(due, region.quiet_hours, region.time_zone)
        if later is not None:
            due, held = later, DIGEST if held == DIGEST else QUIET_HOURS
    return due, held


async def publish_outcome(uow: NotificationsUnitOfWork, delivery: Delivery) -> None:
    """``NotificationSent`` with the delivery's final status; nothing about erased members."""
    if delivery.reason == ERASED:
        return
    outcome = NotificationSent(
        notification_id=delivery.notification_id,
        cause_event_id=delivery.cause_event_id,
        recipient_id=delivery.recipient_id,
        channel=delivery.channel,
        template=delivery.template,
        language=delivery.language,
        status=_OUTCOMES[delivery.status],
        reason=delivery.reason,
        channel_reason=delivery.channel_reason,
        held=delivery.held,
    )
    cause = wrap(
        outcome,
        region="",
        source=CONSUMER,
        correlation_id=delivery.correlation_id,
        event_id=delivery.cause_event_id,
    )  # stands in for the cause: the outcome's causation and correlation ids come from it
    await uow.emit(outcome, cause=cause, event_id=delivery.notification_id)
