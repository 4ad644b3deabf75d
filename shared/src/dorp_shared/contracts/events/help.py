"""Help requests (vraag) and offers (aanbod), withdrawn and renewed (registration)."""

from __future__ import annotations

import uuid

from pydantic import AwareDatetime, Field

from dorp_shared.contracts.events.common import AgeBand, MemberScoped, Side, TimeWindow


class HelpRequested(MemberScoped):
    """A vraag: a member asks for help of a kind."""

    area = "registration"
    name = "help_requested"
    version = 1

    request_id: uuid.UUID
    kind: str
    home_area: str
    languages: tuple[str, ...]
    age_band: AgeBand | None = None
    time_windows: tuple[TimeWindow, ...] = ()
    prefers_known_people: bool = Field(
        default=False, description="prefer helpers the member has met before"
    )
    text: str = Field(default="", max_length=2000, description="written by the member")
    expires_at: AwareDatetime | None = None


class HelpOffered(MemberScoped):
    """An aanbod: a member offers help of a kind."""

    area = "registration"
    name = "help_offered"
    version = 1

    offer_id: uuid.UUID
    kind: str
    home_area: str
    languages: tuple[str, ...]
    age_bands: tuple[AgeBand, ...] = ()
    time_windows: tuple[TimeWindow, ...] = ()
    capacity: int = Field(default=1, ge=1, le=50, description="how many people at a time")
    text: str = Field(default="", max_length=2000, description="written by the member")
    expires_at: AwareDatetime | None = None


class HelpWithdrawn(MemberScoped):
    """The member withdrew a request or offer: pending proposals for it are cancelled."""

    area = "registration"
    name = "help_withdrawn"
    version = 1

    help_id: uuid.UUID = Field(description="request_id or offer_id")
    side: Side


class HelpRenewed(MemberScoped):
    """A request or offer stays open longer (also after it expired)."""

    area = "registration"
    name = "help_renewed"
    version = 1

    help_id: uuid.UUID
    side: Side
    expires_at: AwareDatetime
