"""asyncpg repositories. Inserts use ON CONFLICT DO NOTHING on the derived id, so the
database, not a read-then-write race, decides whether a record is new."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import asyncpg

from dorp_registration.domain.records import Source
from dorp_shared.contracts.events import HelpOffered, HelpRequested


class PgHelpRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def add_request(self, request: HelpRequested, source: Source) -> bool:
        inserted = await self.conn.fetchval(
            "INSERT INTO help_requests (request_id, member_id, partner_id, external_id, kind,"
            " home_area, languages, age_band, text) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
            " ON CONFLICT DO NOTHING RETURNING true",
            request.request_id,
            request.member_id,
            source.partner_id,
            source.external_id,
            request.kind,
            request.home_area,
            list(request.languages),
            request.age_band,
            request.text,
        )
        return bool(inserted)

    async def add_offer(self, offer: HelpOffered, source: Source) -> bool:
        inserted = await self.conn.fetchval(
            "INSERT INTO help_offers (offer_id, member_id, partner_id, external_id, kind,"
            " home_area, languages, age_bands, capacity, text)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
            " ON CONFLICT DO NOTHING RETURNING true",
            offer.offer_id,
            offer.member_id,
            source.partner_id,
            source.external_id,
            offer.kind,
            offer.home_area,
            list(offer.languages),
            list(offer.age_bands),
            offer.capacity,
            offer.text,
        )
        return bool(inserted)

    async def forget(self, member_id: uuid.UUID, at: datetime) -> None:
        return None

    async def export(self, member_id: uuid.UUID) -> dict[str, list[dict[str, Any]]]:
        return {}
