"""asyncpg repositories of the matching schema (the pool's search_path selects it)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

import asyncpg

from dorp_matching.domain.model import (
    ACTIVE_STATUSES,
    AWAITING_REVIEW,
    PENDING_STATUSES,
    Candidate,
    CandidateSearch,
    History,
    Member,
    Offer,
    PoolRead,
    Proposal,
    Request,
    SliceKey,
    Waiting,
)
from dorp_shared.contracts import MatchReason

_ACTIVE = list(ACTIVE_STATUSES)
_PENDING = list(PENDING_STATUSES)
_SERVED = [*ACTIVE_STATUSES, "completed"]
"""A request with a proposal in one of these is not waiting for one."""


def _member(row: asyncpg.Record, prefix: str = "") -> Member:
    return Member(
        member_id=row[f"{prefix}member_id"],
        home_area=row[f"{prefix}home_area"],
        languages=tuple(row[f"{prefix}languages"]),
        age_bands=tuple(row[f"{prefix}age_bands"]),
        consents_matching=row[f"{prefix}consents_matching"],
        role=row[f"{prefix}role"],
        interests=tuple(row.get(f"{prefix}interests") or ()),
        registered_by=row.get(f"{prefix}registered_by") or "self",
        connector_id=row.get(f"{prefix}connector_id"),
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
        time_windows=tuple(row["time_windows"]),
        prefers_known_people=row["prefers_known_people"],
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
        time_windows=tuple(row["time_windows"]),
    )


def _proposal(row: asyncpg.Record) -> Proposal:
    return Proposal(
        proposal_id=row["proposal_id"],
        request_id=row["request_id"],
        offer_id=row["offer_id"],
        requester_id=row["requester_id"],
        helper_id=row["helper_id"],
        kind=row["kind"],
        home_area=row["home_area"],
        score=row["score"],
        reasons=tuple(MatchReason.model_validate(r) for r in json.loads(row["reasons"])),
        explanation=row["explanation"],
        explanation_en=row["explanation_en"],
        status=row["status"],
        requester_answer=row["requester_answer"],
        helper_answer=row["helper_answer"],
        expires_at=row["expires_at"],
        ended_reason=row["ended_reason"],
        reviewer_id=row["reviewer_id"],
    )


class PgMemberRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def get(self, member_id: uuid.UUID) -> Member | None:
        row = await self.conn.fetchrow("SELECT * FROM members WHERE member_id = $1", member_id)
        return _member(row) if row else None

    async def get_many(self, member_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Member]:
        rows = await self.conn.fetch(
            "SELECT * FROM members WHERE member_id = ANY($1::uuid[])", list(set(member_ids))
        )
        return {row["member_id"]: _member(row) for row in rows}

    async def save(self, member: Member, *, as_of: datetime) -> None:
        await self.conn.execute(
            "INSERT INTO members (member_id, home_area, languages, age_bands,"
            " consents_matching, as_of, role, interests, registered_by, connector_id)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
            " ON CONFLICT (member_id) DO UPDATE SET home_area = EXCLUDED.home_area,"
            " role = EXCLUDED.role, interests = EXCLUDED.interests,"
            " languages = EXCLUDED.languages, age_bands = EXCLUDED.age_bands,"
            " consents_matching = EXCLUDED.consents_matching, as_of = EXCLUDED.as_of,"
            " updated_at = now() WHERE members.as_of <= EXCLUDED.as_of",
            member.member_id,
            member.home_area,
            list(member.languages),
            list(member.age_bands),
            member.consents_matching,
            as_of,
            member.role,
            list(member.interests),
            member.registered_by,
            member.connector_id,
        )

    async def update_profile(self, member: Member, *, as_of: datetime) -> bool:
        found = await self.conn.fetchval(
            "WITH m AS (SELECT member_id FROM members WHERE member_id = $1),"
            " u AS (UPDATE members SET home_area = $2, languages = $3, age_bands = $4,"
            "  as_of = $5, role = $6, interests = $7, updated_at = now() WHERE member_id = $1"
            "  AND as_of <= $5)"
            " SELECT EXISTS (SELECT 1 FROM m)",
            member.member_id,
            member.home_area,
            list(member.languages),
            list(member.age_bands),
            as_of,
            member.role,
            list(member.interests),
        )
        return bool(found)

    async def set_consent(self, member_id: uuid.UUID, matching: bool, *, as_of: datetime) -> bool:
        found = await self.conn.fetchval(
            "WITH m AS (SELECT member_id FROM members WHERE member_id = $1),"
            " u AS (UPDATE members SET consents_matching = $2, consent_as_of = $3,"
            "  updated_at = now() WHERE member_id = $1"
            "  AND (consent_as_of IS NULL OR consent_as_of <= $3))"
            " SELECT EXISTS (SELECT 1 FROM m)",
            member_id,
            matching,
            as_of,
        )
        return bool(found)

    async def is_erased(self, member_id: uuid.UUID) -> bool:
        found = await self.conn.fetchval(
            "SELECT EXISTS (SELECT 1 FROM erased_members WHERE member_id = $1)", member_id
        )
        return bool(found)

    async def connectors(self) -> list[uuid.UUID]:
        rows = await self.conn.fetch(
            "SELECT member_id FROM members WHERE role = 'connector' ORDER BY member_id"
        )
        return [row["member_id"] for row in rows]

    async def erase(self, member_id: uuid.UUID, at: datetime) -> None:
        await self.conn.execute(
            "DELETE FROM proposals WHERE requester_id = $1 OR helper_id = $1"
            " OR request_id IN (SELECT request_id FROM requests WHERE member_id = $1)"
            " OR offer_id IN (SELECT offer_id FROM offers WHERE member_id = $1)",
            member_id,
        )
        await self.conn.execute("DELETE FROM requests WHERE member_id = $1", member_id)
        await self.conn.execute("DELETE FROM offers WHERE member_id = $1", member_id)
        await self.conn.execute("DELETE FROM members WHERE member_id = $1", member_id)
        # An erased connector's queue passes to every connector; their parents keep review.
        await self.conn.execute(
            "UPDATE proposals SET reviewer_id = NULL WHERE reviewer_id = $1", member_id
        )
        await self.conn.execute(
            "UPDATE members SET connector_id = NULL WHERE connector_id = $1", member_id
        )
        await self.conn.execute(
            "INSERT INTO erased_members (member_id, erased_at) VALUES ($1, $2)"
            " ON CONFLICT DO NOTHING",
            member_id,
            at,
        )


class PgRequestRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def add(self, request: Request) -> Request:
        inserted = await self.conn.fetchrow(
            f"{_ADD_REQUEST} RETURNING *", *_request_values(request)
        )
        row = inserted or await self.conn.fetchrow(
            "SELECT * FROM requests WHERE request_id = $1", request.request_id
        )
        assert row is not None  # inserted above or already there
        return _request(row)

    async def add_many(self, requests: Sequence[Request]) -> list[Request]:
        """``add`` for many: one pipelined insert and one read of them all (a request
        stored before stays as it was)."""
        await self.conn.executemany(_ADD_REQUEST, [_request_values(r) for r in requests])
        rows = await self.conn.fetch(
            "SELECT * FROM requests WHERE request_id = ANY($1::uuid[])",
            [r.request_id for r in requests],
        )
        stored = {row["request_id"]: _request(row) for row in rows}
        return [stored[r.request_id] for r in requests]

    async def waiting_many(self, request_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Waiting]:
        rows = await self.conn.fetch(
            f"{_WAITING} AND r.request_id = ANY($2::uuid[])", _SERVED, list(request_ids)
        )
        return {row["request_id"]: _waiting(row) for row in rows}

    async def waiting(self, kind: str) -> list[Waiting]:
        rows = await self.conn.fetch(
            f"{_WAITING} AND r.kind = $2 ORDER BY r.requested_at, r.request_id", _SERVED, kind
        )
        return [_waiting(row) for row in rows]

    async def waiting_one(self, request_id: uuid.UUID) -> Waiting | None:
        row = await self.conn.fetchrow(f"{_WAITING} AND r.request_id = $2", _SERVED, request_id)
        return _waiting(row) if row else None

    async def get(self, request_id: uuid.UUID) -> Request | None:
        row = await self.conn.fetchrow("SELECT * FROM requests WHERE request_id = $1", request_id)
        return _request(row) if row else None

    async def open_of(self, member_id: uuid.UUID) -> list[Request]:
        rows = await self.conn.fetch(
            "SELECT * FROM requests WHERE member_id = $1 AND closed_at IS NULL"
            " ORDER BY requested_at, request_id",
            member_id,
        )
        return [_request(row) for row in rows]

    async def close(self, request_id: uuid.UUID, at: datetime) -> None:
        await self.conn.execute(
            "UPDATE requests SET closed_at = $2 WHERE request_id = $1 AND closed_at IS NULL",
            request_id,
            at,
        )

    async def renew(self, request_id: uuid.UUID, expires_at: datetime) -> None:
        await self.conn.execute(
            "UPDATE requests SET expires_at = $2 WHERE request_id = $1", request_id, expires_at
        )


_ADD_REQUEST = (
    "INSERT INTO requests (request_id, member_id, kind, home_area, languages, age_band,"
    " expires_at, requested_at, time_windows, prefers_known_people)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
    " ON CONFLICT (request_id) DO NOTHING"
)


def _request_values(request: Request) -> tuple[Any, ...]:
    return (
        request.request_id,
        request.member_id,
        request.kind,
        request.home_area,
        list(request.languages),
        request.age_band,
        request.expires_at,
        request.requested_at,
        list(request.time_windows),
        request.prefers_known_people,
    )


_WAITING = (
    "SELECT r.*, m.member_id AS m_member_id, m.home_area AS m_home_area,"
    " m.languages AS m_languages, m.age_bands AS m_age_bands,"
    " m.consents_matching AS m_consents_matching, m.role AS m_role,"
    " m.registered_by AS m_registered_by, m.connector_id AS m_connector_id,"
    " ARRAY(SELECT CASE WHEN d.requester_id = r.member_id THEN d.helper_id"
    "   ELSE d.requester_id END FROM proposals d WHERE d.status = 'declined'"
    "   AND r.member_id IN (d.requester_id, d.helper_id)) AS declined_with,"
    " ARRAY(SELECT t.offer_id FROM proposals t WHERE t.request_id = r.request_id)"
    "   AS tried_offers,"
    " ARRAY(SELECT CASE WHEN k.requester_id = r.member_id THEN k.helper_id"
    "   ELSE k.requester_id END FROM proposals k"
    "   WHERE k.status IN ('confirmed', 'completed')"
    "   AND r.member_id IN (k.requester_id, k.helper_id)) AS met_with"
    " FROM requests r JOIN members m ON m.member_id = r.member_id"
    " WHERE r.closed_at IS NULL AND NOT EXISTS (SELECT 1 FROM proposals p"
    "  WHERE p.request_id = r.request_id AND p.status = ANY($1::text[]))"
)


def _waiting(row: asyncpg.Record) -> Waiting:
    return Waiting(
        request=_request(row),
        requester=_member(row, "m_"),
        history=History(
            declined_with=frozenset(row["declined_with"]),
            tried_offers=frozenset(row["tried_offers"]),
            met_with=frozenset(row["met_with"]),
        ),
    )


_HELPER_LOAD = (
    "(SELECT count(*) FROM proposals p WHERE p.helper_id = o.member_id"
    " AND p.status = ANY($2::text[]))"
)
_CANDIDATES = (
    "SELECT o.*, m.member_id AS m_member_id, m.home_area AS m_home_area,"
    " m.languages AS m_languages, m.age_bands AS m_age_bands,"
    " m.consents_matching AS m_consents_matching, m.role AS m_role,"
    f" o.active_load AS offer_load, {_HELPER_LOAD} AS helper_load,"
    " (SELECT count(*) FROM proposals p WHERE p.helper_id = o.member_id"
    "   AND p.status <> ALL($2::text[]) AND p.status <> 'rejected'"
    "   AND p.created_at >= $3) AS helper_recent"
    " FROM offers o JOIN members m ON m.member_id = o.member_id"
)
"""An offer with its helper and loads: the offer's own from ``offers.active_load`` (kept by
triggers on proposals, migration 0006), the helper's over all their offers counted."""


