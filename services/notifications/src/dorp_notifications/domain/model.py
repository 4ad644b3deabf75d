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
    role: str = "parent"
    digest: bool = False
    """Messages are gathered and sent once a day (reminders excepted)."""

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
    explanation: str = ""
    explanation_en: str = ""
    awaiting_review: bool = False
    """A connector reviews it first: the parents are asked only once it is approved."""
    accepted_sides: tuple[str, ...] = ()


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
    channel_reason: str | None = None
    """Why this channel: ``preferred``, or the fallback's cause (``no_phone``...)."""
    held: str | None = None
    """Why it waits: ``quiet_hours``, ``digest`` or ``reminder``; None: sent at once."""
    correlation_id: str | None = None
    """The cause's correlation id, carried on to the published outcome."""

    @property
    def message_id(self) -> str:
        """Stable across resends, so a receiving server can drop a duplicate."""
        return f"<{self.notification_id}@dorp>"


@dataclass(frozen=True)
class OutgoingSms:
    """A text message, ready for the SMS gateway adapter."""

    to_number: str
    text: str
    message_id: str


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
