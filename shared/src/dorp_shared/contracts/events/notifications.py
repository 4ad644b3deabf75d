"""Notifications' events."""

from __future__ import annotations

import uuid

from dorp_shared.contracts.envelope import Event
from dorp_shared.contracts.events.common import Channel


class NotificationSent(Event):
    area = "notifications"
    name = "notification_sent"
    version = 1

    notification_id: uuid.UUID
    cause_event_id: uuid.UUID
    recipient_id: uuid.UUID
    channel: Channel
    template: str
    language: str
