"""asyncpg repositories of the notifications schema: recipients, proposals, sessions and
dialogue tables (deliveries and the inbox are in ``deliveries``)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

import asyncpg

from dorp_notifications.domain.model import Proposal, Recipient, Session
from dorp_shared.contracts import ContactDetails

RECIPIENT_COLUMNS = (
    "member_id, display_name, email, phone, channel, preferred_language,"
    " consents_notifications, erased_at IS NOT NULL AS erased, role, digest"
)
_PROPOSAL_COLUMNS = (
    "proposal_id, requester_id, helper_id, kind, home_area, explanation, explanation_en,"
    " awaiting_review, accepted_sides"
)


class PgRecipientRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def save(self, recipient: Recipient) -> None:
        await self.conn.execute(
            "INSERT INTO recipients (member_id, display_name, email, phone, channel,"
            " preferred_language, consents_notifications, role)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
            " ON CONFLICT (member_id) DO UPDATE SET display_name = EXCLUDED.display_name,"
            " email = EXCLUDED.email, phone = EXCLUDED.phone, channel = EXCLUDED.channel,"
            " preferred_language = EXCLUDED.preferred_language, role = EXCLUDED.role,"
            " consents_notifications = EXCLUDED.consents_notifications, updated_at = now()"
            " WHERE recipients.erased_at IS NULL",
            recipient.member_id,
            recipient.display_name,
            recipient.email,
            recipient.phone,
            recipient.channel,
            recipient.preferred_language,
            recipient.consents_notifications,
            recipient.role,
        )

    async def get(self, member_id: uuid.UUID) -> Recipient | None:
        row = await self.conn.fetchrow(
            f"SELECT {RECIPIENT_COLUMNS} FROM recipients WHERE member_id = $1", member_id
        )
        return Recipient(**dict(row)) if row else None

    async def connectors(self) -> list[Recipient]:
        rows = await self.conn.fetch(
            f"SELECT {RECIPIENT_COLUMNS} FROM recipients"
            " WHERE role = 'connector' AND erased_at IS NULL ORDER BY member_id"
        )
        return [Recipient(**dict(row)) for row in rows]

    async def set_digest(self, member_id: uuid.UUID, digest: bool) -> bool:
        changed = await self.conn.fetchval(
            "UPDATE recipients SET digest = $2, updated_at = now()"
            " WHERE member_id = $1 AND erased_at IS NULL RETURNING true",
            member_id,
            digest,
        )
        return bool(changed)

    async def update_contact(
        self, member_id: uuid.UUID, contact: ContactDetails, language: str, role: str
    ) -> bool:
        changed = await self.conn.fetchval(
            "UPDATE recipients SET display_name = $2, email = $3, phone = $4, channel = $5,"
            " preferred_language = $6, role = $7, updated_at = now()"
            " WHERE member_id = $1 AND erased_at IS NULL RETURNING true",
            member_id,
            contact.display_name,
            contact.email,
            contact.phone,
            contact.channel,
            language,
            role,
        )
        return bool(changed)

    async def set_consent(self, member_id: uuid.UUID, notifications: bool) -> None:
        await self.conn.execute(
            "UPDATE recipients SET consents_notifications = $2, updated_at = now(),"
            " email = CASE WHEN $2 THEN email END, phone = CASE WHEN $2 THEN phone END"
            " WHERE member_id = $1 AND erased_at IS NULL",
            member_id,
            notifications,
        )

    async def erase(self, member_id: uuid.UUID) -> None:
        await self.conn.execute(
            "INSERT INTO recipients (member_id, display_name, channel, preferred_language,"
            " consents_notifications, erased_at) VALUES ($1, '', 'email', '', false, now())"
            " ON CONFLICT (member_id) DO UPDATE SET display_name = '', email = NULL,"
            " phone = NULL, consents_notifications = false, digest = false, updated_at = now(),"
            " erased_at = coalesce(recipients.erased_at, now())",
            member_id,
        )


class PgProposalRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def save(self, proposal: Proposal) -> None:
        await self.conn.execute(
            "INSERT INTO proposals (proposal_id, requester_id, helper_id, kind, home_area,"
            " explanation, explanation_en, awaiting_review) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
            " ON CONFLICT DO NOTHING",
            proposal.proposal_id,
            proposal.requester_id,
            proposal.helper_id,
            proposal.kind,
            proposal.home_area,
            proposal.explanation,
            proposal.explanation_en,
            proposal.awaiting_review,
        )

    async def get(self, proposal_id: uuid.UUID) -> Proposal | None:
        row = await self.conn.fetchrow(
            f"SELECT {_PROPOSAL_COLUMNS} FROM proposals WHERE proposal_id = $1", proposal_id
        )
        return _proposal(row) if row else None

    async def reviewed(self, proposal_id: uuid.UUID) -> None:
        await self.conn.execute(
            "UPDATE proposals SET awaiting_review = false WHERE proposal_id = $1", proposal_id
        )

    async def accept(self, proposal_id: uuid.UUID, side: str) -> tuple[str, ...]:
        sides = await self.conn.fetchval(
            "UPDATE proposals SET accepted_sides = CASE WHEN $2 = ANY(accepted_sides)"
            " THEN accepted_sides ELSE accepted_sides || $2 END"
            " WHERE proposal_id = $1 RETURNING accepted_sides",
            proposal_id,
            side,
        )
        return tuple(sides or ())


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

    async def join(self, session_id: uuid.UUID, member_id: uuid.UUID) -> None:
        await self.conn.execute(
            "INSERT INTO session_members (session_id, member_id) VALUES ($1, $2)"
            " ON CONFLICT DO NOTHING",
            session_id,
            member_id,
        )

    async def leave(self, session_id: uuid.UUID, member_id: uuid.UUID) -> None:
        await self.conn.execute(
            "DELETE FROM session_members WHERE session_id = $1 AND member_id = $2",
            session_id,
            member_id,
        )

    async def members(self, session_id: uuid.UUID) -> list[uuid.UUID]:
        rows = await self.conn.fetch(
            "SELECT member_id FROM session_members WHERE session_id = $1 ORDER BY member_id",
            session_id,
        )
        return [row["member_id"] for row in rows]


def _proposal(row: asyncpg.Record) -> Proposal:
    values = dict(row)
    values["accepted_sides"] = tuple(values["accepted_sides"])
    return Proposal(**values)


class PgDialogueRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def save_table(
        self, table_id: uuid.UUID, topic: str, group_ids: Sequence[uuid.UUID]
    ) -> None:
        await self.conn.execute(
            "INSERT INTO dialogue_tables (table_id, topic, group_ids) VALUES ($1, $2, $3)"
            " ON CONFLICT (table_id) DO UPDATE SET topic = EXCLUDED.topic,"
            " group_ids = EXCLUDED.group_ids",
            table_id,
            topic,
            list(group_ids),
        )

    async def join_group(self, group_id: uuid.UUID, member_id: uuid.UUID) -> None:
        await self.conn.execute(
            "INSERT INTO group_members (group_id, member_id) VALUES ($1, $2)"
            " ON CONFLICT DO NOTHING",
            group_id,
            member_id,
        )

    async def table(self, table_id: uuid.UUID) -> tuple[str, list[uuid.UUID]] | None:
        topic = await self.conn.fetchval(
            "SELECT topic FROM dialogue_tables WHERE table_id = $1", table_id
        )
        if topic is None:
            return None
        members = await self.conn.fetch(
            "SELECT DISTINCT g.member_id FROM dialogue_tables t"
            " JOIN group_members g ON g.group_id = ANY(t.group_ids)"
            " WHERE t.table_id = $1 ORDER BY g.member_id",
            table_id,
        )
        return str(topic), [row["member_id"] for row in members]
