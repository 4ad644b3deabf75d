"""The ports handlers depend on; adapters implement them for PostgreSQL and SMTP."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Protocol

from dorp_notifications.domain.model import (
    Delivery,
    DeliveryStatus,
    OutgoingMail,
    Proposal,
    Recipient,
    Session,
)
from dorp_shared.contracts import ContactDetails
from dorp_shared.uow import UnitOfWork


class RecipientRepository(Protocol):
    async def save(self, recipient: Recipient) -> None:
        """Insert or replace the recipient's contact details."""
        ...

    async def get(self, member_id: uuid.UUID) -> Recipient | None:
        """The recipient, an erased one (``erased``, no contact details) or None if unknown."""
        ...

    async def update_contact(
        self, member_id: uuid.UUID, contact: ContactDetails, language: str
    ) -> bool:
        """New contact details and language (consent unchanged); False if unknown or erased."""
        ...

    async def set_consent(self, member_id: uuid.UUID, notifications: bool) -> None: ...

    async def erase(self, member_id: uuid.UUID) -> None:
        """Delete the contact details, keeping the id as a tombstone."""
        ...


class ProposalRepository(Protocol):
    async def save(self, proposal: Proposal) -> None: ...

    async def get(self, proposal_id: uuid.UUID) -> Proposal | None: ...


class SessionRepository(Protocol):
    async def save_initiative(self, initiative_id: uuid.UUID, name: str) -> None: ...

    async def save_session(
        self,
        session_id: uuid.UUID,
        initiative_id: uuid.UUID,
        starts_at: dt.datetime,
        ends_at: dt.datetime,
        place: str,
    ) -> None: ...

    async def get(self, session_id: uuid.UUID) -> Session | None:
        """The session with its initiative's name (None if that is unknown)."""
        ...


class DeliveryRepository(Protocol):
    async def record(self, planned: Delivery) -> tuple[Delivery, bool]:
        """Record a planned delivery unless one exists for its (cause, recipient, channel);
        return the one stored and whether it was created now."""
        ...

    async def mark(
        self, notification_id: uuid.UUID, status: DeliveryStatus, reason: str | None
    ) -> bool:
        """Move a delivery out of ``sending``; False if it was not in ``sending``."""
        ...

    async def cancel_pending(self, recipient_id: uuid.UUID, reason: str) -> list[Delivery]:
        """Suppress every delivery to this recipient still in ``sending``; return them."""
        ...


class NotificationsUnitOfWork(UnitOfWork, Protocol):
    @property
    def recipients(self) -> RecipientRepository: ...

    @property
    def deliveries(self) -> DeliveryRepository: ...

    @property
    def proposals(self) -> ProposalRepository: ...

    @property
    def sessions(self) -> SessionRepository: ...


class MailSender(Protocol):
    async def send(self, mail: OutgoingMail) -> None:
        """Hand the mail to the mail server. Raises :class:`RecipientRefusedError` when the server
        refuses the recipient; any other exception is transient."""
        ...


class RecipientRefusedError(Exception):
    """The mail server refused this recipient: retrying will not help."""
