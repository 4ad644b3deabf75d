"""Initiatives, their sessions, sign-ups with a waiting list, and attendance: plain rules.

The waiting list is first come, first served: the confirmed members of a session are always
the earliest of its active sign-ups, up to the capacity; when a confirmed member leaves, the
first on the waiting list takes the place.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Literal

from dorp_shared.contracts.events import (
    AgeBand,
    InitiativeKind,
    InitiativeRegistered,
    SessionScheduled,
)
from dorp_shared.contracts.partner import FieldError

SignUpStatus = Literal["confirmed", "waitlisted", "cancelled"]
Placed = Literal["confirmed", "waitlisted"]


@dataclass(frozen=True)
class Initiative:
    """A recurring collective activity (parent café, festival, language group...)."""

    initiative_id: uuid.UUID
    name: str
    kind: InitiativeKind
    home_area: str | None
    organisation_ids: tuple[uuid.UUID, ...]
    themes: tuple[str, ...]
    age_bands: tuple[AgeBand, ...]
    languages: tuple[str, ...]
    description: str
    registered_at: datetime
    updated_at: datetime

    def event(self) -> InitiativeRegistered:
        return InitiativeRegistered(
            initiative_id=self.initiative_id,
            initiative_name=self.name,
            kind=self.kind,
            home_area=self.home_area,
            organisation_ids=self.organisation_ids,
            themes=self.themes,
            age_bands=self.age_bands,
            languages=self.languages,
            description=self.description,
        )

    def same_as(self, other: Initiative) -> bool:
        """Equal in everything that can change (not in timestamps)."""
        return self.event() == other.event()


@dataclass(frozen=True)
class Session:
    """One session of an initiative; ``capacity`` None is an open event (no sign-up)."""

    session_id: uuid.UUID
    initiative_id: uuid.UUID
    starts_at: datetime
    ends_at: datetime
    place: str
    home_area: str
    theme: str | None
    capacity: int | None
    child_friendly: bool
    languages: tuple[str, ...]
    age_bands: tuple[AgeBand, ...]
    scheduled_at: datetime
    cancelled_at: datetime | None = None
    cancel_reason: str = ""

    @property
    def open_event(self) -> bool:
        return self.capacity is None

    @property
    def cancelled(self) -> bool:
        return self.cancelled_at is not None

    def started(self, now: datetime) -> bool:
        return self.starts_at <= now

    def over(self, now: datetime) -> bool:
        return self.ends_at <= now

    def why_closed(self, now: datetime) -> str | None:
        """Why sign-ups (and their changes) are no longer possible; None while they are.
        A session in progress still takes sign-ups: a parent may walk in."""
        if self.cancelled:
            return "the session was cancelled"
        if self.over(now):
            return "the session is over"
        return None

    def cancel(self, at: datetime, reason: str) -> Session:
        return replace(self, cancelled_at=at, cancel_reason=reason)

    def event(self) -> SessionScheduled:
        return SessionScheduled(
            session_id=self.session_id,
            initiative_id=self.initiative_id,
            starts_at=self.starts_at,
            ends_at=self.ends_at,
            place=self.place,
            home_area=self.home_area,
            theme=self.theme,
            capacity=self.capacity,
            child_friendly=self.child_friendly,
            languages=self.languages,
            age_bands=self.age_bands,
        )


@dataclass(frozen=True)
class Occupancy:
    """How many of a session's active sign-ups are confirmed and how many wait."""

    confirmed: int = 0
    waiting: int = 0

    def places_left(self, capacity: int | None) -> int | None:
        return None if capacity is None else max(capacity - self.confirmed, 0)


@dataclass(frozen=True)
class SignUp:
    session_id: uuid.UUID
    member_id: uuid.UUID
    status: SignUpStatus
    signed_up_at: datetime


@dataclass(frozen=True)
class Attendance:
    """Who came: everyone present (``headcount``) and the signed-up members among them."""

    session_id: uuid.UUID
    headcount: int
    member_ids: tuple[uuid.UUID, ...]
    recorded_by: str
    recorded_at: datetime


@dataclass(frozen=True)
class Placement:
    """Where a member stands: confirmed, or waiting at ``position`` (1 is next in line)."""

    status: Placed
    position: int | None = None


@dataclass(frozen=True)
class Roster:
    """The active sign-ups of one session with a capacity, each list in order of arrival."""

    capacity: int
    confirmed: tuple[uuid.UUID, ...] = ()
    waiting: tuple[uuid.UUID, ...] = ()

    @classmethod
    def of(cls, capacity: int, arrivals: Sequence[tuple[uuid.UUID, Placed]]) -> Roster:
        """The roster from stored sign-ups, given in order of arrival."""
        return cls(
            capacity=capacity,
            confirmed=tuple(member for member, status in arrivals if status == "confirmed"),
            waiting=tuple(member for member, status in arrivals if status == "waitlisted"),
        )

    @property
    def occupancy(self) -> Occupancy:
        return Occupancy(confirmed=len(self.confirmed), waiting=len(self.waiting))

    def placement(self, member_id: uuid.UUID) -> Placement | None:
        """None if the member has no active sign-up."""
        if member_id in self.confirmed:
            return Placement("confirmed")
        if member_id in self.waiting:
            return Placement("waitlisted", self.waiting.index(member_id) + 1)
        return None

    def add(self, member_id: uuid.UUID) -> tuple[Roster, Placement]:
        """Sign a member up: confirmed while places are left, else last in line. Signing
        up again changes nothing and gives the place the member already has."""
        known = self.placement(member_id)
        if known is not None:
            return self, known
        if len(self.confirmed) < self.capacity:
            return replace(self, confirmed=(*self.confirmed, member_id)), Placement("confirmed")
        waiting = (*self.waiting, member_id)
        return replace(self, waiting=waiting), Placement("waitlisted", len(waiting))

    def remove(self, member_id: uuid.UUID) -> tuple[Roster, tuple[uuid.UUID, ...]]:
        """Take a member off; returns who was promoted into a place that came free."""
        left = replace(
            self,
            confirmed=tuple(member for member in self.confirmed if member != member_id),
            waiting=tuple(member for member in self.waiting if member != member_id),
        )
        return left.fill()

    def fill(self) -> tuple[Roster, tuple[uuid.UUID, ...]]:
        """Promote the first in line into every free place."""
        free = max(self.capacity - len(self.confirmed), 0)
        promoted = self.waiting[:free]
        filled = replace(self, confirmed=(*self.confirmed, *promoted), waiting=self.waiting[free:])
        return filled, promoted


def attendance_errors(
    headcount: int, member_ids: Sequence[uuid.UUID], confirmed: Collection[uuid.UUID]
) -> list[FieldError]:
    """Named members must hold a confirmed place (each once) and be counted in the head
    count: a partner names only members who signed up; everyone else is just counted."""
    errors = []
    for index, member_id in enumerate(member_ids):
        if member_id in member_ids[:index]:
            message = "listed more than once"
        elif member_id not in confirmed:
            message = f"member {member_id} has no confirmed place in this session"
        else:
            continue
        errors.append(FieldError(field=f"member_ids.{index}", message=message))
    if headcount < len(member_ids):
        message = f"must count at least the {len(member_ids)} members named in member_ids"
        errors.append(FieldError(field="headcount", message=message))
    return errors