def _has_room(helper_capacity: str) -> str:
    """An open offer that can take one more (``helper_capacity``: the parameter holding the
    region's). Its first two conditions are the predicate of the ``offers_open_by_kind_area``
    index, so the search walks only offers with a slot left."""
    return (
        "o.closed_at IS NULL AND o.active_load < o.capacity"
        f" AND {_HELPER_LOAD} < GREATEST({helper_capacity}, o.capacity)"
    )


_CANDIDATES_FOR = (
    "SELECT c.* FROM unnest($4::text[], $5::bool[]) AS a(area, same_language),"
    f" LATERAL ({_CANDIDATES}"
    "  WHERE o.kind = $1 AND o.home_area = a.area"
    f"  AND {_has_room('$11')}"
    "  AND (o.expires_at IS NULL OR o.expires_at > $6) AND m.consents_matching"
    "  AND o.member_id <> $7 AND o.member_id <> ALL($8::uuid[])"
    "  AND o.offer_id <> ALL($9::uuid[])"
    "  AND (NOT a.same_language OR o.languages && $10::text[]"
    "   OR (cardinality(o.languages) = 0 AND m.languages && $10::text[]))"
    "  ORDER BY o.offered_at, o.offer_id LIMIT $12) c"
)
_CANDIDATE_POOL = (
    "SELECT a.n AS slice, c.* FROM unnest($1::text[], $4::text[], $5::bool[], $7::text[],"
    " $9::int[]) WITH ORDINALITY AS a(kind, area, same_language, languages, lim, n),"
    f" LATERAL ({_CANDIDATES}"
    "  WHERE o.kind = a.kind AND o.home_area = a.area"
    f"  AND {_has_room('$8')}"
    "  AND (o.expires_at IS NULL OR o.expires_at > $6) AND m.consents_matching"
    "  AND (NOT a.same_language OR o.languages && string_to_array(a.languages, ',')"
    "   OR (cardinality(o.languages) = 0"
    "    AND m.languages && string_to_array(a.languages, ',')))"
    "  ORDER BY o.offered_at, o.offer_id LIMIT a.lim) c"
    " ORDER BY a.n, c.offered_at, c.offer_id"
)
"""The slices of many searches at once (``PoolRead``), each as ``_CANDIDATES_FOR`` reads
one, without what depends on the requester (their own offers, declined members, offers
tried before): those are left out in memory."""

