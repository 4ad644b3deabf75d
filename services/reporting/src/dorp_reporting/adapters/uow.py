"""The reporting unit of work: the shared transaction plus the projections repository."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Self

import asyncpg

from dorp_reporting.adapters.batch import Item, apply_batch
from dorp_reporting.adapters.projections import PgProjector
from dorp_reporting.adapters.queries import PgReportQueries
from dorp_shared.contracts.envelope import Envelope
from dorp_shared.uow import PgUnitOfWork


class PgProjections(PgProjector, PgReportQueries):
    """Writes (one method per event type, or set-based per batch) and the report's reads,
    on one connection."""

    async def apply_many(self, events: Sequence[Envelope[Any]], *, copy: bool = False) -> None:
        await apply_batch(
            self.conn, [Item(e.payload, e.occurred_at, e.event_id) for e in events], copy=copy
        )


class PgReportingUnitOfWork(PgUnitOfWork):
    projections: PgProjections

    async def __aenter__(self) -> Self:
        await super().__aenter__()
        self.projections = PgProjections(self.conn)
        return self

    async def project_unseen(self, consumer: str, events: Sequence[Envelope[Any]]) -> int:
        """Mark ``events`` (distinct ids, stream order) handled and project those not handled
        before; how many were new. First try: the batch's inbox rows and plain inserts with
        binary ``COPY`` in a savepoint, which fails if any row is there already (in a rebuild
        almost never: it starts from empty tables); then the statements that skip such rows."""
        if not events:
            return 0
        try:
            async with self.conn.transaction():
                await self.conn.copy_records_to_table(
                    "inbox",
                    columns=("consumer", "event_id"),
                    records=[(consumer, event.event_id) for event in events],
                )
                await self.projections.apply_many(events, copy=True)
            return len(events)
        except asyncpg.UniqueViolationError:
            pass
        new = await self.first_times(consumer, [event.event_id for event in events])
        fresh = [event for event in events if event.event_id in new]
        await self.projections.apply_many(fresh)
        return len(fresh)
