"""What the reporting handlers need from the outside world."""

from __future__ import annotations

from typing import Protocol

from dorp_reporting.domain.facts import ActivityFact, MemberFact, NotificationFact, Tallies
from dorp_reporting.domain.period import Window
from dorp_shared.uow import UnitOfWork


class Projections(Protocol):
    """The reporting schema. Adding a fact twice (same id) keeps the first one."""

    async def add_member(self, fact: MemberFact) -> None: ...

    async def add_activity(self, fact: ActivityFact) -> None: ...

    async def add_notification(self, fact: NotificationFact) -> None: ...

    async def tallies(self, window: Window | None) -> Tallies:
        """Counts of everything that happened in ``window`` (None: ever)."""
        ...


class ReportingUnitOfWork(UnitOfWork, Protocol):
    @property
    def projections(self) -> Projections:
        """Usable inside ``async with``: bound to this unit of work's transaction."""
        ...
