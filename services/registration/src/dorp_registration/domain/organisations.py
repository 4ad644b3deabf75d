"""An organisation of a region (school, daycare, GGD, ...) and the event that states it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from dorp_shared.contracts.events import OrganisationRegistered, OrganisationType

CHANGEABLE = ("name", "type", "home_area", "is_partner", "partner_id")


@dataclass(frozen=True)
class Organisation:
    organisation_id: uuid.UUID
    name: str
    type: OrganisationType
    registered_at: datetime
    updated_at: datetime
    home_area: str | None = None
    is_partner: bool = False
    partner_id: str | None = None

    def same_as(self, other: Organisation) -> bool:
        """Equal in everything that can change (not in timestamps)."""
        return self.registered_event() == other.registered_event()

    def changed(self, changes: dict[str, Any], now: datetime) -> Organisation:
        """With the given changes (only the changeable fields) applied at ``now``."""
        given = {key: value for key, value in changes.items() if key in CHANGEABLE}
        return replace(self, **given, updated_at=now)

    def registered_event(self) -> OrganisationRegistered:
        """Published on registration and on every change: the latest one is the state."""
        return OrganisationRegistered(
            organisation_id=self.organisation_id,
            organisation_name=self.name,
            type=self.type,
            home_area=self.home_area,
            is_partner=self.is_partner,
            partner_id=self.partner_id,
        )
