"""In-memory stand-ins for the reporting schema (fakes only at the edge)."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import datetime
from typing import Self

from dorp_reporting.domain.facts import (
    ActivityFact,
    KindArea,
    Ledger,
    MemberFact,
    NotificationFact,
    Tallies,
)
from dorp_reporting.domain.period import Window
from dorp_shared.uow import FakeUnitOfWork


class FakeProjections:
    def __init__(self) -> None:
        self.members: dict[uuid.UUID, MemberFact] = {}
        self.activities: dict[tuple[Ledger, uuid.UUID], ActivityFact] = {}
        self.notifications: dict[uuid.UUID, NotificationFact] = {}

    async def add_member(self, fact: MemberFact) -> None:
        self.members.setdefault(fact.member_id, fact)

    async def add_activity(self, fact: ActivityFact) -> None:
        self.activities.setdefault((fact.ledger, fact.activity_id), fact)

    async def add_notification(self, fact: NotificationFact) -> None:
        self.notifications.setdefault(fact.notification_id, fact)

    async def tallies(self, window: Window | None) -> Tallies:
        def inside(moment: datetime) -> bool:
            return window is None or window.holds(moment)

        roles = Counter(m.role for m in self.members.values() if inside(m.registered_at))
        activities: dict[Ledger, Counter[KindArea]] = {}
        for fact in self.activities.values():
            if inside(fact.occurred_at):
                activities.setdefault(fact.ledger, Counter())[(fact.kind, fact.home_area)] += 1
        sent = sum(1 for n in self.notifications.values() if inside(n.sent_at))
        return Tallies(members_by_role=dict(roles), activities=activities, notifications=sent)


class FakeReportingUoW(FakeUnitOfWork):
    def __init__(self) -> None:
        super().__init__(region="lochem", source="reporting")
        self._projections = FakeProjections()

    @property
    def projections(self) -> FakeProjections:
        return self._projections

    async def __aenter__(self) -> Self:
        return await super().__aenter__()
