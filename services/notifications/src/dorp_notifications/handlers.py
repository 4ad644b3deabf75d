"""Use cases of the notifications service.

Exactly once per (cause event, recipient, channel), as far as SMTP allows:

1. one transaction records the intent of every delivery a cause leads to (status
   ``sending``, or ``suppressed`` with a reason) under a unique key;
2. each ``sending`` delivery is handed to the mail server, outside any transaction;
3. a second transaction marks it ``sent`` and emits ``NotificationSent`` via the outbox.

A redelivered event finds its deliveries ``sent`` or ``suppressed`` and sends nothing. A
crash between steps 2 and 3 leaves a delivery in ``sending``; the redelivery sends it
again with the same ``Message-ID`` (``<notification_id@dorp>``, derived from the key), so
that gap is at-least-once and the receiving side can drop the duplicate.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import structlog

from dorp_notifications.domain.deliveries import plan_delivery, suppression_reason
from dorp_notifications.domain.language import pick_language
from dorp_notifications.domain.match_mail import TEMPLATE, Role, match_mail
from dorp_notifications.domain.model import Delivery, DeliveryStatus, OutgoingMail, Recipient
from dorp_notifications.ports import MailSender, NotificationsUnitOfWork, RecipientRefusedError
from dorp_notifications.rendering import render_match_mail
from dorp_shared.contracts import Envelope, MatchProposed, MemberRegistered, NotificationSent
from dorp_shared.errors import NotReadyYet
from dorp_shared.regions import Region

log = structlog.get_logger(__name__)

CONSUMER = "notifications"
UowFactory = Callable[[], NotificationsUnitOfWork]


def recipient_from(event: MemberRegistered) -> Recipient:
    return Recipient(
        member_id=event.member_id,
        display_name=event.contact.display_name,
        email=event.contact.email,
        phone=event.contact.phone,
        channel=event.contact.channel,
        preferred_language=event.preferred_language,
        consents_notifications=event.consents.notifications,
    )


async def register_recipient(
    event: Envelope[MemberRegistered], uow: NotificationsUnitOfWork
) -> None:
    async with uow:
        if await uow.first_time(CONSUMER, event.event_id):
            await uow.recipients.save(recipient_from(event.payload))


async def notify_match(
    event: Envelope[MatchProposed], *, uow: UowFactory, mailer: MailSender, region: Region
) -> None:
    """E-mail the requester and the helper, each in their own language."""
    planned = await _record_intents(event, uow(), region)
    for delivery, mail in planned:
        if mail is not None:
            await _deliver(event, delivery, mail, uow(), mailer)
        else:
            log.info(
                "notification.skipped",
                status=delivery.status.value,
                reason=delivery.reason,
                notification_id=str(delivery.notification_id),
            )


async def _record_intents(
    event: Envelope[MatchProposed], uow: NotificationsUnitOfWork, region: Region
) -> list[tuple[Delivery, OutgoingMail | None]]:
    match = event.payload
    async with uow:
        requester = await uow.recipients.get(match.requester_id)
        helper = await uow.recipients.get(match.helper_id)
        if requester is None or helper is None:
            raise NotReadyYet("a member of this match is not registered here yet")
        sides: tuple[tuple[Recipient, Recipient, Role], ...] = (
            (requester, helper, "requester"),
            (helper, requester, "helper"),
        )
        planned = []
        for recipient, other, role in sides:
            language = pick_language(recipient.preferred_language, region.default_language)
            intent = plan_delivery(event.event_id, recipient, TEMPLATE, language)
            stored = await _still_allowed(uow, await uow.deliveries.add_or_get(intent), recipient)
            planned.append((stored, _compose(match, stored, recipient, other, role, region)))
    return planned


async def _still_allowed(
    uow: NotificationsUnitOfWork, stored: Delivery, recipient: Recipient
) -> Delivery:
    """A delivery left in ``sending`` by a crash is resent only if the recipient has not
    withdrawn consent (or their address) since."""
    reason = suppression_reason(recipient)
    if stored.status is not DeliveryStatus.SENDING or reason is None:
        return stored
    await uow.deliveries.mark(stored.notification_id, DeliveryStatus.SUPPRESSED, reason)
    return replace(stored, status=DeliveryStatus.SUPPRESSED, reason=reason)


def _compose(
    match: MatchProposed,
    delivery: Delivery,
    recipient: Recipient,
    other: Recipient,
    role: Role,
    region: Region,
) -> OutgoingMail | None:
    if delivery.status is not DeliveryStatus.SENDING or recipient.email is None:
        return None
    content = match_mail(
        match,
        recipient=recipient,
        other=other,
        role=role,
        language=delivery.language,
        region=region,
    )
    rendered = render_match_mail(content)
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
        changed = await uow.deliveries.mark(delivery.notification_id, status, reason)
        if changed and status is DeliveryStatus.SENT:
            await uow.emit(_sent_event(delivery), cause=cause, event_id=delivery.notification_id)
    log.info(
        "notification.delivered",
        status=status.value,
        reason=reason,
        notification_id=str(delivery.notification_id),
        language=delivery.language,
    )


def _sent_event(delivery: Delivery) -> NotificationSent:
    return NotificationSent(
        notification_id=delivery.notification_id,
        cause_event_id=delivery.cause_event_id,
        recipient_id=delivery.recipient_id,
        channel="email",
        template=delivery.template,
        language=delivery.language,
    )
