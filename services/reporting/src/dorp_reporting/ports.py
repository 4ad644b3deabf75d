"""What the reporting handlers need from the outside world."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

from dorp_reporting.domain.editorial import Editorial
from dorp_reporting.domain.facts import ReportData
from dorp_reporting.domain.period import Period, Window
from dorp_shared.contracts.envelope import Envelope, Event
from dorp_shared.uow import UnitOfWork


class Projections(Protocol):
    """The reporting schema."""

    async def apply(self, payload: Event, at: datetime, event_id: uuid.UUID) -> bool:
        """Project one event (idempotent); False if nothing of its type is kept."""
        ...

    async def apply_many(self, events: Sequence[Envelope[Any]], *, copy: bool = False) -> None:
        """Project events in stream order, set-based: as ``apply`` one at a time would (with
        ``copy``: or fail with a unique violation where a row is there already)."""
        ...

    async def report_data(
        self, period: Period, window: Window | None, time_zone: str
    ) -> ReportData:
        """Everything the report of ``period`` (its ``window``: None for ever) needs."""
        ...

    async def editorial(self, period_key: str) -> Editorial | None: ...

    async def periods_with_data(self, time_zone: str) -> list[Period]:
        """ "all", then each year and month in which something happened, newest first."""
        ...


class ReportingUnitOfWork(UnitOfWork, Protocol):
    async def first_times(self, consumer: str, event_ids: list[uuid.UUID]) -> set[uuid.UUID]:
        """The ids among ``event_ids`` not handled before (now marked handled)."""
        ...

    async def project_unseen(self, consumer: str, events: Sequence[Envelope[Any]]) -> int:
        """Mark ``events`` (distinct ids) handled and project, set-based and in order, those
        not handled before; how many they were."""
        ...

    @property
    def projections(self) -> Projections:
        """Usable inside ``async with``: bound to this unit of work's transaction."""
        ...
