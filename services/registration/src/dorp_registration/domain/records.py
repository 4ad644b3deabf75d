"""Accepted partner input becomes Dorp records, with ids derived from the partner's own."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from dorp_registration.domain.ids import RecordKind, dorp_id
from dorp_registration.domain.members import Member, preferred_language
from dorp_registration.domain.organisations import Organisation
from dorp_shared.contracts.events import ContactDetails, Side
from dorp_shared.contracts.partner import PartnerMember, PartnerOrganisation
from dorp_shared.regions import Region


@dataclass(frozen=True)
class Source:
    """Who sent a record, in their own terms: kept so a partner's record maps back."""

    partner_id: str
    external_id: str


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


def help_id_of(region: Region, partner_id: str, side: Side, external_id: str) -> uuid.UUID:
    record: RecordKind = "help_request" if side == "request" else "help_offer"
    return dorp_id(region.id, partner_id, record, external_id)


def organisation_id_of(region: Region, partner_id: str, external_id: str) -> uuid.UUID:
    return dorp_id(region.id, partner_id, "organisation", external_id)


def partner_organisation(
    item: PartnerOrganisation,
    region: Region,
    partner_id: str,
    now: datetime,
    known: Organisation | None,
) -> Organisation:
    """The organisation as the partner describes it now: new, or ``known`` with the
    partner's description (the whole of it: a field left out is cleared)."""
    if known is not None:
        return known.changed(item.model_dump(exclude={"external_id"}), now)
    return Organisation(
        organisation_id=organisation_id_of(region, partner_id, item.external_id),
        name=item.name,
        type=item.type,
        home_area=item.home_area,
        is_partner=item.is_partner,
        registered_at=now,
        updated_at=now,
    )
