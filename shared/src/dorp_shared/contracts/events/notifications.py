"""Notifications' events."""

from __future__ import annotations

import uuid
from typing import Literal

from pydantic import Field

from dorp_shared.contracts.envelope import Event
from dorp_shared.contracts.events.common import Channel


class NotificationSent(Event):
    """The outcome of one notification: sent, or (since ``status``) failed or suppressed."""

    area = "notifications"
    name = "notification_sent"
    version = 1

    notification_id: uuid.UUID
    cause_event_id: uuid.UUID
    recipient_id: uuid.UUID
    channel: Channel
    template: str
    language: str
    status: Literal["sent", "failed", "suppressed"] = "sent"
    reason: str | None = Field(
        default=None, description="why it failed or was suppressed, e.g. no_consent"
    )
    channel_reason: str | None = Field(
        default=None,
        description="why this channel: preferred (the member's choice), or why another "
        "was used instead: no_email, no_phone, sms_unavailable (no SMS gateway), "
        "no_phone_no_email, sms_unavailable_no_email; None from publishers before it existed",
    )
    held: str | None = Field(
        default=None,
        description="why it waited before it went (or was stopped): reminder (the day "
        "before), digest (the daily digest), quiet_hours (no SMS at night); None: at once",
    )
