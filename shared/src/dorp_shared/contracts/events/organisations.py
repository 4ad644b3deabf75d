"""Organisations of a region: schools, daycare, GGD and the other partners (registration)."""

from __future__ import annotations

import uuid
from typing import Literal

from pydantic import Field

from dorp_shared.contracts.envelope import Event

OrganisationType = Literal[
    "school",
    "daycare",
    "ggd",
    "social_neighbourhood_team",
    "gp_practice",
    "midwife_practice",
    "library",
    "community_centre",
    "sports_club",
    "huis_van_het_kind",
    "parenting_support",
    "care_provider",
    "other",
]


class OrganisationRegistered(Event):
    """An organisation joined or changed; the latest event per id is its current state."""

    area = "registration"
    name = "organisation_registered"
    version = 1

    organisation_id: uuid.UUID
    organisation_name: str = Field(max_length=120)
    type: OrganisationType
    home_area: str | None = None
    is_partner: bool = False
    partner_id: str | None = Field(
        default=None, description="the id its system uses on partner subjects"
    )
