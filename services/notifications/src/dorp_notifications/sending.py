"""Sending a notification to each person a cause concerns, exactly once.

Exactly once per (cause event, recipient, channel), as far as SMTP allows:

1. one transaction records the intent of every delivery a cause leads to (status
   ``sending``, or ``suppressed`` with a reason) under a unique key;
2. each ``sending`` delivery is handed to the mail server, outside any transaction;
3. a second transaction marks it ``sent`` (or ``failed``) and emits ``NotificationSent``
   with that status via the outbox.

A redelivered event finds its deliveries ``sent`` or ``suppressed`` and sends nothing. A
crash between steps 2 and 3 leaves a delivery in ``sending``; the redelivery sends it
again with the same ``Message-ID`` (``<notification_id@dorp>``, derived from the key), so
that gap is at-least-once and the receiving side can drop the duplicate. Withdrawing
consent or erasure in that gap suppresses the delivery instead.

Suppressed deliveries are published too (``status="suppressed"`` with the reason), except
for erased members: nothing more is said about them.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

import structlog

from dorp_notifications.domain.deliveries import ERASED, plan_delivery, suppression_reason
from dorp_notifications.domain.language import pick_language
from dorp_notifications.domain.model import Delivery, DeliveryStatus, OutgoingMail, Recipient
from dorp_notifications.ports import MailSender, NotificationsUnitOfWork, RecipientRefusedError
from dorp_notifications.rendering import MailContent, render_mail
from dorp_shared.contracts import Envelope, NotificationSent
from dorp_shared.errors import NotReadyYet
from dorp_shared.regions import Region

log = structlog.get_logger(__name__)

UowFactory = Callable[[], NotificationsUnitOfWork]
People = Mapping[uuid.UUID, Recipient]
Compose = Callable[[People, str], MailContent]
"""Builds the content for one recipient from everyone involved and the chosen language."""

_OUTCOMES: dict[DeliveryStatus, Literal["sent", "failed", "suppressed"]] = {
    DeliveryStatus.SENT: "sent",
    DeliveryStatus.FAILED: "failed",
    DeliveryStatus.SUPPRESSED: "suppressed",
}


@dataclass(frozen=True)
class Wanted:
    """One notification a cause asks for: to whom, with which template and content."""

    recipient_id: uuid.UUID
    template: str
    compose: Compose
    about: tuple[uuid.UUID, ...] = ()
    """Other members the message is about: if one was erased, it is not sent."""


async def send_all(
    cause: Envelope[Any],
    wanted: Sequence[Wanted],
    *,
    involved: Sequence[uuid.UUID],
    uow: UowFactory,
    mailer: MailSender,
    region: Region,
) -> None:
    """``involved`` are all members whose records the content needs (recipients included);
    an unknown one means registration's events have not arrived yet."""
    planned = await _record_intents(cause, wanted, involved, uow(), region)
    for delivery, mail in planned:
        if mail is not None:
            await _deliver(cause, delivery, mail, uow(), mailer)
        else:
            log.info(
                "notification.skipped",
                status=delivery.status.value,
                reason=delivery.reason,
                notification_id=str(delivery.notification_id),
            )


async def _record_intents(
    cause: Envelope[Any],
    wanted: Sequence[Wanted],
    involved: Sequence[uuid.UUID],
    uow: NotificationsUnitOfWork,
    region: Region,
) -> list[tuple[Delivery, OutgoingMail | None]]:
    async with uow:
        people = await _load(uow, involved)
        planned = []
        for want in wanted:
            recipient = people[want.recipient_id]
            about = tuple(people[member_id] for member_id in want.about)
            language = pick_language(recipient.preferred_language, region.default_language)
            intent = plan_delivery(cause.event_id, recipient, want.template, language, about)
            stored, created = await uow.deliveries.record(intent)
            if created and stored.status is DeliveryStatus.SUPPRESSED:
                await publish_outcome(uow, cause, stored)
            stored = await _still_allowed(uow, cause, stored, suppression_reason(recipient, about))
            planned.append((stored, _compose(want, stored, recipient, people)))
    return planned


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


async def _still_allowed(
    uow: NotificationsUnitOfWork, cause: Envelope[Any], stored: Delivery, reason: str | None
) -> Delivery:
    """A delivery left in ``sending`` by a crash is resent only if nothing suppresses it
    now (withdrawn consent or address, erasure) that did not before."""
    if stored.status is not DeliveryStatus.SENDING or reason is None:
        return stored
    await uow.deliveries.mark(stored.notification_id, DeliveryStatus.SUPPRESSED, reason)
    suppressed = replace(stored, status=DeliveryStatus.SUPPRESSED, reason=reason)
    await publish_outcome(uow, cause, suppressed)
    return suppressed


def _compose(
    want: Wanted, delivery: Delivery, recipient: Recipient, people: People
) -> OutgoingMail | None:
    if delivery.status is not DeliveryStatus.SENDING or recipient.email is None:
        return None
    rendered = render_mail(want.template, want.compose(people, delivery.language))
    return OutgoingMail(
        to_address=recipient.email,
        to_name=recipient.first_name,
        subject=rendered.subject,
        text=rendered.text,
        html=rendered.html,
        language=delivery.language,
        message_id=delivery.message_id,
    )


async def _deliver(
    cause: Envelope[Any],
    delivery: Delivery,
    mail: OutgoingMail,
    uow: NotificationsUnitOfWork,
    mailer: MailSender,
) -> None:
    status, reason = DeliveryStatus.SENT, None
    try:
        await mailer.send(mail)
    except RecipientRefusedError:
        status, reason = DeliveryStatus.FAILED, "recipient_refused"
    async with uow:
        if await uow.deliveries.mark(delivery.notification_id, status, reason):
            await publish_outcome(uow, cause, replace(delivery, status=status, reason=reason))
    log.info(
        "notification.delivered",
        status=status.value,
        reason=reason,
        notification_id=str(delivery.notification_id),
        language=delivery.language,
    )


async def publish_outcome(
    uow: NotificationsUnitOfWork, cause: Envelope[Any], delivery: Delivery
) -> None:
    """``NotificationSent`` with the delivery's final status; nothing about erased members."""
    if delivery.reason == ERASED:
        return
    outcome = NotificationSent(
        notification_id=delivery.notification_id,
        cause_event_id=delivery.cause_event_id,
        recipient_id=delivery.recipient_id,
        channel="email",
        template=delivery.template,
        language=delivery.language,
        status=_OUTCOMES[delivery.status],
        reason=delivery.reason,
    )
    await uow.emit(outcome, cause=cause, event_id=delivery.notification_id)
