"""Port of the help capability: requests (vraag) and offers (aanbod)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from dorp_registration.domain.help import HelpItem, HelpStatus
from dorp_registration.domain.records import Source
from dorp_registration.ports.common import MemberData
from dorp_shared.contracts.events import Side


@dataclass(frozen=True)
class HelpFilter:
    """What ``list_help`` narrows by; None is any. ``status`` is judged at ``now``.
    Items withdrawn by erasure are never listed."""

    now: datetime
    limit: int
    member_id: uuid.UUID | None = None
    status: HelpStatus | None = None
    side: Side | None = None
    kind: str | None = None
    home_area: str | None = None


class HelpRepository(MemberData, Protocol):
    async def add(self, item: HelpItem, source: Source | None = None) -> bool:
        """Store a new item; False (and no change) if its id is already registered."""
        ...

    async def get(self, side: Side, help_id: uuid.UUID) -> HelpItem | None:
        """The item, also when withdrawn or erased (``state`` says which)."""
        ...

    async def change_open(self, item: HelpItem) -> bool:
        """Store the state, withdrawal time and expiry of an item that is open; False
        (nothing stored) if it is no longer open, e.g. withdrawn at the same moment."""
        ...

    async def find(self, wanted: HelpFilter) -> list[HelpItem]:
        """Matching items, newest first, at most ``wanted.limit``."""
        ...