"""Open offers of a kind in the given areas that can take one more, oldest first: per
area a slice of offers in a shared language and a slice of any. It walks the
``offers_open_by_kind_area`` index and stops at the limit, so the cost does not grow with
the number of open offers."""


def _candidate(row: asyncpg.Record) -> Candidate:
    return Candidate(
        offer=_offer(row),
        helper=_member(row, "m_"),
        offer_load=row["offer_load"],
        helper_load=row["helper_load"],
        helper_recent=row["helper_recent"],
    )


class _Parsed:
    """Offers and their helpers as parsed from pool rows, by offer: the same open offers
    head their slices run after run, and building their frozen dataclasses was most of
    reading the pool. A row that differs in any column but the loads from the one parsed
    before is parsed anew, so nothing here can be stale; at ``most`` offers it starts over."""

    def __init__(self, most: int = 20_000) -> None:
        self._most = most
        self._seen: dict[uuid.UUID, tuple[tuple[Any, ...], Offer, Member]] = {}

    def candidate(self, row: asyncpg.Record) -> Candidate:
        """``_candidate`` of a ``_CANDIDATE_POOL`` row (its slice first, its loads last)."""
        values = tuple(row)
        content, offer_id = values[1:-3], row["offer_id"]
        found = self._seen.get(offer_id)
        if found is None or found[0] != content:
            if len(self._seen) >= self._most:
                self._seen.clear()
            found = self._seen[offer_id] = (content, _offer(row), _member(row, "m_"))
        _, offer, helper = found
        return Candidate(offer, helper, values[-3], values[-2], values[-1])


