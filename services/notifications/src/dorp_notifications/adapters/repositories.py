"""asyncpg repositories of the notifications schema."""

from __future__ import annotations

import datetime as dt
import uuid

import asyncpg

from dorp_notifications.domain.model import Delivery, DeliveryStatus, Proposal, Recipient, Session
from dorp_shared.contracts import ContactDetails

_DELIVERY_COLUMNS = (
    "notification_id, cause_event_id, recipient_id, channel, template, language, status, reason"
)


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
            " consents_notifications = EXCLUDED.consents_notifications, updated_at = now()"
            " WHERE recipients.erased_at IS NULL",
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
            " consents_notifications, erased_at IS NOT NULL AS erased"
            " FROM recipients WHERE member_id = $1",
            member_id,
        )
        return Recipient(**dict(row)) if row else None

    async def update_contact(
        self, member_id: uuid.UUID, contact: ContactDetails, language: str
    ) -> bool:
        changed = await self.conn.fetchval(
            "UPDATE recipients SET display_name = $2, email = $3, phone = $4, channel = $5,"
            " preferred_language = $6, updated_at = now()"
            " WHERE member_id = $1 AND erased_at IS NULL RETURNING true",
            member_id,
            contact.display_name,
            contact.email,
            contact.phone,
            contact.channel,
            language,
        )
        return bool(changed)

    async def set_consent(self, member_id: uuid.UUID, notifications: bool) -> None:
        await self.conn.execute(
            "UPDATE recipients SET consents_notifications = $2, updated_at = now()"
            " WHERE member_id = $1 AND erased_at IS NULL",
            member_id,
            notifications,
        )

    async def erase(self, member_id: uuid.UUID) -> None:
        await self.conn.execute(
            "INSERT INTO recipients (member_id, display_name, channel, preferred_language,"
            " consents_notifications, erased_at) VALUES ($1, '', 'email', '', false, now())"
            " ON CONFLICT (member_id) DO UPDATE SET display_name = '', email = NULL,"
            " phone = NULL, consents_notifications = false, updated_at = now(),"
            " erased_at = coalesce(recipients.erased_at, now())",
            member_id,
        )


class PgProposalRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def save(self, proposal: Proposal) -> None:
        await self.conn.execute(
            "INSERT INTO proposals (proposal_id, requester_id, helper_id, kind, home_area)"
            " VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
            proposal.proposal_id,
            proposal.requester_id,
            proposal.helper_id,
            proposal.kind,
            proposal.home_area,
        )

    async def get(self, proposal_id: uuid.UUID) -> Proposal | None:
        row = await self.conn.fetchrow(
            "SELECT proposal_id, requester_id, helper_id, kind, home_area FROM proposals"
            " WHERE proposal_id = $1",
            proposal_id,
        )
        return Proposal(**dict(row)) if row else None


class PgDeliveryRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def record(self, planned: Delivery) -> tuple[Delivery, bool]:
        created = await self.conn.fetchval(
            "INSERT INTO deliveries (notification_id, cause_event_id, recipient_id, channel,"
            " template, language, status, reason) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
            " ON CONFLICT DO NOTHING RETURNING true",
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
            f"SELECT {_DELIVERY_COLUMNS} FROM deliveries"
            " WHERE cause_event_id = $1 AND recipient_id = $2 AND channel = $3 FOR UPDATE",
            planned.cause_event_id,
            planned.recipient_id,
            planned.channel,
        )
        assert row is not None, "inserted or already present"
        return _delivery(row), bool(created)

    async def cancel_pending(self, recipient_id: uuid.UUID, reason: str) -> list[Delivery]:
        rows = await self.conn.fetch(
            "UPDATE deliveries SET status = 'suppressed', reason = $2, finished_at = now()"
            f" WHERE recipient_id = $1 AND status = 'sending' RETURNING {_DELIVERY_COLUMNS}",
            recipient_id,
            reason,
        )
        return [_delivery(row) for row in rows]

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


class PgSessionRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def save_initiative(self, initiative_id: uuid.UUID, name: str) -> None:
        await self.conn.execute(
            "INSERT INTO initiatives (initiative_id, initiative_name) VALUES ($1, $2)"
            " ON CONFLICT (initiative_id) DO UPDATE SET initiative_name = EXCLUDED.initiative_name",
            initiative_id,
            name,
        )

    async def save_session(
        self,
        session_id: uuid.UUID,
        initiative_id: uuid.UUID,
        starts_at: dt.datetime,
        ends_at: dt.datetime,
        place: str,
    ) -> None:
        await self.conn.execute(
            "INSERT INTO sessions (session_id, initiative_id, starts_at, ends_at, place)"
            " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (session_id) DO UPDATE SET"
            " initiative_id = EXCLUDED.initiative_id, starts_at = EXCLUDED.starts_at,"
            " ends_at = EXCLUDED.ends_at, place = EXCLUDED.place",
            session_id,
            initiative_id,
            starts_at,
            ends_at,
            place,
        )

    async def get(self, session_id: uuid.UUID) -> Session | None:
        row = await self.conn.fetchrow(
            "SELECT s.session_id, i.initiative_name, s.starts_at, s.ends_at, s.place"
            " FROM sessions s LEFT JOIN initiatives i USING (initiative_id)"
            " WHERE s.session_id = $1",
            session_id,
        )
        return Session(**dict(row)) if row else None


def _delivery(row: asyncpg.Record) -> Delivery:
    values = dict(row)
    values["status"] = DeliveryStatus(values["status"])
    return Delivery(**values)
