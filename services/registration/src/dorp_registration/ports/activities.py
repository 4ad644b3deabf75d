"""Initiatives, their sessions, sign-ups and attendance."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from dorp_registration.domain.activities import (
    Attendance,
    Initiative,
    Occupancy,
    Placed,
    Roster,
    Session,
    SignUp,
)
from dorp_registration.ports.common import MemberData


@dataclass(frozen=True)
class SessionRecord:
    """A session with what a listing shows beside it."""

    session: Session
    occupancy: Occupancy
    attendance: Attendance | None


@dataclass(frozen=True)
class SessionFilter:
    starts_from: datetime
    starts_before: datetime | None = None
    initiative_id: uuid.UUID | None = None
    home_area: str | None = None
    theme: str | None = None
    include_cancelled: bool = False
    limit: int = 100


class ActivityRepository(MemberData, Protocol):
    async def add_initiative(self, initiative: Initiative) -> None: ...

    async def save_initiative(self, initiative: Initiative) -> None: ...

    async def get_initiative(self, initiative_id: uuid.UUID) -> Initiative | None: ...

    async def list_initiatives(
        self, *, kind: str | None, home_area: str | None, limit: int
    ) -> list[Initiative]:
        """By name."""
        ...

    async def add_session(self, session: Session) -> None: ...

    async def get_session(self, session_id: uuid.UUID, *, lock: bool = False) -> Session | None:
        """With ``lock``, other transactions that lock the session wait for this one: how
        two sign-ups for the last place are kept from both being confirmed."""
        ...

    async def session_record(self, session_id: uuid.UUID) -> SessionRecord | None: ...

    async def list_sessions(self, where: SessionFilter) -> list[SessionRecord]:
        """By start time."""
        ...

    async def cancel_session(self, session: Session) -> None:
        """Store the cancellation and cancel the session's active sign-ups."""
        ...

    async def roster(self, session_id: uuid.UUID, capacity: int) -> Roster: ...

    async def get_sign_up(self, session_id: uuid.UUID, member_id: uuid.UUID) -> SignUp | None:
        """The member's latest sign-up for the session, cancelled or not."""
        ...

    async def add_sign_up(
        self, session_id: uuid.UUID, member_id: uuid.UUID, status: Placed, at: datetime
    ) -> SignUp:
        """A new sign-up, last in order of arrival (replacing a cancelled one)."""
        ...

    async def withdraw(
        self, session: Session, member_id: uuid.UUID, at: datetime, *, erase: bool = False
    ) -> tuple[uuid.UUID, ...]:
        """Cancel the member's sign-up (delete it when ``erase``) and, while the session
        takes sign-ups, promote from the waiting list into a place that came free. Returns
        the promoted members; the caller publishes ``WaitlistPromoted`` for each."""
        ...

    async def record_attendance(self, attendance: Attendance) -> None:
        """Replaces an earlier record of the same session."""
        ...
