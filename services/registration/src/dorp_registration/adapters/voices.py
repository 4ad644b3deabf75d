"""asyncpg repository of quotes and four-buffer self-checks."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, TypeVar

import asyncpg

from dorp_registration.adapters.rows import jsonable_rows
from dorp_registration.domain.voices import GroupTally, Tally
from dorp_registration.ports.voices import PublishedQuote
from dorp_shared.contracts.events import QuoteRecorded, SelfCheckRecorded

K = TypeVar("K")

QUOTE_COLUMNS = "quote_id, member_id, text, language, home_area, publish_anonymously, initiative_id"

# Each member counts once in a summary: with their latest self-check.
LATEST_SELF_CHECKS = (
    "WITH latest AS (SELECT DISTINCT ON (member_id) home_area, scores FROM self_checks"
    " ORDER BY member_id, recorded_at DESC, check_id)"
)


class PgVoiceRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def add_quote(self, quote: QuoteRecorded, at: datetime) -> None:
        await self.conn.execute(
            f"INSERT INTO quotes ({QUOTE_COLUMNS}, recorded_at)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            quote.quote_id,
            quote.member_id,
            quote.text,
            quote.language,
            quote.home_area,
            quote.publish_anonymously,
            quote.initiative_id,
            at,
        )

    async def get_quote(self, quote_id: uuid.UUID) -> QuoteRecorded | None:
        row = await self.conn.fetchrow(
            f"SELECT {QUOTE_COLUMNS} FROM quotes WHERE quote_id = $1", quote_id
        )
        return None if row is None else QuoteRecorded(**dict(row))

    async def delete_quote(self, quote_id: uuid.UUID) -> None:
        await self.conn.execute("DELETE FROM quotes WHERE quote_id = $1", quote_id)

    async def publishable_quotes(
        self, *, home_area: str | None, initiative_id: uuid.UUID | None, limit: int
    ) -> list[PublishedQuote]:
        rows = await self.conn.fetch(
            "SELECT q.quote_id, q.text, q.language, q.home_area, q.initiative_id, q.recorded_at"
            " FROM quotes q JOIN members m USING (member_id)"
            " WHERE q.publish_anonymously AND (m.consents->>'quotes')::boolean"
            " AND m.erased_at IS NULL"
            " AND ($1::text IS NULL OR q.home_area = $1)"
            " AND ($2::uuid IS NULL OR q.initiative_id = $2)"
            " ORDER BY q.recorded_at DESC, q.quote_id LIMIT $3",
            home_area,
            initiative_id,
            limit,
        )
        return [PublishedQuote(**dict(row)) for row in rows]

    async def add_self_check(self, check: SelfCheckRecorded, at: datetime) -> None:
        await self.conn.execute(
            "INSERT INTO self_checks (check_id, member_id, home_area, scores, recorded_at)"
            " VALUES ($1, $2, $3, $4, $5)",
            check.check_id,
            check.member_id,
            check.home_area,
            check.scores.model_dump_json(),
            at,
        )

    async def self_check_tallies(self) -> dict[str, GroupTally]:
        respondents = await self.conn.fetch(
            f"{LATEST_SELF_CHECKS} SELECT home_area, count(*) AS n FROM latest GROUP BY home_area"
        )
        scores = await self.conn.fetch(
            f"{LATEST_SELF_CHECKS} SELECT home_area, key, count(*) AS n, sum(value::int) AS total"
            " FROM latest, jsonb_each_text(scores) GROUP BY home_area, key"
        )
        return group_tallies(respondents, scores, _by_area)

    async def forget(self, member_id: uuid.UUID, at: datetime) -> None:
        await self.conn.execute("DELETE FROM quotes WHERE member_id = $1", member_id)
        await self.conn.execute("DELETE FROM self_checks WHERE member_id = $1", member_id)

    async def export(self, member_id: uuid.UUID) -> dict[str, list[dict[str, Any]]]:
        quotes = await self.conn.fetch(
            f"SELECT {QUOTE_COLUMNS}, recorded_at FROM quotes WHERE member_id = $1"
            " ORDER BY recorded_at",
            member_id,
        )
        self_checks = await self.conn.fetch(
            "SELECT check_id, home_area, scores, recorded_at FROM self_checks"
            " WHERE member_id = $1 ORDER BY recorded_at",
            member_id,
        )
        return {"quotes": jsonable_rows(quotes), "self_checks": jsonable_rows(self_checks)}


def group_tallies(
    respondents: Iterable[asyncpg.Record],
    answers: Iterable[asyncpg.Record],
    group: Callable[[asyncpg.Record], K],
) -> dict[K, GroupTally]:
    """Rows with ``n`` respondents and rows with a question ``key``, its ``n`` answers and
    their ``total``, as a tally per group (``group`` tells a row's group)."""
    questions: dict[K, dict[str, Tally]] = {}
    for row in answers:
        questions.setdefault(group(row), {})[row["key"]] = Tally(row["n"], row["total"])
    return {group(row): GroupTally(row["n"], questions.get(group(row), {})) for row in respondents}


def _by_area(row: asyncpg.Record) -> str:
    area: str = row["home_area"]
    return area
