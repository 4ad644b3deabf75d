"""asyncpg repository of the activities capability (to be completed with the capability)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import asyncpg


class PgActivityRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def forget(self, member_id: uuid.UUID, at: datetime) -> None:
        return None

    async def export(self, member_id: uuid.UUID) -> dict[str, list[dict[str, Any]]]:
        return {}
