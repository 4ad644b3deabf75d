"""Port of the help capability: requests (vraag) and offers (aanbod)."""

from __future__ import annotations

from typing import Protocol

from dorp_registration.domain.records import Source
from dorp_registration.ports.common import MemberData
from dorp_shared.contracts.events import HelpOffered, HelpRequested


class HelpRepository(MemberData, Protocol):
    async def add_request(self, request: HelpRequested, source: Source) -> bool:
        """Store a new request; False (and no change) if the id is already registered."""
        ...

    async def add_offer(self, offer: HelpOffered, source: Source) -> bool:
        """Store a new offer; False (and no change) if the id is already registered."""
        ...
