"""A member as registration holds it, and the events that describe it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime

from dorp_shared.contracts.events import (
    AgeBand,
    Consents,
    ContactDetails,
    MemberRegistered,
    MemberUpdated,
    Purpose,
    RegisteredBy,
    Role,
)


@dataclass(frozen=True)
class Member:
    member_id: uuid.UUID
    role: Role
    home_area: str
    languages: tuple[str, ...]
    preferred_language: str
    age_bands: tuple[AgeBand, ...]
    interests: tuple[str, ...]
    registered_by: RegisteredBy
    consents: Consents
    contact: ContactDetails
    registered_at: datetime
    last_active_at: datetime
    partner_id: str | None = None
    connector_id: uuid.UUID | None = None
    organisation_id: uuid.UUID | None = None
    erased_at: datetime | None = None

    @property
    def erased(self) -> bool:
        return self.erased_at is not None

    def same_profile(self, other: Member) -> bool:
        """Equal in everything a member can change (not in timestamps)."""
        return self.profile_event() == other.profile_event() and self.consents == other.consents

    def with_consent(self, purpose: Purpose, granted: bool) -> Member:
        return replace(self, consents=self.consents.model_copy(update={purpose: granted}))

    def registered_event(self) -> MemberRegistered:
        return MemberRegistered(
            member_id=self.member_id,
            role=self.role,
            home_area=self.home_area,
            languages=self.languages,
            preferred_language=self.preferred_language,
            age_bands=self.age_bands,
            interests=self.interests,
            registered_by=self.registered_by,
            partner_id=self.partner_id,
            connector_id=self.connector_id,
            organisation_id=self.organisation_id,
            consents=self.consents,
            contact=self.contact,
        )

    def profile_event(self) -> MemberUpdated:
        return MemberUpdated(
            member_id=self.member_id,
            role=self.role,
            home_area=self.home_area,
            languages=self.languages,
            preferred_language=self.preferred_language,
            age_bands=self.age_bands,
            interests=self.interests,
            organisation_id=self.organisation_id,
            contact=self.contact,
        )


def preferred_language(chosen: str | None, languages: tuple[str, ...], default: str) -> str:
    """The member's choice; else the region's default if they speak it; else their first."""
    if chosen:
        return chosen
    if default in languages or not languages:
        return default
    return languages[0]
