"""asyncpg repositories of the matching schema (the pool's search_path selects it)."""

from __future__ import annotations

import json
import uuid
from datetime import datetime

import asyncpg

from dorp_matching.domain.model import (
    ACTIVE_STATUSES,
    Candidate,
    Member,
    Offer,
    Proposal,
    Request,
    Waiting,
)

_ACTIVE = list(ACTIVE_STATUSES)


def _member(row: asyncpg.Record, prefix: str = "") -> Member:
    return Member(
        member_id=row[f"{prefix}member_id"],
        home_area=row[f"{prefix}home_area"],
        languages=tuple(row[f"{prefix}languages"]),
        age_bands=tuple(row[f"{prefix}age_bands"]),
        consents_matching=row[f"{prefix}consents_matching"],
    )


def _request(row: asyncpg.Record) -> Request:
    return Request(
        request_id=row["request_id"],
        member_id=row["member_id"],
        kind=row["kind"],
        home_area=row["home_area"],
        languages=tuple(row["languages"]),
        age_band=row["age_band"],
        expires_at=row["expires_at"],
        requested_at=row["requested_at"],
    )


def _offer(row: asyncpg.Record) -> Offer:
    return Offer(
        offer_id=row["offer_id"],
        member_id=row["member_id"],
        kind=row["kind"],
        home_area=row["home_area"],
        languages=tuple(row["languages"]),
        age_bands=tuple(row["age_bands"]),
        capacity=row["capacity"],
        expires_at=row["expires_at"],
        offered_at=row["offered_at"],
    )


class PgMemberRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def get(self, member_id: uuid.UUID) -> Member | None:
        row = await self.conn.fetchrow("SELECT * FROM members WHERE member_id = $1", member_id)
        return _member(row) if row else None

    async def save(self, member: Member, *, as_of: datetime) -> None:
        await self.conn.execute(
            "INSERT INTO members (member_id, home_area, languages, age_bands,"
            " consents_matching, as_of) VALUES ($1, $2, $3, $4, $5, $6)"
            " ON CONFLICT (member_id) DO UPDATE SET home_area = EXCLUDED.home_area,"
            " languages = EXCLUDED.languages, age_bands = EXCLUDED.age_bands,"
            " consents_matching = EXCLUDED.consents_matching, as_of = EXCLUDED.as_of,"
            " updated_at = now() WHERE members.as_of <= EXCLUDED.as_of",
            member.member_id,
            member.home_area,
            list(member.languages),
            list(member.age_bands),
            member.consents_matching,
            as_of,
        )


class PgRequestRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def add(self, request: Request) -> Request:
        await self.conn.execute(
            "INSERT INTO requests (request_id, member_id, kind, home_area, languages, age_band,"
            " expires_at, requested_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
            " ON CONFLICT (request_id) DO NOTHING",
            request.request_id,
            request.member_id,
            request.kind,
            request.home_area,
            list(request.languages),
            request.age_band,
            request.expires_at,
            request.requested_at,
        )
        row = await self.conn.fetchrow(
            "SELECT * FROM requests WHERE request_id = $1", request.request_id
        )
        assert row is not None  # inserted above or already there
        return _request(row)

    async def waiting(self, kind: str) -> list[Waiting]:
        rows = await self.conn.fetch(
            "SELECT r.*, m.member_id AS m_member_id, m.home_area AS m_home_area,"
            " m.languages AS m_languages, m.age_bands AS m_age_bands,"
            " m.consents_matching AS m_consents_matching"
            " FROM requests r JOIN members m ON m.member_id = r.member_id"
            " WHERE r.kind = $1 AND NOT EXISTS (SELECT 1 FROM proposals p"
            "  WHERE p.request_id = r.request_id AND p.status = ANY($2::text[]))"
            " ORDER BY r.requested_at, r.request_id",
            kind,
            _ACTIVE,
        )
        return [Waiting(request=_request(row), requester=_member(row, "m_")) for row in rows]


_CANDIDATES = (
    "SELECT o.*, m.member_id AS m_member_id, m.home_area AS m_home_area,"
    " m.languages AS m_languages, m.age_bands AS m_age_bands,"
    " m.consents_matching AS m_consents_matching,"
    " (SELECT count(*) FROM proposals p WHERE p.offer_id = o.offer_id"
    "   AND p.status = ANY($2::text[])) AS offer_load,"
    " (SELECT count(*) FROM proposals p WHERE p.helper_id = o.member_id"
    "   AND p.status = ANY($2::text[])) AS helper_load"
    " FROM offers o JOIN members m ON m.member_id = o.member_id"
)


def _candidate(row: asyncpg.Record) -> Candidate:
    return Candidate(
        offer=_offer(row),
        helper=_member(row, "m_"),
        offer_load=row["offer_load"],
        helper_load=row["helper_load"],
    )


class PgOfferRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def add(self, offer: Offer) -> Offer:
        await self.conn.execute(
            "INSERT INTO offers (offer_id, member_id, kind, home_area, languages, age_bands,"
            " capacity, expires_at, offered_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
            " ON CONFLICT (offer_id) DO NOTHING",
            offer.offer_id,
            offer.member_id,
            offer.kind,
            offer.home_area,
            list(offer.languages),
            list(offer.age_bands),
            offer.capacity,
            offer.expires_at,
            offer.offered_at,
        )
        row = await self.conn.fetchrow("SELECT * FROM offers WHERE offer_id = $1", offer.offer_id)
        assert row is not None  # inserted above or already there
        return _offer(row)

    async def lock_kind(self, kind: str) -> None:
        await self.conn.execute("SELECT pg_advisory_xact_lock(hashtext($1))", f"matching:{kind}")

    async def candidates(self, kind: str) -> list[Candidate]:
        rows = await self.conn.fetch(
            f"{_CANDIDATES} WHERE o.kind = $1 ORDER BY o.offered_at, o.offer_id", kind, _ACTIVE
        )
        return [_candidate(row) for row in rows]

    async def candidate(self, offer_id: uuid.UUID) -> Candidate | None:
        row = await self.conn.fetchrow(f"{_CANDIDATES} WHERE o.offer_id = $1", offer_id, _ACTIVE)
        return _candidate(row) if row else None


class PgProposalRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def add(self, proposal: Proposal) -> bool:
        reasons = json.dumps([reason.model_dump() for reason in proposal.reasons])
        inserted = await self.conn.fetchval(
            "INSERT INTO proposals (proposal_id, request_id, offer_id, requester_id, helper_id,"
            " kind, home_area, score, reasons, explanation, explanation_en, status)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
            " ON CONFLICT DO NOTHING RETURNING true",
            proposal.proposal_id,
            proposal.request_id,
            proposal.offer_id,
            proposal.requester_id,
            proposal.helper_id,
            proposal.kind,
            proposal.home_area,
            proposal.score,
            reasons,
            proposal.explanation,
            proposal.explanation_en,
            proposal.status,
        )
        return bool(inserted)

    async def has_active(self, request_id: uuid.UUID) -> bool:
        found = await self.conn.fetchval(
            "SELECT EXISTS (SELECT 1 FROM proposals WHERE request_id = $1"
            " AND status = ANY($2::text[]))",
            request_id,
            _ACTIVE,
        )
        return bool(found)
