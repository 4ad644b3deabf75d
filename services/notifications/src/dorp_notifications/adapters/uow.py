"""The PostgreSQL unit of work of notifications: shared inbox/outbox plus its repositories."""

from __future__ import annotations

from typing import Self

from dorp_notifications.adapters.repositories import (
    PgDeliveryRepository,
    PgProposalRepository,
    PgRecipientRepository,
    PgSessionRepository,
)
from dorp_shared.uow import PgUnitOfWork


class PgNotificationsUnitOfWork(PgUnitOfWork):
    recipients: PgRecipientRepository
    deliveries: PgDeliveryRepository
    proposals: PgProposalRepository
    sessions: PgSessionRepository

    async def __aenter__(self) -> Self:
        await super().__aenter__()
        self.recipients = PgRecipientRepository(self.conn)
        self.deliveries = PgDeliveryRepository(self.conn)
        self.proposals = PgProposalRepository(self.conn)
        self.sessions = PgSessionRepository(self.conn)
        return self
