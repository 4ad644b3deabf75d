"""asyncpg repositories of the notifications schema."""

from __future__ import annotations

import uuid

import asyncpg

from dorp_notifications.domain.model import Delivery, DeliveryStatus, Recipient


class PgRecipientRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def save(self, recipient: Recipient) -> None:
        await self.conn.execute(
            "INSERT INTO recipients (member_id, display_name, email, phone, channel,"
            " preferred_language, consents_notifications) VALUES ($1, $2, $3, $4, $5, $6, $7)"
            " ON CONFLICT (member_id) DO UPDATE SET display_name = EXCLUDED.display_name,"
            " email = EXCLUDED.email, phone = EXCLUDED.phone, channel = EXCLUDED.channel,"
            " preferred_language = EXCLUDED.preferred_language,"
            " consents_notifications = EXCLUDED.consents_notifications, updated_at = now()",
            recipient.member_id,
            recipient.display_name,
            recipient.email,
            recipient.phone,
            recipient.channel,
            recipient.preferred_language,
            recipient.consents_notifications,
        )

    async def get(self, member_id: uuid.UUID) -> Recipient | None:
        row = await self.conn.fetchrow(
            "SELECT member_id, display_name, email, phone, channel, preferred_language,"
            " consents_notifications FROM recipients WHERE member_id = $1",
            member_id,
        )
        return Recipient(**dict(row)) if row else None


class PgDeliveryRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def add_or_get(self, planned: Delivery) -> Delivery:
        await self.conn.execute(
            "INSERT INTO deliveries (notification_id, cause_event_id, recipient_id, channel,"
            " template, language, status, reason) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
            " ON CONFLICT DO NOTHING",
            planned.notification_id,
            planned.cause_event_id,
            planned.recipient_id,
            planned.channel,
            planned.template,
            planned.language,
            planned.status.value,
            planned.reason,
        )
        row = await self.conn.fetchrow(
            "SELECT notification_id, cause_event_id, recipient_id, channel, template, language,"
            " status, reason FROM deliveries"
            " WHERE cause_event_id = $1 AND recipient_id = $2 AND channel = $3 FOR UPDATE",
            planned.cause_event_id,
            planned.recipient_id,
            planned.channel,
        )
        assert row is not None, "inserted or already present"
        values = dict(row)
        values["status"] = DeliveryStatus(values["status"])
        return Delivery(**values)

    async def mark(
        self, notification_id: uuid.UUID, status: DeliveryStatus, reason: str | None
    ) -> bool:
        changed = await self.conn.fetchval(
            "UPDATE deliveries SET status = $2, reason = $3, finished_at = now()"
            " WHERE notification_id = $1 AND status = 'sending' RETURNING true",
            notification_id,
            status.value,
            reason,
        )
        return bool(changed)
