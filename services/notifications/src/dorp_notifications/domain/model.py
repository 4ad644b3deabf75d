"""What notifications knows: recipients (the only store of contact details) and deliveries."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from enum import StrEnum


@dataclass(frozen=True)
class Recipient:
    """A member as far as notifications needs them: how and whether to reach them."""

    member_id: uuid.UUID
    display_name: str
    email: str | None
    phone: str | None
    channel: str
    preferred_language: str
    consents_notifications: bool
    erased: bool = False

    @property
    def first_name(self) -> str:
        """Only the first word: the other party never sees more of a name than this."""
        parts = self.display_name.split()
        return parts[0] if parts else ""


@dataclass(frozen=True)
class Proposal:
    """Who was asked in a proposed match: ids only, so later events can reach them."""

    proposal_id: uuid.UUID
    requester_id: uuid.UUID
    helper_id: uuid.UUID
    kind: str
    home_area: str


@dataclass(frozen=True)
class Session:
    """A session as a sign-up mail describes it (nothing personal)."""

    session_id: uuid.UUID
    initiative_name: str | None
    starts_at: dt.datetime
    ends_at: dt.datetime
    place: str


class DeliveryStatus(StrEnum):
    SENDING = "sending"
    SENT = "sent"
    SUPPRESSED = "suppressed"
    FAILED = "failed"


@dataclass(frozen=True)
class Delivery:
    """One notification to one recipient on one channel, caused by one event."""

    notification_id: uuid.UUID
    cause_event_id: uuid.UUID
    recipient_id: uuid.UUID
    channel: str
    template: str
    language: str
    status: DeliveryStatus
    reason: str | None = None

    @property
    def message_id(self) -> str:
        """Stable across resends, so a receiving server can drop a duplicate."""
        return f"<{self.notification_id}@dorp>"


@dataclass(frozen=True)
class OutgoingMail:
    """A rendered e-mail, ready for the SMTP adapter."""

    to_address: str
    to_name: str
    subject: str
    text: str
    html: str
    language: str
    message_id: str
