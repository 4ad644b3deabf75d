"""The PostgreSQL unit of work of notifications: shared inbox/outbox plus its repositories."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
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


class PgNotificationsUnitOfWork(PgUnitOfWork):
    hold_outbox = True
    """Outbox rows go in with one statement before commit: a round of outcomes costs one
    statement, not one per ``NotificationSent``."""

    recipients: PgRecipientRepository
    deliveries: PgDeliveryRepository
    proposals: PgProposalRepository
    sessions: PgSessionRepository
    dialogue: PgDialogueRepository
    inbox_messages: PgInboxRepository

    async def __aenter__(self) -> Self:
        await super().__aenter__()
        self.recipients = PgRecipientRepository(self.conn)
        self.deliveries = PgDeliveryRepository(self.conn)
        self.proposals = PgProposalRepository(self.conn)
        self.sessions = PgSessionRepository(self.conn)
        self.dialogue = PgDialogueRepository(self.conn)
        self.inbox_messages = PgInboxRepository(self.conn)
        return self

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