_PARSED = _Parsed()


class PgOfferRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def add(self, offer: Offer) -> Offer:
        inserted = await self.conn.fetchrow(
            "INSERT INTO offers (offer_id, member_id, kind, home_area, languages, age_bands,"
            " capacity, expires_at, offered_at, time_windows)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
            " ON CONFLICT (offer_id) DO NOTHING RETURNING *",
            offer.offer_id,
            offer.member_id,
            offer.kind,
            offer.home_area,
            list(offer.languages),
            list(offer.age_bands),
            offer.capacity,
            offer.expires_at,
            offer.offered_at,
            list(offer.time_windows),
        )
        row = inserted or await self.conn.fetchrow(
            "SELECT * FROM offers WHERE offer_id = $1", offer.offer_id
        )
        assert row is not None  # inserted above or already there
        return _offer(row)

    async def lock_kind(self, kind: str) -> None:
        await self.conn.execute("SELECT pg_advisory_xact_lock(hashtext($1))", f"matching:{kind}")

    async def lock_kinds(self, kinds: Sequence[str]) -> None:
        if len(kinds) == 1:
            await self.lock_kind(kinds[0])
        elif kinds:  # a function scan yields the array in order, so the locks too
            await self.conn.execute(
                "SELECT pg_advisory_xact_lock(hashtext(k)) FROM unnest($1::text[])"
                " WITH ORDINALITY AS a(k, n) ORDER BY n",
                [f"matching:{kind}" for kind in kinds],
            )

    async def candidates_for(self, search: CandidateSearch) -> list[Candidate]:
        waiting = search.waiting
        request, history = waiting.request, waiting.history
        slices = (True, False) if search.language_slice else (False,)
        areas = [area for area in search.areas for _ in slices]
        rows = await self.conn.fetch(
            _CANDIDATES_FOR,
            request.kind,
            _ACTIVE,
            search.since,
            areas,
            list(slices) * len(search.areas),
            search.at,
            request.member_id,
            list(history.declined_with),
            list(history.tried_offers),
            list(request.languages or waiting.requester.languages),
            search.helper_capacity,
            search.per_area,
        )
        unique = {row["offer_id"]: row for row in rows}
        return [_candidate(row) for row in unique.values()]

    async def candidate_pool(self, read: PoolRead) -> dict[SliceKey, list[Candidate]]:
        slices = list(read.limits)
        rows = await self.conn.fetch(
            _CANDIDATE_POOL,
            [key.kind for key in slices],
            _ACTIVE,
            read.since,
            [key.area for key in slices],
            [bool(key.languages) for key in slices],
            read.at,
            [",".join(key.languages) for key in slices],
            read.helper_capacity,
            list(read.limits.values()),
        )
        pool: dict[SliceKey, list[Candidate]] = {key: [] for key in slices}
        for row in rows:
            pool[slices[row["slice"] - 1]].append(_PARSED.candidate(row))
        return pool

    async def candidate(self, offer_id: uuid.UUID, *, since: datetime) -> Candidate | None:
        row = await self.conn.fetchrow(
            f"{_CANDIDATES} WHERE o.offer_id = $1 AND o.closed_at IS NULL",
            offer_id,
            _ACTIVE,
            since,
        )
        return _candidate(row) if row else None

    async def get(self, offer_id: uuid.UUID) -> Offer | None:
        row = await self.conn.fetchrow("SELECT * FROM offers WHERE offer_id = $1", offer_id)
        return _offer(row) if row else None

    async def open_of(self, member_id: uuid.UUID) -> list[Offer]:
        rows = await self.conn.fetch(
            "SELECT * FROM offers WHERE member_id = $1 AND closed_at IS NULL"
            " ORDER BY offered_at, offer_id",
            member_id,
        )
        return [_offer(row) for row in rows]

    async def close(self, offer_id: uuid.UUID, at: datetime) -> None:
        await self.conn.execute(
            "UPDATE offers SET closed_at = $2 WHERE offer_id = $1 AND closed_at IS NULL",
            offer_id,
            at,
        )

    async def renew(self, offer_id: uuid.UUID, expires_at: datetime) -> None:
        await self.conn.execute(
            "UPDATE offers SET expires_at = $2 WHERE offer_id = $1", offer_id, expires_at
        )


