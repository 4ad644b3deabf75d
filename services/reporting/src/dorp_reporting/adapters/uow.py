"""The reporting unit of work: the shared transaction plus the projections repository."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Self

from dorp_reporting.adapters.batch import Item, apply_batch
from dorp_reporting.adapters.projections import PgProjector
from dorp_reporting.adapters.queries import PgReportQueries
from dorp_shared.contracts.envelope import Envelope
from dorp_shared.uow import PgUnitOfWork


class PgProjections(PgProjector, PgReportQueries):
    """Writes (one method per event type, or set-based per batch) and the report's reads,
    on one connection."""

    async def apply_many(self, events: Sequence[Envelope[Any]]) -> None:
        await apply_batch(self.conn, [Item(e.payload, e.occurred_at, e.event_id) for e in events])


class PgReportingUnitOfWork(PgUnitOfWork):
    projections: PgProjections

    async def __aenter__(self) -> Self:
        await super().__aenter__()
        self.projections = PgProjections(self.conn)
        return self
