"""In-memory edges for the notifications handlers: repositories, unit of work, mailer."""

from __future__ import annotations

import uuid
from dataclasses import replace

from dorp_notifications.domain.model import Delivery, DeliveryStatus, OutgoingMail, Recipient
from dorp_shared.uow import FakeUnitOfWork


class FakeRecipients:
    def __init__(self) -> None:
        self.rows: dict[uuid.UUID, Recipient] = {}

    async def save(self, recipient: Recipient) -> None:
        self.rows[recipient.member_id] = recipient

    async def get(self, member_id: uuid.UUID) -> Recipient | None:
        return self.rows.get(member_id)


class FakeDeliveries:
    def __init__(self) -> None:
        self.rows: dict[tuple[uuid.UUID, uuid.UUID, str], Delivery] = {}

    async def add_or_get(self, planned: Delivery) -> Delivery:
        key = (planned.cause_event_id, planned.recipient_id, planned.channel)
        return self.rows.setdefault(key, planned)

    async def mark(
        self, notification_id: uuid.UUID, status: DeliveryStatus, reason: str | None
    ) -> bool:
        for key, row in self.rows.items():
            if row.notification_id == notification_id and row.status is DeliveryStatus.SENDING:
                self.rows[key] = replace(row, status=status, reason=reason)
                return True
        return False


class FakeNotificationsUnitOfWork(FakeUnitOfWork):
    def __init__(self) -> None:
        super().__init__(region="testregion", source="notifications")
        self.recipients = FakeRecipients()
        self.deliveries = FakeDeliveries()


class FakeMailer:
    """Collects mails; fails the next ``fail_next`` sends with the given exception."""

    def __init__(self) -> None:
        self.sent: list[OutgoingMail] = []
        self.fail_next = 0
        self.failure: Exception = ConnectionError("smtp down")

    async def send(self, mail: OutgoingMail) -> None:
        if self.fail_next:
            self.fail_next -= 1
            raise self.failure
        self.sent.append(mail)
