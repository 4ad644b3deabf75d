"""Accepted partner input becomes a canonical event, with the region's defaults filled in."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from dorp_registration.domain.ids import dorp_id
from dorp_registration.domain.members import Member, preferred_language
from dorp_shared.contracts.events import ContactDetails, HelpOffered, HelpRequested
from dorp_shared.contracts.partner import PartnerHelpOffer, PartnerHelpRequest, PartnerMember
from dorp_shared.regions import Region


@dataclass(frozen=True)
class Source:
    """Who sent a record, in their own terms: kept so a partner's record maps back."""

    partner_id: str
    external_id: str


@dataclass(frozen=True)
class MemberProfile:
    """What a request or offer borrows from its member when it does not say itself."""

    member_id: uuid.UUID
    home_area: str
    languages: tuple[str, ...]


def member_id_of(region: Region, partner_id: str, member_external_id: str) -> uuid.UUID:
    return dorp_id(region.id, partner_id, "member", member_external_id)


def partner_member(item: PartnerMember, region: Region, partner_id: str, now: datetime) -> Member:
    return Member(
        member_id=member_id_of(region, partner_id, item.external_id),
        role=item.role,
        home_area=item.home_area,
        languages=item.languages,
        preferred_language=preferred_language(
            item.preferred_language, item.languages, region.default_language
        ),
        age_bands=item.age_bands,
        interests=item.interests,
        registered_by="connector" if item.on_behalf else "partner",
        partner_id=partner_id,
        consents=item.consents,
        contact=ContactDetails(
            display_name=item.display_name,
            email=item.email,
            phone=item.phone,
            channel=item.channel,
        ),
        registered_at=now,
        last_active_at=now,
    )


def new_request(
    item: PartnerHelpRequest, region: Region, partner_id: str, member: MemberProfile
) -> HelpRequested:
    return HelpRequested(
        request_id=dorp_id(region.id, partner_id, "help_request", item.external_id),
        member_id=member.member_id,
        kind=item.kind,
        home_area=item.home_area or member.home_area,
        languages=item.languages or member.languages,
        age_band=item.age_band,
        text=item.text,
    )


def new_offer(
    item: PartnerHelpOffer, region: Region, partner_id: str, member: MemberProfile
) -> HelpOffered:
    return HelpOffered(
        offer_id=dorp_id(region.id, partner_id, "help_offer", item.external_id),
        member_id=member.member_id,
        kind=item.kind,
        home_area=item.home_area or member.home_area,
        languages=item.languages or member.languages,
        age_bands=item.age_bands,
        capacity=item.capacity,
        text=item.text,
    )
