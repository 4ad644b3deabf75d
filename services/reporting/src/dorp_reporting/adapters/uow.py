"""The reporting unit of work: the shared transaction plus the projections repository."""

from __future__ import annotations

from typing import Self

from dorp_reporting.adapters.projections import PgProjections
from dorp_shared.uow import PgUnitOfWork


class PgReportingUnitOfWork(PgUnitOfWork):
    projections: PgProjections

    async def __aenter__(self) -> Self:
        await super().__aenter__()
        self.projections = PgProjections(self.conn)
        return self
