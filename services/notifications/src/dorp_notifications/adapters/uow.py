"""The PostgreSQL unit of work of notifications: shared inbox/outbox plus its repositories."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Self, cast

import asyncpg

from dorp_notifications.adapters.deliveries import (
    PgDeliveryRepository,
    PgInboxRepository,
    conclude,
)
from dorp_notifications.adapters.repositories import (
    PgDialogueRepository,
    PgProposalRepository,
    PgRecipientRepository,
    PgSessionRepository,
)
from dorp_notifications.domain.model import Delivery, DeliveryStatus
from dorp_notifications.ports import Finished, Retry
from dorp_notifications.sending import publish_outcome
from dorp_shared.contracts.deadletter import DeadLetter
from dorp_shared.contracts.envelope import MSG_ID_HEADER
from dorp_shared.contracts.subjects import DEADLETTER, deadletter_subject, stream_name
from dorp_shared.uow import OutboxRow, PgUnitOfWork

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

    async def conclude(
        self, retries: Sequence[Retry], finished: Sequence[Finished]
    ) -> set[uuid.UUID]:
        """One statement on a connection of its own, no ``BEGIN`` and ``COMMIT`` around it
        (a statement is its own transaction): the outbox rows are built first, each tagged
        with the delivery it is about, and the statement keeps those of deliveries it
        finished. The relay is woken when it queued any."""
        self._held = []
        outbox: list[tuple[uuid.UUID, OutboxRow]] = []
        for done in finished:
            delivery = done.delivery
            if delivery.status is DeliveryStatus.FAILED:
                await self.dead_letter(delivery.reason or "failed", done.error or "", delivery)
            await publish_outcome(self, delivery)
            outbox += [(delivery.notification_id, row) for row in self._held]
            self._held = []
        async with self._pool.acquire() as proxy:
            concluded = await conclude(cast(asyncpg.Connection, proxy), retries, finished, outbox)
        if any(about in concluded for about, _ in outbox):
            self._on_commit()
        return concluded

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
