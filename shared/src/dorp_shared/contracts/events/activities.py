"""Initiatives (recurring collective activities), their sessions, sign-ups and attendance."""

from __future__ import annotations

import uuid
from typing import Literal

from pydantic import AwareDatetime, Field

from dorp_shared.contracts.envelope import Event
from dorp_shared.contracts.events.common import AgeBand, MemberScoped

InitiativeKind = Literal[
    "parent_cafe",
    "child_cafe",
    "festival",
    "coffee_dates",
    "iftar",
    "language_group",
    "workshop",
    "reading_group",
    "walk",
    "parent_group",
    "peer_support_group",
    "dialogue_table",
    "exchange",
    "other",
]


class InitiativeRegistered(Event):
    """An initiative was registered or changed; the latest event per id is its state."""

    area = "registration"
    name = "initiative_registered"
    version = 1

    initiative_id: uuid.UUID
    initiative_name: str = Field(max_length=120)
    kind: InitiativeKind
    home_area: str | None = None
    organisation_ids: tuple[uuid.UUID, ...] = ()
    themes: tuple[str, ...] = ()
    age_bands: tuple[AgeBand, ...] = ()
    languages: tuple[str, ...] = ()
    description: str = Field(default="", max_length=2000)


class SessionScheduled(Event):
    """One session of an initiative. ``capacity`` None means an open event (no sign-up)."""

    area = "registration"
    name = "session_scheduled"
    version = 1

    session_id: uuid.UUID
    initiative_id: uuid.UUID
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    place: str = Field(max_length=200)
    home_area: str
    theme: str | None = None
    capacity: int | None = Field(default=None, ge=1)
    child_friendly: bool = False
    languages: tuple[str, ...] = ()
    age_bands: tuple[AgeBand, ...] = ()


class SessionCancelled(Event):
    area = "registration"
    name = "session_cancelled"
    version = 1

    session_id: uuid.UUID
    reason: str = Field(default="", max_length=500)


class SignedUp(MemberScoped):
    """A member signed up: confirmed, or on the waiting list at ``waitlist_position``."""

    area = "registration"
    name = "signed_up"
    version = 1

    session_id: uuid.UUID
    status: Literal["confirmed", "waitlisted"]
    waitlist_position: int | None = None


class SignUpCancelled(MemberScoped):
    area = "registration"
    name = "sign_up_cancelled"
    version = 1

    session_id: uuid.UUID


class WaitlistPromoted(MemberScoped):
    """A place came free and the first member on the waiting list got it."""

    area = "registration"
    name = "waitlist_promoted"
    version = 1

    session_id: uuid.UUID


class AttendanceRecorded(Event):
    """Who came, recorded by a partner: a head count for open events, and the ids of the
    signed-up members who came. Recording again replaces the earlier record."""

    area = "registration"
    name = "attendance_recorded"
    version = 1

    session_id: uuid.UUID
    initiative_id: uuid.UUID
    headcount: int = Field(ge=0, description="everyone present, members or not")
    member_ids: tuple[uuid.UUID, ...] = ()
    recorded_by: str = Field(description="partner id or 'staff'")
