"""asyncpg repository of help requests and offers: two tables, one shape when read.

Inserts use ON CONFLICT DO NOTHING on the id, so the database, not a read-then-write race,
decides whether a record (a partner's, with a derived id) is new.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Collection
from datetime import datetime
from typing import Any

import asyncpg

from dorp_registration.adapters.rows import jsonable
from dorp_registration.domain.help import HelpItem
from dorp_registration.domain.records import Source
from dorp_registration.ports.help import HelpFilter
from dorp_shared.contracts.events import Side, TimeWindow

TABLES: dict[Side, tuple[str, str]] = {
    "request": ("help_requests", "request_id"),
    "offer": ("help_offers", "offer_id"),
}
COMMON = (
    "member_id, kind, home_area, languages, time_windows::text AS time_windows, text,"
    " created_at, expires_at, status, withdrawn_at"
)
# Both tables read in the same columns, so one query can list them together.
SELECTS: dict[Side, str] = {
    "request": f"SELECT request_id AS help_id, 'request' AS side, {COMMON}, age_band,"
    " prefers_known_people, '{}'::text[] AS age_bands, NULL::integer AS capacity"
    " FROM help_requests",
    "offer": f"SELECT offer_id AS help_id, 'offer' AS side, {COMMON}, NULL::text AS age_band,"
    " false AS prefers_known_people, age_bands, capacity FROM help_offers",
}
# The filter of list_help: $1 member, $2 kind, $3 area, $4 status judged at $5
# (the same rule as domain.help.status_at). Erased items are never listed.
WHERE = (
    " WHERE status <> 'erased'"
    " AND ($1::uuid IS NULL OR member_id = $1)"
    " AND ($2::text IS NULL OR kind = $2)"
    " AND ($3::text IS NULL OR home_area = $3)"
    " AND ($4::text IS NULL OR $4 = CASE WHEN status <> 'open' THEN 'withdrawn'"
    " WHEN expires_at > $5 THEN 'open' ELSE 'expired' END)"
)
# Erasure keeps what counts (kind, area, when) and nothing the member wrote or said.
FORGET: dict[Side, str] = {
    "request": "age_band = NULL, prefers_known_people = false",
    "offer": "age_bands = '{}'",
}


class PgHelpRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def add(self, item: HelpItem, source: Source | None = None) -> bool:
        table, key = TABLES[item.side]
        own = ("age_band", "prefers_known_people")
        values: tuple[Any, ...] = (item.age_band, item.prefers_known_people)
        if item.side == "offer":
            own, values = ("age_bands", "capacity"), (list(item.age_bands), item.capacity)
        inserted = await self.conn.fetchval(
            f"INSERT INTO {table} ({key}, member_id, partner_id, external_id, kind, home_area,"
            f" languages, time_windows, text, created_at, expires_at, {', '.join(own)})"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
            " ON CONFLICT DO NOTHING RETURNING true",
            item.help_id,
            item.member_id,
            source.partner_id if source else None,
            source.external_id if source else None,
            item.kind,
            item.home_area,
            list(item.languages),
            _windows_json(item.time_windows),
            item.text,
            item.created_at,
            item.expires_at,
            *values,
        )
        return bool(inserted)

    async def existing(
        self, ids: Collection[tuple[Side, uuid.UUID]]
    ) -> set[tuple[Side, uuid.UUID]]:
        """Which of these (side, id) are stored, in one query (key by key: see
        :meth:`PgMemberRepository.get_many`)."""
        requests = [help_id for side, help_id in ids if side == "request"]
        offers = [help_id for side, help_id in ids if side == "offer"]
        rows = await self.conn.fetch(
            "SELECT 'request' AS side, r.* FROM unnest($1::uuid[]) AS wanted (id), LATERAL"
            " (SELECT request_id FROM help_requests WHERE request_id = wanted.id LIMIT 1) AS r"
            " UNION ALL SELECT 'offer', o.* FROM unnest($2::uuid[]) AS wanted (id), LATERAL"
            " (SELECT offer_id FROM help_offers WHERE offer_id = wanted.id LIMIT 1) AS o",
            requests,
            offers,
        )
        return {(row["side"], row["help_id"]) for row in rows}

    async def get(self, side: Side, help_id: uuid.UUID) -> HelpItem | None:
        key = TABLES[side][1]
        row = await self.conn.fetchrow(f"{SELECTS[side]} WHERE {key} = $1", help_id)
        return None if row is None else _item(row)

    async def change_open(self, item: HelpItem) -> bool:
        table, key = TABLES[item.side]
        changed = await self.conn.fetchval(
            f"UPDATE {table} SET status = $2, withdrawn_at = $3, expires_at = $4"
            f" WHERE {key} = $1 AND status = 'open' RETURNING true",
            item.help_id,
            item.state,
            item.withdrawn_at,
            item.expires_at,
        )
        return bool(changed)

    async def find(self, wanted: HelpFilter) -> list[HelpItem]:
        sides: tuple[Side, ...] = (wanted.side,) if wanted.side else ("request", "offer")
        union = " UNION ALL ".join(SELECTS[side] + WHERE for side in sides)
        rows = await self.conn.fetch(
            f"SELECT * FROM ({union}) AS items ORDER BY created_at DESC, help_id LIMIT $6",
            wanted.member_id,
            wanted.kind,
            wanted.home_area,
            wanted.status,
            wanted.now,
            wanted.limit,
        )
        return [_item(row) for row in rows]

    async def forget(self, member_id: uuid.UUID, at: datetime) -> None:
        for side, (table, _) in TABLES.items():
            await self.conn.execute(
                f"UPDATE {table} SET text = '', time_windows = '[]', languages = '{{}}',"
                f" external_id = NULL, {FORGET[side]}, status = 'erased',"
                " withdrawn_at = coalesce(withdrawn_at, $2) WHERE member_id = $1",
                member_id,
                at,
            )

    async def export(self, member_id: uuid.UUID) -> dict[str, list[dict[str, Any]]]:
        records: dict[str, list[dict[str, Any]]] = {}
        for table, _ in TABLES.values():
            rows = await self.conn.fetch(
                f"SELECT * FROM {table} WHERE member_id = $1 ORDER BY created_at", member_id
            )
            records[table] = [_exported(row) for row in rows]
        return records


def _windows_json(windows: tuple[TimeWindow, ...]) -> str:
    return json.dumps([window.model_dump() for window in windows])


def _exported(row: asyncpg.Record) -> dict[str, Any]:
    """The row as JSON, its time windows as a list rather than the jsonb text."""
    data = jsonable(row)
    data["time_windows"] = json.loads(data["time_windows"])
    return data


def _item(row: asyncpg.Record) -> HelpItem:
    return HelpItem(
        help_id=row["help_id"],
        side=row["side"],
        member_id=row["member_id"],
        kind=row["kind"],
        home_area=row["home_area"],
        languages=tuple(row["languages"]),
        time_windows=tuple(TimeWindow.model_validate(w) for w in json.loads(row["time_windows"])),
        text=row["text"],
        created_at=row["created_at"],
        expires_at=row["expires_at"],
        age_band=row["age_band"],
        prefers_known_people=row["prefers_known_people"],
        age_bands=tuple(row["age_bands"]),
        capacity=row["capacity"],
        state=row["status"],
        withdrawn_at=row["withdrawn_at"],
    )
