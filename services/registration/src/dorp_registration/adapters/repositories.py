"""asyncpg repositories. Inserts use ON CONFLICT DO NOTHING on the derived id, so the
database, not a read-then-write race, decides whether a record is new."""

from __future__ import annotations

import uuid

import asyncpg

from dorp_registration.domain.records import MemberProfile, Source
from dorp_shared.contracts.events import HelpOffered, HelpRequested, MemberRegistered


class PgMemberRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def profile(self, member_id: uuid.UUID) -> MemberProfile | None:
        row = await self.conn.fetchrow(
            "SELECT home_area, languages FROM members WHERE member_id = $1", member_id
        )
        if row is None:
            return None
        return MemberProfile(member_id, row["home_area"], tuple(row["languages"]))

    async def add(self, member: MemberRegistered, source: Source) -> bool:
        contact = member.contact
        inserted = await self.conn.fetchval(
            "INSERT INTO members (member_id, partner_id, external_id, role, home_area,"
            " languages, preferred_language, age_bands, interests, consents, display_name,"
            " email, phone, channel, registered_by)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)"
            " ON CONFLICT DO NOTHING RETURNING true",
            member.member_id,
            source.partner_id,
            source.external_id,
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
            member.registered_by,
        )
        return bool(inserted)


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
