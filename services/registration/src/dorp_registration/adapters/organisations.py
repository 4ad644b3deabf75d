"""asyncpg repository of organisations."""

from __future__ import annotations

import uuid

import asyncpg

from dorp_registration.domain.organisations import Organisation
from dorp_registration.domain.records import Source
from dorp_registration.ports.organisations import OrganisationFilter

COLUMNS = (
    "organisation_id, name, type, home_area, is_partner, partner_id, registered_at, updated_at"
)


class PgOrganisationRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def exists(self, organisation_id: uuid.UUID) -> bool:
        found = await self.conn.fetchval(
            "SELECT true FROM organisations WHERE organisation_id = $1", organisation_id
        )
        return bool(found)

    async def get(self, organisation_id: uuid.UUID) -> Organisation | None:
        row = await self.conn.fetchrow(
            f"SELECT {COLUMNS} FROM organisations WHERE organisation_id = $1", organisation_id
        )
        return None if row is None else _organisation(row)

    async def add(self, organisation: Organisation, source: Source | None = None) -> bool:
        inserted = await self.conn.fetchval(
            f"INSERT INTO organisations ({COLUMNS}, source_partner_id, external_id)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
            " ON CONFLICT (organisation_id) DO NOTHING RETURNING true",
            organisation.organisation_id,
            organisation.name,
            organisation.type,
            organisation.home_area,
            organisation.is_partner,
            organisation.partner_id,
            organisation.registered_at,
            organisation.updated_at,
            source.partner_id if source else None,
            source.external_id if source else None,
        )
        return bool(inserted)

    async def save(self, organisation: Organisation) -> None:
        await self.conn.execute(
            "UPDATE organisations SET name = $2, type = $3, home_area = $4, is_partner = $5,"
            " partner_id = $6, updated_at = $7 WHERE organisation_id = $1",
            organisation.organisation_id,
            organisation.name,
            organisation.type,
            organisation.home_area,
            organisation.is_partner,
            organisation.partner_id,
            organisation.updated_at,
        )

    async def holder_of_partner_id(self, partner_id: str) -> uuid.UUID | None:
        found: uuid.UUID | None = await self.conn.fetchval(
            "SELECT organisation_id FROM organisations WHERE partner_id = $1", partner_id
        )
        return found

    async def find(self, wanted: OrganisationFilter) -> list[Organisation]:
        rows = await self.conn.fetch(
            f"SELECT {COLUMNS} FROM organisations"
            " WHERE ($1::text IS NULL OR type = $1)"
            " AND ($2::text IS NULL OR home_area = $2)"
            " AND ($3::boolean IS NULL OR is_partner = $3)"
            " ORDER BY lower(name), organisation_id",
            wanted.type,
            wanted.home_area,
            wanted.is_partner,
        )
        return [_organisation(row) for row in rows]


def _organisation(row: asyncpg.Record) -> Organisation:
    return Organisation(
        organisation_id=row["organisation_id"],
        name=row["name"],
        type=row["type"],
        home_area=row["home_area"],
        is_partner=row["is_partner"],
        partner_id=row["partner_id"],
        registered_at=row["registered_at"],
        updated_at=row["updated_at"],
    )
