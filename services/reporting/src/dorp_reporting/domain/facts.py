"""What reporting keeps of each event: ids, categories and times; never names or free text."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

Ledger = Literal["request", "offer", "match"]
LEDGERS: tuple[Ledger, ...] = ("request", "offer", "match")


@dataclass(frozen=True)
class MemberFact:
    member_id: uuid.UUID
    role: str
    home_area: str
    registered_at: datetime


@dataclass(frozen=True)
class ActivityFact:
    """A request, an offer or a proposed match (``activity_id`` is the proposal id)."""

    ledger: Ledger
    activity_id: uuid.UUID
    kind: str
    home_area: str
    occurred_at: datetime


@dataclass(frozen=True)
class NotificationFact:
    notification_id: uuid.UUID
    channel: str
    sent_at: datetime


KindArea = tuple[str, str]


@dataclass(frozen=True)
class Tallies:
    """Counts over one period, as a repository hands them to the report."""

    members_by_role: Mapping[str, int] = field(default_factory=dict)
    activities: Mapping[Ledger, Mapping[KindArea, int]] = field(default_factory=dict)
    notifications: int = 0

    def ledger(self, ledger: Ledger) -> Mapping[KindArea, int]:
        return self.activities.get(ledger, {})
