"""asyncpg repository of matching's projection of registration's initiatives, sessions and
sign-ups, and of the recommendations made from it.

Every write is an upsert keyed by the event's natural id, so events may come twice or in
any order: a sign-up or cancellation before its session is kept and counts once the
session arrives.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime

import asyncpg

from dorp_matching.domain.recommend import SessionOffer
from dorp_shared.contracts.events import InitiativeRegistered, SessionScheduled


class PgActivityRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def save_initiative(self, data: InitiativeRegistered, as_of: datetime) -> None:
        await self.conn.execute(
            "INSERT INTO initiatives (initiative_id, name, kind, home_area, themes, age_bands,"
            " languages, as_of) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
            " ON CONFLICT (initiative_id) DO UPDATE SET name = EXCLUDED.name,"
            " kind = EXCLUDED.kind, home_area = EXCLUDED.home_area, themes = EXCLUDED.themes,"
            " age_bands = EXCLUDED.age_bands, languages = EXCLUDED.languages,"
            " as_of = EXCLUDED.as_of WHERE initiatives.as_of <= EXCLUDED.as_of",
            data.initiative_id,
            data.initiative_name,
            data.kind,
            data.home_area,
            list(data.themes),
            list(data.age_bands),
            list(data.languages),
            as_of,
        )

    async def save_session(self, data: SessionScheduled) -> None:
        await self.conn.execute(
            "INSERT INTO sessions (session_id, initiative_id, starts_at, ends_at, place,"
            " home_area, theme, capacity, languages, age_bands)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
            " ON CONFLICT (session_id) DO UPDATE SET starts_at = EXCLUDED.starts_at,"
            " ends_at = EXCLUDED.ends_at, place = EXCLUDED.place,"
            " home_area = EXCLUDED.home_area, theme = EXCLUDED.theme,"
            " capacity = EXCLUDED.capacity, languages = EXCLUDED.languages,"
            " age_bands = EXCLUDED.age_bands",
            data.session_id,
            data.initiative_id,
            data.starts_at,
            data.ends_at,
            data.place,
            data.home_area,
            data.theme,
            data.capacity,
            list(data.languages),
            list(data.age_bands),
        )

    async def cancel_session(self, session_id: uuid.UUID) -> None:
        await self.conn.execute(
            "INSERT INTO session_cancellations (session_id) VALUES ($1) ON CONFLICT DO NOTHING",
            session_id,
        )

    async def sign_up(self, session_id: uuid.UUID, member_id: uuid.UUID, status: str) -> None:
        await self.conn.execute(
            "INSERT INTO sign_ups (session_id, member_id, status) VALUES ($1, $2, $3)"
            " ON CONFLICT (session_id, member_id) DO UPDATE SET status = EXCLUDED.status",
            session_id,
            member_id,
            status,
        )

    async def cancel_sign_up(self, session_id: uuid.UUID, member_id: uuid.UUID) -> None:
        await self.conn.execute(
            "DELETE FROM sign_ups WHERE session_id = $1 AND member_id = $2",
            session_id,
            member_id,
        )

    async def upcoming(self, areas: list[str], at: datetime) -> list[SessionOffer]:
        """Sessions ahead in these areas, not cancelled, whose initiative is known."""
        rows = await self.conn.fetch(
            "SELECT s.*, i.name AS initiative_name, i.kind AS initiative_kind, i.themes,"
            " i.age_bands AS i_age_bands, i.languages AS i_languages,"
            " (SELECT count(*) FROM sign_ups u WHERE u.session_id = s.session_id"
            "   AND u.status = 'confirmed') AS signed_up"
            " FROM sessions s JOIN initiatives i ON i.initiative_id = s.initiative_id"
            " WHERE s.starts_at > $2 AND s.home_area = ANY($1::text[])"
            " AND NOT EXISTS (SELECT 1 FROM session_cancellations c"
            "   WHERE c.session_id = s.session_id)"
            " ORDER BY s.starts_at, s.session_id",
            areas,
            at,
        )
        return [_session(row) for row in rows]

    async def signed_sessions(self, member_id: uuid.UUID) -> set[uuid.UUID]:
        rows = await self.conn.fetch(
            "SELECT session_id FROM sign_ups WHERE member_id = $1", member_id
        )
        return {row["session_id"] for row in rows}

    async def signed_sessions_of(
        self, member_ids: Iterable[uuid.UUID]
    ) -> dict[uuid.UUID, set[uuid.UUID]]:
        rows = await self.conn.fetch(
            "SELECT member_id, session_id FROM sign_ups WHERE member_id = ANY($1::uuid[])",
            list(set(member_ids)),
        )
        found: dict[uuid.UUID, set[uuid.UUID]] = {}
        for row in rows:
            found.setdefault(row["member_id"], set()).add(row["session_id"])
        return found

    async def add_recommendation(
        self,
        recommendation_id: uuid.UUID,
        member_id: uuid.UUID,
        request_id: uuid.UUID | None,
        session_ids: list[uuid.UUID],
        at: datetime,
    ) -> bool:
        """False when this recommendation was made before."""
        inserted = await self.conn.fetchval(
            "INSERT INTO recommendations (recommendation_id, member_id, request_id,"
            " session_ids, created_at) VALUES ($1, $2, $3, $4, $5)"
            " ON CONFLICT DO NOTHING RETURNING true",
            recommendation_id,
            member_id,
            request_id,
            session_ids,
            at,
        )
        return bool(inserted)

    async def erase(self, member_id: uuid.UUID) -> None:
        await self.conn.execute("DELETE FROM sign_ups WHERE member_id = $1", member_id)
        await self.conn.execute("DELETE FROM recommendations WHERE member_id = $1", member_id)


def _session(row: asyncpg.Record) -> SessionOffer:
    themes = tuple(row["themes"]) + ((row["theme"],) if row["theme"] else ())
    return SessionOffer(
        session_id=row["session_id"],
        initiative_id=row["initiative_id"],
        initiative_name=row["initiative_name"],
        initiative_kind=row["initiative_kind"],
        themes=themes,
        starts_at=row["starts_at"],
        ends_at=row["ends_at"],
        place=row["place"],
        home_area=row["home_area"],
        capacity=row["capacity"],
        signed_up=row["signed_up"],
        languages=tuple(row["languages"]) or tuple(row["i_languages"]),
        age_bands=tuple(row["age_bands"]) or tuple(row["i_age_bands"]),
    )
