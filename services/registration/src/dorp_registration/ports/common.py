"""The part every repository holding members' data has: erasure and export."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Protocol


class MemberData(Protocol):
    async def forget(self, member_id: uuid.UUID, at: datetime) -> None:
        """Delete or anonymise everything this repository holds on the member."""
        ...

    async def export(self, member_id: uuid.UUID) -> dict[str, list[dict[str, Any]]]:
        """Everything held on the member, as JSON-ready rows per kind of record."""
        ...
