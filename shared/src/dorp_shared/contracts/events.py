"""Canonical events, version 1. Published by the service named in ``area``.

Personal data is kept to what a consumer needs: no children's names or birth dates, only
age bands. Contact details travel only in ``MemberRegistered.contact``, which only the
notifications service stores.
"""

from __future__ import annotations

import uuid
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from dorp_shared.contracts.envelope import Event

Role = Literal["parent", "volunteer", "professional", "connector"]
Channel = Literal["email", "sms", "app"]
AgeBand = Literal["0-1", "1-4", "4-12", "12-18"]
RegisteredBy = Literal["self", "partner", "connector"]

AGE_BANDS: tuple[AgeBand, ...] = ("0-1", "1-4", "4-12", "12-18")


class _Part(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class Consents(_Part):
    """Consent per purpose. Absent means no."""

    matching: bool = False
    notifications: bool = False
    quotes: bool = False
    research: bool = False


class ContactDetails(_Part):
    display_name: str = Field(max_length=80, description="First name or nickname only")
    email: str | None = None
    phone: str | None = None
    channel: Channel = "email"


class MemberRegistered(Event):
    area = "registration"
    name = "member_registered"
    version = 1

    member_id: uuid.UUID
    role: Role
    home_area: str = Field(description="kern, wijk or district id from the region file")
    languages: tuple[str, ...]
    preferred_language: str
    age_bands: tuple[AgeBand, ...] = ()
    interests: tuple[str, ...] = ()
    registered_by: RegisteredBy
    partner_id: str | None = None
    consents: Consents
    contact: ContactDetails


class HelpRequested(Event):
    """A vraag: a member asks for help of a kind."""

    area = "registration"
    name = "help_requested"
    version = 1

    request_id: uuid.UUID
    member_id: uuid.UUID
    kind: str
    home_area: str
    languages: tuple[str, ...]
    age_band: AgeBand | None = None
    text: str = Field(default="", max_length=2000)
    expires_at: AwareDatetime | None = None


class HelpOffered(Event):
    """An aanbod: a member offers help of a kind."""

    area = "registration"
    name = "help_offered"
    version = 1

    offer_id: uuid.UUID
    member_id: uuid.UUID
    kind: str
    home_area: str
    languages: tuple[str, ...]
    age_bands: tuple[AgeBand, ...] = ()
    capacity: int = Field(default=1, ge=1, le=50)
    text: str = Field(default="", max_length=2000)
    expires_at: AwareDatetime | None = None


class MatchReason(_Part):
    code: str
    detail: str
    weight: float


class MatchProposed(Event):
    area = "matching"
    name = "match_proposed"
    version = 1

    proposal_id: uuid.UUID
    request_id: uuid.UUID
    offer_id: uuid.UUID
    requester_id: uuid.UUID
    helper_id: uuid.UUID
    kind: str
    home_area: str
    score: float
    reasons: tuple[MatchReason, ...]
    explanation: str = Field(description="One human sentence, Dutch")
    explanation_en: str
    needs_connector_review: bool = False


class NotificationSent(Event):
    area = "notifications"
    name = "notification_sent"
    version = 1

    notification_id: uuid.UUID
    cause_event_id: uuid.UUID
    recipient_id: uuid.UUID
    channel: Channel
    template: str
    language: str


ALL_EVENTS: tuple[type[Event], ...] = (
    MemberRegistered,
    HelpRequested,
    HelpOffered,
    MatchProposed,
    NotificationSent,
)
