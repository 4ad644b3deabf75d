"""Deciding, per recipient, whether a notification goes out or is suppressed."""

from __future__ import annotations

import uuid

from dorp_notifications.domain.model import Delivery, DeliveryStatus, Recipient

EMAIL = "email"
ERASED = "erased"
"""Suppressed quietly: no outcome is published about an erased member."""
OTHER_ERASED = "other_erased"
"""The message is about someone who has since been erased: it no longer makes sense."""
_NAMESPACE = uuid.UUID("5b0e7a52-6d1b-4c8e-9a49-0b7f4f6f0c11")


def notification_id(cause_event_id: uuid.UUID, recipient_id: uuid.UUID, channel: str) -> uuid.UUID:
    """Deterministic, so the same cause and recipient always yield the same notification."""
    return uuid.uuid5(_NAMESPACE, f"{cause_event_id}:{recipient_id}:{channel}")


def suppression_reason(recipient: Recipient, about: tuple[Recipient, ...] = ()) -> str | None:
    """Why nothing may be sent to this recipient, or None if an e-mail may go out.
    ``about`` are the other members the message is about.

    The skeleton delivers by e-mail only: a preferred channel of sms or app falls back
    to e-mail when an address is known.
    """
    if recipient.erased:
        return ERASED
    if not recipient.consents_notifications:
        return "no_consent"
    if not recipient.email:
        return "no_email"
    if any(other.erased for other in about):
        return OTHER_ERASED
    return None


def plan_delivery(
    cause_event_id: uuid.UUID,
    recipient: Recipient,
    template: str,
    language: str,
    about: tuple[Recipient, ...] = (),
) -> Delivery:
    reason = suppression_reason(recipient, about)
    return Delivery(
        notification_id=notification_id(cause_event_id, recipient.member_id, EMAIL),
        cause_event_id=cause_event_id,
        recipient_id=recipient.member_id,
        channel=EMAIL,
        template=template,
        language=language,
        status=DeliveryStatus.SENDING if reason is None else DeliveryStatus.SUPPRESSED,
        reason=reason,
    )
