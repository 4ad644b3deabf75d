"""Members, their consent history, and the erasures still to purge from the stream."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from dorp_registration.domain.members import Member
from dorp_registration.ports.common import MemberData
from dorp_shared.contracts.events import Purpose, RegisteredBy


@dataclass(frozen=True)
class ConsentRecord:
    purpose: Purpose
    granted: bool
    source: RegisteredBy
    recorded_at: datetime


class MemberRepository(MemberData, Protocol):
    async def get(self, member_id: uuid.UUID) -> Member | None: ...

    async def add(self, member: Member, external_id: str | None = None) -> bool:
        """Store a new member; False (and no change) if the id is already registered."""
        ...

    async def save(self, member: Member) -> None:
        """Store the member's changed profile and consents."""
        ...

    async def record_consent(self, member_id: uuid.UUID, record: ConsentRecord) -> None: ...

    async def touch(self, member_id: uuid.UUID, at: datetime) -> None:
        """The member did something: inactivity (for retention) counts from now."""
        ...

    async def due_for_warning(
        self, *, inactive_before: datetime, limit: int
    ) -> list[tuple[uuid.UUID, datetime]]:
        """Members not erased nor warned, inactive since before then: (id, last active)."""
        ...

    async def due_for_erasure(
        self, *, inactive_before: datetime, warned_before: datetime, limit: int
    ) -> list[uuid.UUID]:
        """Members not erased, inactive since ``inactive_before`` and warned before
        ``warned_before`` (activity since the warning clears it)."""
        ...

    async def mark_warned(self, member_id: uuid.UUID, at: datetime) -> None: ...

    async def queue_purge(self, member_id: uuid.UUID, event_id: uuid.UUID) -> None:
        """Remember to purge the member's events from the stream once ``event_id``
        (their ``MemberErased``) is published."""
        ...
