"""asyncpg repository of members, their consent history and pending stream purges."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import datetime, timedelta
from typing import Any

import asyncpg

from dorp_registration.adapters.rows import jsonable, jsonable_rows
from dorp_registration.domain.members import Member
from dorp_registration.ports.members import ConsentRecord
from dorp_shared.contracts.events import Consents, ContactDetails

COLUMNS = (
    "member_id, role, home_area, languages, preferred_language, age_bands, interests,"
    " registered_by, consents, display_name, email, phone, channel, registered_at,"
    " last_active_at, partner_id, connector_id, organisation_id, erased_at"
)

ACTIVITY_STEP = timedelta(hours=1)
"""``ACTIVITY_MOVES``'s step, for what the batch can tell from a member it read."""
ACTIVITY_MOVES = "retention_warned_at IS NOT NULL OR last_active_at < {at} - interval '1 hour'"
"""When activity at ``{at}`` is written: it clears a retention warning, or it moves
``last_active_at`` on by an hour or more. Retention counts in years, and every write of
``last_active_at`` (an indexed column) is a new version of the member's row: a member active
again within the hour is not written again."""


class PgMemberRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def get(self, member_id: uuid.UUID) -> Member | None:
        row = await self.conn.fetchrow(
            f"SELECT {COLUMNS} FROM members WHERE member_id = $1", member_id
        )
        return None if row is None else _member(row)

    async def get_many(
        self, member_ids: Collection[uuid.UUID]
    ) -> tuple[dict[uuid.UUID, Member], set[uuid.UUID]]:
        """The members of these ids that exist, and which of them hold a retention warning,
        in one query.

        Looked up key by key (``LATERAL … LIMIT 1``): as ``member_id = ANY($1)`` the
        statement's plan, made once per connection while the table was small, scanned every
        member for every batch (PostgreSQL's CPU per event grew with the table)."""
        rows = await self.conn.fetch(
            f"SELECT m.* FROM unnest($1::uuid[]) AS wanted (id), LATERAL (SELECT {COLUMNS},"
            " retention_warned_at FROM members WHERE member_id = wanted.id LIMIT 1) AS m",
            list(member_ids),
        )
        members = {row["member_id"]: _member(row) for row in rows}
        warned = {row["member_id"] for row in rows if row["retention_warned_at"] is not None}
        return members, warned

    async def add(self, member: Member, external_id: str | None = None) -> bool:
        inserted = await self.conn.fetchval(
            f"INSERT INTO members ({', '.join(PROFILE)}, member_id, partner_id, external_id,"
            " registered_by, connector_id, registered_at, last_active_at)"
            f" VALUES ({_placeholders(1, len(PROFILE))}, $13, $14, $15, $16, $17, $18, $18)"
            " ON CONFLICT DO NOTHING RETURNING true",
            *_profile_values(member),
            member.member_id,
            member.partner_id,
            external_id,
            member.registered_by,
            member.connector_id,
            member.registered_at,
        )
        return bool(inserted)

    async def save(self, member: Member) -> None:
        assignments = ", ".join(f"{column} = ${n}" for n, column in enumerate(PROFILE, start=2))
        await self.conn.execute(
            f"UPDATE members SET {assignments} WHERE member_id = $1",
            member.member_id,
            *_profile_values(member),
        )

    async def record_consent(self, member_id: uuid.UUID, record: ConsentRecord) -> None:
        await self.conn.execute(
            "INSERT INTO consent_log (member_id, purpose, granted, source, recorded_at)"
            " VALUES ($1, $2, $3, $4, $5)",
            member_id,
            record.purpose,
            record.granted,
            record.source,
            record.recorded_at,
        )

    async def touch(self, member_id: uuid.UUID, at: datetime) -> None:
        await self.conn.execute(
            "UPDATE members SET last_active_at = greatest(last_active_at, $2),"
            " retention_warned_at = NULL WHERE member_id = $1 AND erased_at IS NULL"
            f" AND ({ACTIVITY_MOVES.format(at='$2::timestamptz')})",
            member_id,
            at,
        )

    async def due_for_warning(
        self, *, inactive_before: datetime, limit: int
    ) -> list[tuple[uuid.UUID, datetime]]:
        rows = await self.conn.fetch(
            "SELECT member_id, last_active_at FROM members WHERE erased_at IS NULL"
            " AND retention_warned_at IS NULL AND last_active_at < $1"
            " ORDER BY last_active_at LIMIT $2",
            inactive_before,
            limit,
        )
        return [(row["member_id"], row["last_active_at"]) for row in rows]

    async def due_for_erasure(
        self, *, inactive_before: datetime, warned_before: datetime, limit: int
    ) -> list[uuid.UUID]:
        rows = await self.conn.fetch(
            "SELECT member_id FROM members WHERE erased_at IS NULL"
            " AND retention_warned_at < $2 AND last_active_at < $1"
            " ORDER BY last_active_at LIMIT $3",
            inactive_before,
            warned_before,
            limit,
        )
        return [row["member_id"] for row in rows]

    async def mark_warned(self, member_id: uuid.UUID, at: datetime) -> None:
        await self.conn.execute(
            "UPDATE members SET retention_warned_at = $2 WHERE member_id = $1", member_id, at
        )

    async def queue_purge(self, member_id: uuid.UUID, event_id: uuid.UUID) -> None:
        await self.conn.execute(
            "INSERT INTO erasures (member_id, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            member_id,
            event_id,
        )

    async def forget(self, member_id: uuid.UUID, at: datetime) -> None:
        """Keep an empty row (so the id stays known as erased); drop all personal data."""
        await self.conn.execute("DELETE FROM consent_log WHERE member_id = $1", member_id)
        await self.conn.execute(
            "UPDATE members SET external_id = NULL, languages = '{}', age_bands = '{}',"
            " interests = '{}', consents = $2, display_name = NULL, email = NULL,"
            " phone = NULL, connector_id = NULL, organisation_id = NULL, erased_at = $3"
            " WHERE member_id = $1",
            member_id,
            Consents().model_dump_json(),
            at,
        )

    async def export(self, member_id: uuid.UUID) -> dict[str, list[dict[str, Any]]]:
        member = await self.conn.fetchrow(
            f"SELECT {COLUMNS}, external_id FROM members WHERE member_id = $1", member_id
        )
        consents = await self.conn.fetch(
            "SELECT purpose, granted, source, recorded_at FROM consent_log"
            " WHERE member_id = $1 ORDER BY id",
            member_id,
        )
        return {
            "member": [jsonable(member)] if member else [],
            "consent_history": jsonable_rows(consents),
        }


