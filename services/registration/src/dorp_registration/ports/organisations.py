"""Port of the organisations capability. Organisations hold no member data, so erasure and
export pass them by."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Protocol

from dorp_registration.domain.organisations import Organisation
from dorp_registration.domain.records import Source
from dorp_shared.contracts.events import OrganisationType


@dataclass(frozen=True)
class OrganisationFilter:
    """What ``list_organisations`` narrows by; None is any."""

    type: OrganisationType | None = None
    home_area: str | None = None
    is_partner: bool | None = None


class OrganisationRepository(Protocol):
    async def exists(self, organisation_id: uuid.UUID) -> bool: ...

    async def get(self, organisation_id: uuid.UUID) -> Organisation | None: ...

    async def add(self, organisation: Organisation, source: Source | None = None) -> bool:
        """Store a new organisation; False (and no change) if the id is already registered."""
        ...

    async def save(self, organisation: Organisation) -> None:
        """Store the changed organisation."""
        ...

    async def holder_of_partner_id(self, partner_id: str) -> uuid.UUID | None:
        """The organisation that uses this partner id, if any."""
        ...

    async def find(self, wanted: OrganisationFilter) -> list[Organisation]:
        """Matching organisations by name."""
        ...
