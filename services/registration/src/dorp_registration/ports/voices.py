"""Port of the voices capability: quotes and four-buffer self-checks."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from dorp_registration.domain.voices import GroupTally
from dorp_registration.ports.common import MemberData
from dorp_shared.contracts.events import QuoteRecorded, SelfCheckRecorded


@dataclass(frozen=True)
class PublishedQuote:
    """A quote as reports may show it: no member id, no name."""

    quote_id: uuid.UUID
    text: str
    language: str
    home_area: str
    initiative_id: uuid.UUID | None
    recorded_at: datetime


class VoiceRepository(MemberData, Protocol):
    async def add_quote(self, quote: QuoteRecorded, at: datetime) -> None: ...

    async def get_quote(self, quote_id: uuid.UUID) -> QuoteRecorded | None: ...

    async def delete_quote(self, quote_id: uuid.UUID) -> None: ...

    async def publishable_quotes(
        self, *, home_area: str | None, initiative_id: uuid.UUID | None, limit: int
    ) -> list[PublishedQuote]:
        """Quotes marked for anonymous publication whose author's consent for quotes still
        stands, newest first."""
        ...

    async def add_self_check(self, check: SelfCheckRecorded, at: datetime) -> None: ...

    async def self_check_tallies(self) -> dict[str, GroupTally]:
        """Per home area: the members' latest self-checks, tallied per buffer."""
        ...
