"""What partner systems send on ``dorp.<region>.partner.<partner_id>.<event>``, and the reply.

A partner names its own records with ``external_id``; registration turns that into a stable
Dorp id, so sending the same record twice registers it once.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from dorp_shared.contracts.events import (
    AgeBand,
    Channel,
    Consents,
    OrganisationType,
    Role,
    TimeWindow,
)

MAX_PARTNER_PAYLOAD_BYTES = 64 * 1024
ExternalId = str
TimeWindows = Annotated[
    tuple[TimeWindow, ...],
    Field(max_length=21, description="parts of the week (at most all 21)"),
]
ExpiresInDays = Annotated[
    int | None,
    Field(ge=1, le=365, description="days it stays open; default: the region's period"),
]


class _PartnerModel(BaseModel):
    """Partner input is strict: unknown fields are an error, so typos do not pass silently."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class PartnerMember(_PartnerModel):
    external_id: ExternalId = Field(min_length=1, max_length=100)
    role: Role = "parent"
    display_name: str = Field(min_length=1, max_length=80)
    email: str | None = Field(default=None, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    phone: str | None = Field(default=None, pattern=r"^\+?[0-9 ()-]{6,20}$")
    channel: Channel = "email"
    home_area: str
    languages: tuple[str, ...] = Field(min_length=1)
    preferred_language: str | None = None
    age_bands: tuple[AgeBand, ...] = ()
    interests: tuple[str, ...] = ()
    on_behalf: bool = Field(default=False, description="a connector registers a parent")
    consents: Consents = Field(
        default=Consents(),
        description="applied when the member is first registered; later changes of consent go "
        "through the set_consent command, so re-sending a record never undoes them",
    )


class PartnerHelpRequest(_PartnerModel):
    external_id: ExternalId = Field(min_length=1, max_length=100)
    member_external_id: ExternalId = Field(min_length=1, max_length=100)
    kind: str
    home_area: str | None = None
    languages: tuple[str, ...] = ()
    age_band: AgeBand | None = None
    time_windows: TimeWindows = ()
    prefers_known_people: bool = False
    text: str = Field(default="", max_length=2000)
    expires_in_days: ExpiresInDays = None


class PartnerHelpOffer(_PartnerModel):
    external_id: ExternalId = Field(min_length=1, max_length=100)
    member_external_id: ExternalId = Field(min_length=1, max_length=100)
    kind: str
    home_area: str | None = None
    languages: tuple[str, ...] = ()
    age_bands: tuple[AgeBand, ...] = ()
    time_windows: TimeWindows = ()
    capacity: int = Field(default=1, ge=1, le=50)
    text: str = Field(default="", max_length=2000)
    expires_in_days: ExpiresInDays = None


class PartnerOrganisation(_PartnerModel):
    """An organisation the partner knows (a school of a school board, a daycare location):
    registered the first time, updated when sent again with changes."""

    external_id: ExternalId = Field(min_length=1, max_length=100)
    name: str = Field(min_length=1, max_length=120)
    type: OrganisationType
    home_area: str | None = None
    is_partner: bool = False


PARTNER_EVENTS: dict[str, type[_PartnerModel]] = {
    "member_registration": PartnerMember,
    "help_request": PartnerHelpRequest,
    "help_offer": PartnerHelpOffer,
    "organisation": PartnerOrganisation,
}


class FieldError(BaseModel):
    model_config = ConfigDict(frozen=True)

    field: str
    message: str
    allowed: tuple[str, ...] | None = None


class PartnerReply(BaseModel):
    """The answer to every partner event: accepted (with the Dorp id) or rejected (why)."""

    model_config = ConfigDict(frozen=True)

    status: Literal["accepted", "rejected"]
    reason: str | None = None
    dorp_id: str | None = None
    duplicate: bool = False
    errors: tuple[FieldError, ...] = ()
    result: dict[str, Any] | None = Field(
        default=None, description="for a command sent as a partner event: its full result"
    )
