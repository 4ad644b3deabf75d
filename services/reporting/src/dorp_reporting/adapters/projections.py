"""asyncpg repository of the reporting projections."""

from __future__ import annotations

from datetime import datetime

import asyncpg

from dorp_reporting.domain.facts import (
    LEDGERS,
    ActivityFact,
    KindArea,
    Ledger,
    MemberFact,
    NotificationFact,
    Tallies,
)
from dorp_reporting.domain.period import Window

# ledger -> (table, id column, time column); constants, never user input.
_ACTIVITY_TABLES: dict[Ledger, tuple[str, str, str]] = {
    "request": ("requests", "request_id", "requested_at"),
    "offer": ("offers", "offer_id", "offered_at"),
    "match": ("matches", "proposal_id", "proposed_at"),
}
_IN_WINDOW = "($1::timestamptz IS NULL OR {at} >= $1) AND ($2::timestamptz IS NULL OR {at} < $2)"


class PgProjections:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def add_member(self, fact: MemberFact) -> None:
        await self.conn.execute(
            "INSERT INTO members (member_id, role, home_area, registered_at)"
            " VALUES ($1, $2, $3, $4) ON CONFLICT (member_id) DO NOTHING",
            fact.member_id,
            fact.role,
            fact.home_area,
            fact.registered_at,
        )

    async def add_activity(self, fact: ActivityFact) -> None:
        table, id_column, at = _ACTIVITY_TABLES[fact.ledger]
        await self.conn.execute(
            f"INSERT INTO {table} ({id_column}, kind, home_area, {at})"
            f" VALUES ($1, $2, $3, $4) ON CONFLICT ({id_column}) DO NOTHING",
            fact.activity_id,
            fact.kind,
            fact.home_area,
            fact.occurred_at,
        )

    async def add_notification(self, fact: NotificationFact) -> None:
        await self.conn.execute(
            "INSERT INTO notifications (notification_id, channel, sent_at)"
            " VALUES ($1, $2, $3) ON CONFLICT (notification_id) DO NOTHING",
            fact.notification_id,
            fact.channel,
            fact.sent_at,
        )

    async def tallies(self, window: Window | None) -> Tallies:
        bounds = (window.start, window.end) if window else (None, None)
        roles = await self.conn.fetch(
            "SELECT role, count(*) AS n FROM members WHERE "
            + _IN_WINDOW.format(at="registered_at")
            + " GROUP BY role",
            *bounds,
        )
        notifications = await self.conn.fetchval(
            "SELECT count(*) FROM notifications WHERE " + _IN_WINDOW.format(at="sent_at"),
            *bounds,
        )
        return Tallies(
            members_by_role={row["role"]: int(row["n"]) for row in roles},
            activities={ledger: await self._activities(ledger, bounds) for ledger in LEDGERS},
            notifications=int(notifications),
        )

    async def _activities(
        self, ledger: Ledger, bounds: tuple[datetime | None, datetime | None]
    ) -> dict[KindArea, int]:
        table, _, at = _ACTIVITY_TABLES[ledger]
        rows = await self.conn.fetch(
            f"SELECT kind, home_area, count(*) AS n FROM {table} WHERE "
            + _IN_WINDOW.format(at=at)
            + " GROUP BY kind, home_area",
            *bounds,
        )
        return {(row["kind"], row["home_area"]): int(row["n"]) for row in rows}
