"""The PostgreSQL unit of work of notifications: shared inbox/outbox plus its repositories."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from types import TracebackType
from typing import Self

from dorp_notifications.adapters.deliveries import PgDeliveryRepository, PgInboxRepository
from dorp_notifications.adapters.repositories import (
    PgDialogueRepository,
    PgProposalRepository,
    PgRecipientRepository,
    PgSessionRepository,
)
from dorp_notifications.domain.model import Delivery
from dorp_shared.contracts.deadletter import DeadLetter
from dorp_shared.contracts.envelope import MSG_ID_HEADER
from dorp_shared.contracts.subjects import DEADLETTER, deadletter_subject, stream_name
from dorp_shared.uow import PgUnitOfWork

SERVICE = "notifications"
_OUTBOX_INSERT = (
    "INSERT INTO outbox (event_id, subject, stream, headers, body)"
    " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (event_id) DO NOTHING"
)


class PgNotificationsUnitOfWork(PgUnitOfWork):
    recipients: PgRecipientRepository
    deliveries: PgDeliveryRepository
    proposals: PgProposalRepository
    sessions: PgSessionRepository
    dialogue: PgDialogueRepository
    inbox_messages: PgInboxRepository

    async def __aenter__(self) -> Self:
        self._outbox_rows: list[tuple[uuid.UUID, str, str, str, bytes]] = []
        await super().__aenter__()
        self.recipients = PgRecipientRepository(self.conn)
        self.deliveries = PgDeliveryRepository(self.conn)
        self.proposals = PgProposalRepository(self.conn)
        self.sessions = PgSessionRepository(self.conn)
        self.dialogue = PgDialogueRepository(self.conn)
        self.inbox_messages = PgInboxRepository(self.conn)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """The outbox rows of this unit of work go in with one statement before commit."""
        if exc_type is None and self._outbox_rows:
            rows, self._outbox_rows = self._outbox_rows, []
            try:
                await self.conn.executemany(_OUTBOX_INSERT, rows)
            except BaseException as failure:
                await super().__aexit__(type(failure), failure, failure.__traceback__)
                raise
        self._outbox_rows = []
        await super().__aexit__(exc_type, exc, tb)

    async def enqueue(
        self,
        subject: str,
        stream: str,
        headers: dict[str, str],
        body: bytes,
        *,
        message_id: uuid.UUID,
    ) -> None:
        """Collected, and written at the end (see ``__aexit__``): a round of outcomes costs
        one statement, not one per ``NotificationSent``."""
        self._outbox_rows.append((message_id, subject, stream, json.dumps(headers), body))
        self._emitted += 1

    async def dead_letter(self, reason: str, detail: str, delivery: Delivery) -> None:
        """Ids only: a dead letter never carries the message or an address."""
        original = {
            "notification_id": str(delivery.notification_id),
            "cause_event_id": str(delivery.cause_event_id),
            "recipient_id": str(delivery.recipient_id),
            "channel": delivery.channel,
            "template": delivery.template,
        }
        letter = DeadLetter(
            reason=reason,
            detail=detail,
            service=SERVICE,
            original_subject=f"notification.{delivery.channel}",
            original_payload=json.dumps(original),
            failed_at=datetime.now(UTC),
        )
        letter_id = uuid.uuid5(delivery.notification_id, "dead")
        await self.enqueue(
            deadletter_subject(self.region, SERVICE),
            stream_name(self.region, DEADLETTER),
            {MSG_ID_HEADER: f"{SERVICE}:{letter_id}:dead"},
            letter.model_dump_json().encode(),
            message_id=letter_id,
        )
