"""Members: registration, profile changes, consent, erasure and retention (registration)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Literal

from pydantic import AwareDatetime, Field

from dorp_shared.contracts.events.common import (
    AgeBand,
    Channel,
    MemberScoped,
    Part,
    Purpose,
    RegisteredBy,
    Role,
)


class Consents(Part):
    """Consent per purpose. Absent means no."""

    matching: bool = False
    notifications: bool = False
    quotes: bool = False
    research: bool = False

    def granted(self, purpose: Purpose) -> bool:
        return bool(getattr(self, purpose))


class ContactDetails(Part):
    display_name: str = Field(max_length=80, description="First name or nickname only")
    email: str | None = None
    phone: str | None = None
    channel: Channel = "email"


class MemberRegistered(MemberScoped):
    """A member joined the region. Carries contact details: only notifications stores them."""

    area = "registration"
    name = "member_registered"
    version = 1

    role: Role
    home_area: str = Field(description="kern, wijk or district id from the region file")
    languages: tuple[str, ...]
    preferred_language: str
    age_bands: tuple[AgeBand, ...] = ()
    interests: tuple[str, ...] = ()
    registered_by: RegisteredBy
    partner_id: str | None = None
    connector_id: uuid.UUID | None = Field(
        default=None, description="the connector who registered a parent on their behalf"
    )
    organisation_id: uuid.UUID | None = Field(
        default=None, description="for professionals: the organisation they work for"
    )
    consents: Consents
    contact: ContactDetails


class MemberUpdated(MemberScoped):
    """The member's profile as it is now (a full snapshot, not a diff)."""

    area = "registration"
    name = "member_updated"
    version = 1

    role: Role
    home_area: str
    languages: tuple[str, ...]
    preferred_language: str
    age_bands: tuple[AgeBand, ...] = ()
    interests: tuple[str, ...] = ()
    organisation_id: uuid.UUID | None = None
    contact: ContactDetails


class ConsentChanged(MemberScoped):
    """Consent for one purpose was given or withdrawn; ``consents`` is the full set now."""

    area = "registration"
    name = "consent_changed"
    version = 1

    purpose: Purpose
    granted: bool
    source: RegisteredBy
    recorded_at: AwareDatetime
    consents: Consents


class MemberErased(MemberScoped):
    """Every service must now delete or anonymise what it holds on this member.

    Registration has already erased its own data. After this event is published, the
    registration stream keeps, of this member's events, only this one.
    """

    area = "registration"
    name = "member_erased"
    version = 1

    reason: Literal["request", "retention"]
    erased_at: AwareDatetime


class RetentionWarningIssued(MemberScoped):
    """The member has been inactive for long; their data is erased on ``erase_on`` unless
    they become active again. Notifications tells the member."""

    area = "registration"
    name = "retention_warning_issued"
    version = 1

    last_active_at: AwareDatetime
    erase_on: dt.date
