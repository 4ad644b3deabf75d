"""asyncpg repository of coffee and tea dates: opt-ins, rounds, dates and past pairs."""

from __future__ import annotations

import uuid
from datetime import datetime

import asyncpg

from dorp_matching.domain.coffee import (
    CoffeeGroup,
    CoffeeRound,
    OptIn,
    Pair,
    Parent,
    StoredDate,
    pairs_of,
)
from dorp_matching.domain.model import COMPLETED, CONFIRMED

_MET = [CONFIRMED, COMPLETED]
"""A match both said yes to: these two know each other."""


class PgCoffeeRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def opt_in(self, opt_in: OptIn) -> None:
        await self.conn.execute(
            "INSERT INTO coffee_opt_ins (member_id, school_organisation_id, home_area,"
            " opted_in_at) VALUES ($1, $2, $3, $4) ON CONFLICT (member_id) DO UPDATE SET"
            " school_organisation_id = EXCLUDED.school_organisation_id,"
            " home_area = EXCLUDED.home_area",
            opt_in.member_id,
            opt_in.school_organisation_id,
            opt_in.home_area,
            opt_in.opted_in_at,
        )

    async def opt_out(self, member_id: uuid.UUID) -> bool:
        deleted = await self.conn.fetchval(
            "DELETE FROM coffee_opt_ins WHERE member_id = $1 RETURNING true", member_id
        )
        return bool(deleted)

    async def get_opt_in(self, member_id: uuid.UUID) -> OptIn | None:
        row = await self.conn.fetchrow(
            "SELECT * FROM coffee_opt_ins WHERE member_id = $1", member_id
        )
        return _opt_in(row) if row else None

    async def lock(self) -> None:
        await self.conn.execute("SELECT pg_advisory_xact_lock(hashtext('matching:coffee'))")

    async def groups(self) -> list[CoffeeGroup]:
        """Opted-in members with matching consent, by school (else area)."""
        rows = await self.conn.fetch(
            "SELECT c.school_organisation_id, c.home_area AS group_area, m.member_id,"
            " m.languages, m.age_bands, m.interests"
            " FROM coffee_opt_ins c JOIN members m ON m.member_id = c.member_id"
            " WHERE m.consents_matching"
            " ORDER BY c.school_organisation_id NULLS LAST, c.home_area, m.member_id"
        )
        groups: dict[tuple[uuid.UUID | None, str | None], list[Parent]] = {}
        for row in rows:
            school = row["school_organisation_id"]
            key = (school, None if school else row["group_area"])
            parent = Parent(
                member_id=row["member_id"],
                languages=tuple(row["languages"]),
                age_bands=tuple(row["age_bands"]),
                interests=tuple(row["interests"]),
            )
            groups.setdefault(key, []).append(parent)
        return [CoffeeGroup(school, area, tuple(found)) for (school, area), found in groups.items()]

    async def dated_pairs(self) -> frozenset[Pair]:
        rows = await self.conn.fetch(
            "SELECT p.member_a, p.member_b FROM coffee_pairs p"
            " JOIN coffee_opt_ins a ON a.member_id = p.member_a"
            " JOIN coffee_opt_ins b ON b.member_id = p.member_b"
        )
        return frozenset(frozenset((row["member_a"], row["member_b"])) for row in rows)

    async def met_pairs(self) -> frozenset[Pair]:
        """Opted-in members who met through a match (either side)."""
        rows = await self.conn.fetch(
            "SELECT p.requester_id, p.helper_id FROM proposals p"
            " JOIN coffee_opt_ins a ON a.member_id = p.requester_id"
            " JOIN coffee_opt_ins b ON b.member_id = p.helper_id"
            " WHERE p.status = ANY($1::text[])",
            _MET,
        )
        return frozenset(frozenset((row[0], row[1])) for row in rows)

    async def add_round(self, found: CoffeeRound) -> None:
        await self.conn.execute(
            "INSERT INTO coffee_rounds (round_id, started_at, trigger, dates, paired,"
            " unpaired, quality) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            found.round_id,
            found.started_at,
            found.trigger,
            found.dates,
            found.paired,
            found.unpaired,
            found.quality,
        )

    async def add_date(self, date: StoredDate) -> None:
        await self.conn.execute(
            "INSERT INTO coffee_dates (date_id, round_id, school_organisation_id, home_area,"
            " member_ids, score, meet_by) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            date.date_id,
            date.round_id,
            date.school_organisation_id,
            date.home_area,
            list(date.member_ids),
            date.score,
            date.meet_by,
        )
        await self.conn.executemany(
            "INSERT INTO coffee_pairs (member_a, member_b, date_id) VALUES ($1, $2, $3)"
            " ON CONFLICT DO NOTHING",
            [(*sorted(pair), date.date_id) for pair in pairs_of(date.member_ids)],
        )

    async def last_round_at(self) -> datetime | None:
        found: datetime | None = await self.conn.fetchval(
            "SELECT max(started_at) FROM coffee_rounds"
        )
        return found

    async def first_opt_in_at(self) -> datetime | None:
        found: datetime | None = await self.conn.fetchval(
            "SELECT min(opted_in_at) FROM coffee_opt_ins"
        )
        return found

    async def erase(self, member_id: uuid.UUID) -> None:
        await self.conn.execute("DELETE FROM coffee_opt_ins WHERE member_id = $1", member_id)
        await self.conn.execute(
            "DELETE FROM coffee_pairs WHERE member_a = $1 OR member_b = $1", member_id
        )
        await self.conn.execute(
            "UPDATE coffee_dates SET member_ids = array_remove(member_ids, $1)"
            " WHERE $1 = ANY(member_ids)",
            member_id,
        )


def _opt_in(row: asyncpg.Record) -> OptIn:
    return OptIn(
        member_id=row["member_id"],
        school_organisation_id=row["school_organisation_id"],
        home_area=row["home_area"],
        opted_in_at=row["opted_in_at"],
    )
