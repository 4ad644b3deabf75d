"""Port of the organisations capability."""

from __future__ import annotations

import uuid
from typing import Protocol


class OrganisationRepository(Protocol):
    async def exists(self, organisation_id: uuid.UUID) -> bool: ...
