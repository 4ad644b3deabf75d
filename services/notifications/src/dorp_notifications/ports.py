"""The ports handlers depend on; adapters implement them for PostgreSQL and SMTP."""

from __future__ import annotations

import uuid
from typing import Protocol

from dorp_notifications.domain.model import Delivery, DeliveryStatus, OutgoingMail, Recipient
from dorp_shared.uow import UnitOfWork


class RecipientRepository(Protocol):
    async def save(self, recipient: Recipient) -> None:
        """Insert or replace the recipient's contact details."""
        ...

    async def get(self, member_id: uuid.UUID) -> Recipient | None: ...


class DeliveryRepository(Protocol):
    async def add_or_get(self, planned: Delivery) -> Delivery:
        """Record a planned delivery unless one exists for its (cause, recipient, channel);
        return the one stored."""
        ...

    async def mark(
        self, notification_id: uuid.UUID, status: DeliveryStatus, reason: str | None
    ) -> bool:
        """Move a delivery out of ``sending``; False if it was not in ``sending``."""
        ...


class NotificationsUnitOfWork(UnitOfWork, Protocol):
    @property
    def recipients(self) -> RecipientRepository: ...

    @property
    def deliveries(self) -> DeliveryRepository: ...


class MailSender(Protocol):
    async def send(self, mail: OutgoingMail) -> None:
        """Hand the mail to the mail server. Raises :class:`RecipientRefusedError` when the server
        refuses the recipient; any other exception is transient."""
        ...


class RecipientRefusedError(Exception):
    """The mail server refused this recipient: retrying will not help."""
