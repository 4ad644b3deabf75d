"""The reporting unit of work: the shared transaction plus the projections repository."""

from __future__ import annotations

import uuid
from typing import Self

from dorp_reporting.adapters.projections import PgProjector
from dorp_reporting.adapters.queries import PgReportQueries
from dorp_shared.uow import PgUnitOfWork


class PgProjections(PgProjector, PgReportQueries):
    """Writes (one method per event type) and the report's reads, on one connection."""


class PgReportingUnitOfWork(PgUnitOfWork):
    projections: PgProjections

    async def first_times(self, consumer: str, event_ids: list[uuid.UUID]) -> set[uuid.UUID]:
        """``first_time`` for many events in one statement: the ids not handled before."""
        rows = await self.conn.fetch(
            "INSERT INTO inbox (consumer, event_id) SELECT $1, unnest($2::uuid[])"
            " ON CONFLICT DO NOTHING RETURNING event_id",
            consumer,
            event_ids,
        )
        return {row["event_id"] for row in rows}

    async def __aenter__(self) -> Self:
        await super().__aenter__()
        self.projections = PgProjections(self.conn)
        return self
