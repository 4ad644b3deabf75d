"""Deciding, per recipient, whether a notification goes out, on which channel, and why."""

from __future__ import annotations

import uuid

from dorp_notifications.domain.model import Delivery, DeliveryStatus, Recipient

EMAIL = "email"
SMS = "sms"
APP = "app"
"""The in-app inbox: always possible, it needs no contact details."""
PREFERRED = "preferred"
ERASED = "erased"
"""Suppressed quietly: no outcome is published about an erased member."""
NO_CONSENT = "no_consent"
OTHER_ERASED = "other_erased"
"""The message is about someone who has since been erased: it no longer makes sense."""
_NAMESPACE = uuid.UUID("5b0e7a52-6d1b-4c8e-9a49-0b7f4f6f0c11")


def notification_id(cause_event_id: uuid.UUID, recipient_id: uuid.UUID, channel: str) -> uuid.UUID:
    """Deterministic, so the same cause and recipient always yield the same notification."""
    return uuid.uuid5(_NAMESPACE, f"{cause_event_id}:{recipient_id}:{channel}")


def derived_cause(cause_event_id: uuid.UUID, purpose: str) -> uuid.UUID:
    """A second notification from one event (the reminder after a sign-up's confirmation)
    needs its own cause id, so that each is still sent once."""
    return uuid.uuid5(cause_event_id, purpose)


def choose_channel(recipient: Recipient, *, sms_available: bool) -> tuple[str, str]:
    """The member's preferred channel when it can be used, else a fallback, and why:
    SMS without a phone (or gateway) falls back to e-mail, then to the in-app inbox;
    e-mail without an address to SMS, then the inbox."""
    can_sms = bool(recipient.phone) and sms_available
    if recipient.channel == SMS:
        if can_sms:
            return SMS, PREFERRED
        why = "no_phone" if not recipient.phone else "sms_unavailable"
        return (EMAIL, why) if recipient.email else (APP, f"{why}_no_email")
    if recipient.channel == EMAIL:
        if recipient.email:
            return EMAIL, PREFERRED
        return (SMS, "no_email") if can_sms else (APP, "no_email")
    return APP, PREFERRED


def suppression_reason(recipient: Recipient, about: tuple[Recipient, ...] = ()) -> str | None:
    """Why nothing may be sent to this recipient, or None. ``about`` are the other members
    the message is about."""
    if recipient.erased:
        return ERASED
    if not recipient.consents_notifications:
        return NO_CONSENT
    if any(other.erased for other in about):
        return OTHER_ERASED
    return None


def plan_delivery(
    cause_event_id: uuid.UUID,
    recipient: Recipient,
    template: str,
    language: str,
    about: tuple[Recipient, ...] = (),
    *,
    sms_available: bool = False,
    held: str | None = None,
) -> Delivery:
    channel, channel_reason = choose_channel(recipient, sms_available=sms_available)
    reason = suppression_reason(recipient, about)
    return Delivery(
        notification_id=notification_id(cause_event_id, recipient.member_id, channel),
        cause_event_id=cause_event_id,
        recipient_id=recipient.member_id,
        channel=channel,
        template=template,
        language=language,
        status=DeliveryStatus.SENDING if reason is None else DeliveryStatus.SUPPRESSED,
        reason=reason,
        channel_reason=channel_reason,
        held=held if reason is None else None,
    )