PROFILE = (
    "role",
    "home_area",
    "languages",
    "preferred_language",
    "age_bands",
    "interests",
    "consents",
    "display_name",
    "email",
    "phone",
    "channel",
    "organisation_id",
)
"""The columns a change of a member's profile or consents may touch."""


def _profile_values(member: Member) -> tuple[object, ...]:
    """Values in the order of ``PROFILE``."""
    contact = member.contact
    return (
        member.role,
        member.home_area,
        list(member.languages),
        member.preferred_language,
        list(member.age_bands),
        list(member.interests),
        member.consents.model_dump_json(),
        contact.display_name,
        contact.email,
        contact.phone,
        contact.channel,
        member.organisation_id,
    )


def _placeholders(first: int, count: int) -> str:
    return ", ".join(f"${n}" for n in range(first, first + count))


def _member(row: asyncpg.Record) -> Member:
    return Member(
        member_id=row["member_id"],
        role=row["role"],
        home_area=row["home_area"],
        languages=tuple(row["languages"]),
        preferred_language=row["preferred_language"],
        age_bands=tuple(row["age_bands"]),
        interests=tuple(row["interests"]),
        registered_by=row["registered_by"],
        consents=Consents.model_validate_json(row["consents"]),
        contact=ContactDetails(
            display_name=row["display_name"] or "",
            email=row["email"],
            phone=row["phone"],
            channel=row["channel"],
        ),
        registered_at=row["registered_at"],
        last_active_at=row["last_active_at"],
        partner_id=row["partner_id"],
        connector_id=row["connector_id"],
        organisation_id=row["organisation_id"],
        erased_at=row["erased_at"],
    )
