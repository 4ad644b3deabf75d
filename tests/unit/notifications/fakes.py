"""In-memory edges for the notifications handlers: repositories, unit of work, mailer."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import replace

from dorp_notifications.domain.model import (
    Delivery,
    DeliveryStatus,
    OutgoingMail,
    Proposal,
    Recipient,
    Session,
)
from dorp_shared.contracts import ContactDetails
from dorp_shared.uow import FakeUnitOfWork


class FakeRecipients:
    def __init__(self) -> None:
        self.rows: dict[uuid.UUID, Recipient] = {}

    async def save(self, recipient: Recipient) -> None:
        stored = self.rows.get(recipient.member_id)
        if stored is None or not stored.erased:
            self.rows[recipient.member_id] = recipient

    async def get(self, member_id: uuid.UUID) -> Recipient | None:
        return self.rows.get(member_id)

    async def update_contact(
        self, member_id: uuid.UUID, contact: ContactDetails, language: str
    ) -> bool:
        stored = self.rows.get(member_id)
        if stored is None or stored.erased:
            return False
        self.rows[member_id] = replace(
            stored,
            display_name=contact.display_name,
            email=contact.email,
            phone=contact.phone,
            channel=contact.channel,
            preferred_language=language,
        )
        return True

    async def set_consent(self, member_id: uuid.UUID, notifications: bool) -> None:
        stored = self.rows.get(member_id)
        if stored is not None and not stored.erased:
            self.rows[member_id] = replace(stored, consents_notifications=notifications)

    async def erase(self, member_id: uuid.UUID) -> None:
        self.rows[member_id] = Recipient(member_id, "", None, None, "email", "", False, True)


class FakeDeliveries:
    def __init__(self) -> None:
        self.rows: dict[tuple[uuid.UUID, uuid.UUID, str], Delivery] = {}

    async def record(self, planned: Delivery) -> tuple[Delivery, bool]:
        key = (planned.cause_event_id, planned.recipient_id, planned.channel)
        created = key not in self.rows
        return self.rows.setdefault(key, planned), created

    async def mark(
        self, notification_id: uuid.UUID, status: DeliveryStatus, reason: str | None
    ) -> bool:
        for key, row in self.rows.items():
            if row.notification_id == notification_id and row.status is DeliveryStatus.SENDING:
                self.rows[key] = replace(row, status=status, reason=reason)
                return True
        return False

    async def cancel_pending(self, recipient_id: uuid.UUID, reason: str) -> list[Delivery]:
        cancelled = []
        for key, row in self.rows.items():
            if row.recipient_id == recipient_id and row.status is DeliveryStatus.SENDING:
                self.rows[key] = replace(row, status=DeliveryStatus.SUPPRESSED, reason=reason)
                cancelled.append(self.rows[key])
        return cancelled


class FakeProposals:
    def __init__(self) -> None:
        self.rows: dict[uuid.UUID, Proposal] = {}

    async def save(self, proposal: Proposal) -> None:
        self.rows.setdefault(proposal.proposal_id, proposal)

    async def get(self, proposal_id: uuid.UUID) -> Proposal | None:
        return self.rows.get(proposal_id)


class FakeSessions:
    def __init__(self) -> None:
        self.names: dict[uuid.UUID, str] = {}
        self.rows: dict[uuid.UUID, tuple[uuid.UUID, dt.datetime, dt.datetime, str]] = {}

    async def save_initiative(self, initiative_id: uuid.UUID, name: str) -> None:
        self.names[initiative_id] = name

    async def save_session(
        self,
        session_id: uuid.UUID,
        initiative_id: uuid.UUID,
        starts_at: dt.datetime,
        ends_at: dt.datetime,
        place: str,
    ) -> None:
        self.rows[session_id] = (initiative_id, starts_at, ends_at, place)

    async def get(self, session_id: uuid.UUID) -> Session | None:
        if session_id not in self.rows:
            return None
        initiative_id, starts_at, ends_at, place = self.rows[session_id]
        return Session(session_id, self.names.get(initiative_id), starts_at, ends_at, place)


class FakeNotificationsUnitOfWork(FakeUnitOfWork):
    def __init__(self) -> None:
        super().__init__(region="testregion", source="notifications")
        self.recipients = FakeRecipients()
        self.deliveries = FakeDeliveries()
        self.proposals = FakeProposals()
        self.sessions = FakeSessions()


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
