"""asyncpg repository of initiatives, sessions, sign-ups and attendance."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

import asyncpg

from dorp_registration.adapters.rows import jsonable_rows
from dorp_registration.domain.activities import (
    Attendance,
    Initiative,
    Occupancy,
    Placed,
    Roster,
    Session,
    SignUp,
)
from dorp_registration.ports.activities import SessionFilter, SessionRecord
from dorp_shared.contracts.envelope import Event
from dorp_shared.contracts.events import WaitlistPromoted

Emit = Callable[[Event], Awaitable[object]]

INITIATIVE_COLUMNS = (
    "initiative_id, name, kind, home_area, organisation_ids, themes, age_bands, languages,"
    " description, registered_at, updated_at"
)
SESSION_COLUMNS = (
    "s.session_id, s.initiative_id, s.starts_at, s.ends_at, s.place, s.home_area, s.theme,"
    " s.capacity, s.child_friendly, s.languages, s.age_bands, s.scheduled_at, s.cancelled_at,"
    " s.cancel_reason"
)
SESSION_RECORD = (
    f"SELECT {SESSION_COLUMNS}, c.confirmed, c.waiting, a.headcount, a.member_ids,"
    " a.recorded_by, a.recorded_at"
    " FROM activity_sessions s"
    " LEFT JOIN session_attendance a ON a.session_id = s.session_id"
    " CROSS JOIN LATERAL (SELECT count(*) FILTER (WHERE u.status = 'confirmed') AS confirmed,"
    " count(*) FILTER (WHERE u.status = 'waitlisted') AS waiting"
    " FROM sign_ups u WHERE u.session_id = s.session_id) c"
)


class PgActivityRepository:
    """``emit`` publishes (through the outbox) what erasing a member causes: a place that
    comes free goes to the first on the waiting list."""

    def __init__(self, conn: asyncpg.Connection, emit: Emit) -> None:
        self.conn = conn
        self.emit = emit

    async def add_initiative(self, initiative: Initiative) -> None:
        await self.conn.execute(
            f"INSERT INTO initiatives ({INITIATIVE_COLUMNS})"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            *_initiative_values(initiative),
            initiative.registered_at,
            initiative.updated_at,
        )

    async def save_initiative(self, initiative: Initiative) -> None:
        await self.conn.execute(
            "UPDATE initiatives SET name = $2, kind = $3, home_area = $4,"
            " organisation_ids = $5, themes = $6, age_bands = $7, languages = $8,"
            " description = $9, updated_at = $10 WHERE initiative_id = $1",
            *_initiative_values(initiative),
            initiative.updated_at,
        )

    async def get_initiative(self, initiative_id: uuid.UUID) -> Initiative | None:
        row = await self.conn.fetchrow(
            f"SELECT {INITIATIVE_COLUMNS} FROM initiatives WHERE initiative_id = $1",
            initiative_id,
        )
        return None if row is None else _initiative(row)

    async def list_initiatives(
        self, *, kind: str | None, home_area: str | None, limit: int
    ) -> list[Initiative]:
        rows = await self.conn.fetch(
            f"SELECT {INITIATIVE_COLUMNS} FROM initiatives"
            " WHERE ($1::text IS NULL OR kind = $1) AND ($2::text IS NULL OR home_area = $2)"
            " ORDER BY lower(name), initiative_id LIMIT $3",
            kind,
            home_area,
            limit,
        )
        return [_initiative(row) for row in rows]

    async def add_session(self, session: Session) -> None:
        await self.conn.execute(
            "INSERT INTO activity_sessions (session_id, initiative_id, starts_at, ends_at,"
            " place, home_area, theme, capacity, child_friendly, languages, age_bands,"
            " scheduled_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            session.session_id,
            session.initiative_id,
            session.starts_at,
            session.ends_at,
            session.place,
            session.home_area,
            session.theme,
            session.capacity,
            session.child_friendly,
            list(session.languages),
            list(session.age_bands),
            session.scheduled_at,
        )

    async def get_session(self, session_id: uuid.UUID, *, lock: bool = False) -> Session | None:
        row = await self.conn.fetchrow(
            f"SELECT {SESSION_COLUMNS} FROM activity_sessions s WHERE s.session_id = $1"
            + (" FOR UPDATE" if lock else ""),
            session_id,
        )
        return None if row is None else _session(row)

    async def session_record(self, session_id: uuid.UUID) -> SessionRecord | None:
        row = await self.conn.fetchrow(f"{SESSION_RECORD} WHERE s.session_id = $1", session_id)
        return None if row is None else _session_record(row)

    async def list_sessions(self, where: SessionFilter) -> list[SessionRecord]:
        rows = await self.conn.fetch(
            f"{SESSION_RECORD} WHERE s.starts_at >= $1"
            " AND ($2::timestamptz IS NULL OR s.starts_at < $2)"
            " AND ($3::uuid IS NULL OR s.initiative_id = $3)"
            " AND ($4::text IS NULL OR s.home_area = $4)"
            " AND ($5::text IS NULL OR lower(s.theme) = lower($5))"
            " AND ($6 OR s.cancelled_at IS NULL)"
            " ORDER BY s.starts_at, s.session_id LIMIT $7",
            where.starts_from,
            where.starts_before,
            where.initiative_id,
            where.home_area,
            where.theme,
            where.include_cancelled,
            where.limit,
        )
        return [_session_record(row) for row in rows]

    async def cancel_session(self, session: Session) -> None:
        await self.conn.execute(
            "UPDATE activity_sessions SET cancelled_at = $2, cancel_reason = $3"
            " WHERE session_id = $1",
            session.session_id,
            session.cancelled_at,
            session.cancel_reason,
        )
        await self.conn.execute(
            "UPDATE sign_ups SET status = 'cancelled', cancelled_at = $2"
            " WHERE session_id = $1 AND status <> 'cancelled'",
            session.session_id,
            session.cancelled_at,
        )

    async def roster(self, session_id: uuid.UUID, capacity: int) -> Roster:
        rows = await self.conn.fetch(
            "SELECT member_id, status FROM sign_ups"
            " WHERE session_id = $1 AND status <> 'cancelled' ORDER BY arrival",
            session_id,
        )
        return Roster.of(capacity, [(row["member_id"], row["status"]) for row in rows])

    async def get_sign_up(self, session_id: uuid.UUID, member_id: uuid.UUID) -> SignUp | None:
        row = await self.conn.fetchrow(
            "SELECT session_id, member_id, status, signed_up_at FROM sign_ups"
            " WHERE session_id = $1 AND member_id = $2",
            session_id,
            member_id,
        )
        return None if row is None else _sign_up(row)

    async def add_sign_up(
        self, session_id: uuid.UUID, member_id: uuid.UUID, status: Placed, at: datetime
    ) -> SignUp:
        row = await self.conn.fetchrow(
            "INSERT INTO sign_ups (session_id, member_id, status, arrival, signed_up_at)"
            " VALUES ($1, $2, $3, nextval('sign_up_arrival'), $4)"
            " ON CONFLICT (session_id, member_id) DO UPDATE SET status = $3,"
            " arrival = excluded.arrival, signed_up_at = $4, promoted_at = NULL,"
            " cancelled_at = NULL"
            " RETURNING session_id, member_id, status, signed_up_at",
            session_id,
            member_id,
            status,
            at,
        )
        assert row is not None
        return _sign_up(row)

    async def withdraw(
        self, session: Session, member_id: uuid.UUID, at: datetime, *, erase: bool = False
    ) -> tuple[uuid.UUID, ...]:
        if session.capacity is None:
            return ()
        roster = await self.roster(session.session_id, session.capacity)
        if erase:
            await self.conn.execute(
                "DELETE FROM sign_ups WHERE session_id = $1 AND member_id = $2",
                session.session_id,
                member_id,
            )
        else:
            await self.conn.execute(
                "UPDATE sign_ups SET status = 'cancelled', cancelled_at = $3"
                " WHERE session_id = $1 AND member_id = $2",
                session.session_id,
                member_id,
                at,
            )
        if session.why_closed(at) is not None:
            return ()
        _, promoted = roster.remove(member_id)
        await self.conn.execute(
            "UPDATE sign_ups SET status = 'confirmed', promoted_at = $3"
            " WHERE session_id = $1 AND member_id = ANY($2::uuid[])",
            session.session_id,
            list(promoted),
            at,
        )
        return promoted

    async def record_attendance(self, attendance: Attendance) -> None:
        await self.conn.execute(
            "INSERT INTO session_attendance (session_id, headcount, member_ids, recorded_by,"
            " recorded_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (session_id) DO UPDATE"
            " SET headcount = $2, member_ids = $3, recorded_by = $4, recorded_at = $5",
            attendance.session_id,
            attendance.headcount,
            list(attendance.member_ids),
            attendance.recorded_by,
            attendance.recorded_at,
        )

    async def forget(self, member_id: uuid.UUID, at: datetime) -> None:
        """Delete the member's sign-ups (their places go to the waiting list) and take
        them off attendance lists; the head counts stay, they are not personal."""
        session_ids = await self.conn.fetch(
            "SELECT session_id FROM sign_ups WHERE member_id = $1 ORDER BY session_id",
            member_id,
        )
        for row in session_ids:
            session = await self.get_session(row["session_id"], lock=True)
            assert session is not None
            for promoted in await self.withdraw(session, member_id, at, erase=True):
                await self.emit(WaitlistPromoted(member_id=promoted, session_id=session.session_id))
        await self.conn.execute(
            "UPDATE session_attendance SET member_ids = array_remove(member_ids, $1)"
            " WHERE member_ids @> ARRAY[$1::uuid]",
            member_id,
        )

    async def export(self, member_id: uuid.UUID) -> dict[str, list[dict[str, Any]]]:
        sign_ups = await self.conn.fetch(
            "SELECT u.session_id, s.initiative_id, s.starts_at, u.status, u.signed_up_at,"
            " u.promoted_at, u.cancelled_at FROM sign_ups u"
            " JOIN activity_sessions s ON s.session_id = u.session_id"
            " WHERE u.member_id = $1 ORDER BY u.signed_up_at",
            member_id,
        )
        attendance = await self.conn.fetch(
            "SELECT a.session_id, s.initiative_id, s.starts_at, a.recorded_by, a.recorded_at"
            " FROM session_attendance a JOIN activity_sessions s ON s.session_id = a.session_id"
            " WHERE a.member_ids @> ARRAY[$1::uuid] ORDER BY s.starts_at",
            member_id,
        )
        return {"sign_ups": jsonable_rows(sign_ups), "attendance": jsonable_rows(attendance)}


def _initiative_values(initiative: Initiative) -> tuple[Any, ...]:
    """Id and what can change, in column order (without the timestamps)."""
    return (
        initiative.initiative_id,
        initiative.name,
        initiative.kind,
        initiative.home_area,
        list(initiative.organisation_ids),
        list(initiative.themes),
        list(initiative.age_bands),
        list(initiative.languages),
        initiative.description,
    )


def _initiative(row: asyncpg.Record) -> Initiative:
    return Initiative(
        initiative_id=row["initiative_id"],
        name=row["name"],
        kind=row["kind"],
        home_area=row["home_area"],
        organisation_ids=tuple(row["organisation_ids"]),
        themes=tuple(row["themes"]),
        age_bands=tuple(row["age_bands"]),
        languages=tuple(row["languages"]),
        description=row["description"],
        registered_at=row["registered_at"],
        updated_at=row["updated_at"],
    )


def _session(row: asyncpg.Record) -> Session:
    return Session(
        session_id=row["session_id"],
        initiative_id=row["initiative_id"],
        starts_at=row["starts_at"],
        ends_at=row["ends_at"],
        place=row["place"],
        home_area=row["home_area"],
        theme=row["theme"],
        capacity=row["capacity"],
        child_friendly=row["child_friendly"],
        languages=tuple(row["languages"]),
        age_bands=tuple(row["age_bands"]),
        scheduled_at=row["scheduled_at"],
        cancelled_at=row["cancelled_at"],
        cancel_reason=row["cancel_reason"],
    )


def _session_record(row: asyncpg.Record) -> SessionRecord:
    attendance = None
    if row["recorded_at"] is not None:
        attendance = Attendance(
            session_id=row["session_id"],
            headcount=row["headcount"],
            member_ids=tuple(row["member_ids"]),
            recorded_by=row["recorded_by"],
            recorded_at=row["recorded_at"],
        )
    return SessionRecord(
        session=_session(row),
        occupancy=Occupancy(confirmed=row["confirmed"], waiting=row["waiting"]),
        attendance=attendance,
    )


def _sign_up(row: asyncpg.Record) -> SignUp:
    return SignUp(
        session_id=row["session_id"],
        member_id=row["member_id"],
        status=row["status"],
        signed_up_at=row["signed_up_at"],
    )