_ADD_PROPOSALS = (
    "INSERT INTO proposals (proposal_id, request_id, offer_id, requester_id, helper_id,"
    " kind, home_area, score, reasons, explanation, explanation_en, status, expires_at,"
    " reviewer_id)"
    " SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::uuid[],"
    " $6::text[], $7::text[], $8::float8[], $9::jsonb[], $10::text[], $11::text[],"
    " $12::text[], $13::timestamptz[], $14::uuid[])"
    " ON CONFLICT DO NOTHING RETURNING proposal_id"
)


def _proposal_values(proposal: Proposal) -> tuple[Any, ...]:
    return (
        proposal.proposal_id,
        proposal.request_id,
        proposal.offer_id,
        proposal.requester_id,
        proposal.helper_id,
        proposal.kind,
        proposal.home_area,
        proposal.score,
        json.dumps([reason.model_dump() for reason in proposal.reasons]),
        proposal.explanation,
        proposal.explanation_en,
        proposal.status,
        proposal.expires_at,
        proposal.reviewer_id,
    )


class PgProposalRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def add(self, proposal: Proposal) -> bool:
        return bool(await self.add_many([proposal]))

    async def add_many(self, proposals: Sequence[Proposal]) -> set[uuid.UUID]:
        """Store proposals in one statement; the ids of those stored (a pair or a request's
        active proposal already there is left out)."""
        columns = list(zip(*(_proposal_values(p) for p in proposals), strict=True))
        rows = await self.conn.fetch(_ADD_PROPOSALS, *(list(c) for c in columns))
        return {row["proposal_id"] for row in rows}

    async def has_active(self, request_id: uuid.UUID) -> bool:
        found = await self.conn.fetchval(
            "SELECT EXISTS (SELECT 1 FROM proposals WHERE request_id = $1"
            " AND status = ANY($2::text[]))",
            request_id,
            _ACTIVE,
        )
        return bool(found)

    async def get(self, proposal_id: uuid.UUID, *, lock: bool = False) -> Proposal | None:
        suffix = " FOR UPDATE" if lock else ""
        row = await self.conn.fetchrow(
            f"SELECT * FROM proposals WHERE proposal_id = $1{suffix}", proposal_id
        )
        return _proposal(row) if row else None

    async def update(self, proposal: Proposal) -> None:
        await self.conn.execute(
            "UPDATE proposals SET status = $2, requester_answer = $3, helper_answer = $4,"
            " ended_reason = $5, expires_at = $6 WHERE proposal_id = $1",
            proposal.proposal_id,
            proposal.status,
            proposal.requester_answer,
            proposal.helper_answer,
            proposal.ended_reason,
            proposal.expires_at,
        )

    async def add_feedback(self, proposal_id: uuid.UUID, side: str, feedback: str) -> None:
        await self.conn.execute(
            "UPDATE proposals SET status = 'completed',"
            " feedback = feedback || jsonb_build_object($2::text, $3::jsonb)"
            " WHERE proposal_id = $1",
            proposal_id,
            side,
            feedback,
        )

    async def pending(
        self,
        *,
        request_id: uuid.UUID | None = None,
        offer_id: uuid.UUID | None = None,
        member_id: uuid.UUID | None = None,
    ) -> list[Proposal]:
        rows = await self.conn.fetch(
            "SELECT * FROM proposals WHERE status = ANY($1::text[])"
            " AND (request_id = $2 OR offer_id = $3 OR requester_id = $4 OR helper_id = $4)"
            " ORDER BY created_at, proposal_id FOR UPDATE",
            _PENDING,
            request_id,
            offer_id,
            member_id,
        )
        return [_proposal(row) for row in rows]

    async def awaiting_review(
        self, home_area: str | None = None, connector_id: uuid.UUID | None = None
    ) -> list[Proposal]:
        rows = await self.conn.fetch(
            "SELECT * FROM proposals WHERE status = $1 AND ($2::text IS NULL OR home_area = $2)"
            " AND ($3::uuid IS NULL OR reviewer_id IS NULL OR reviewer_id = $3)"
            " ORDER BY created_at, proposal_id",
            AWAITING_REVIEW,
            home_area,
            connector_id,
        )
        return [_proposal(row) for row in rows]

    async def of_member(self, member_id: uuid.UUID) -> list[Proposal]:
        rows = await self.conn.fetch(
            "SELECT * FROM proposals WHERE requester_id = $1 OR helper_id = $1"
            " ORDER BY created_at DESC, proposal_id",
            member_id,
        )
        return [_proposal(row) for row in rows]

    async def due(self, at: datetime, limit: int) -> list[Proposal]:
        rows = await self.conn.fetch(
            "SELECT * FROM proposals WHERE status = ANY($1::text[]) AND expires_at <= $2"
            " ORDER BY expires_at, proposal_id LIMIT $3 FOR UPDATE SKIP LOCKED",
            _PENDING,
            at,
            limit,
        )
        return [_proposal(row) for row in rows]

    async def review_overdue(self, before: datetime, limit: int) -> list[tuple[Proposal, datetime]]:
        rows = await self.conn.fetch(
            "SELECT * FROM proposals WHERE status = $1 AND created_at <= $2"
            " AND review_overdue_at IS NULL ORDER BY created_at, proposal_id LIMIT $3"
            " FOR UPDATE SKIP LOCKED",
            AWAITING_REVIEW,
            before,
            limit,
        )
        return [(_proposal(row), row["created_at"]) for row in rows]

    async def mark_review_overdue(self, proposal_id: uuid.UUID, at: datetime) -> None:
        await self.conn.execute(
            "UPDATE proposals SET review_overdue_at = $2 WHERE proposal_id = $1",
            proposal_id,
            at,
        )
