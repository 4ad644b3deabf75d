"""Rejections: counted per reason, and their dead letters queued in the shared outbox, so the
count and the dead letter commit (or not) together and the relay publishes after commit."""

from __future__ import annotations

import uuid
from typing import Protocol

import asyncpg

from dorp_shared.contracts.deadletter import DeadLetter
from dorp_shared.contracts.envelope import MSG_ID_HEADER
from dorp_shared.contracts.subjects import DEADLETTER, deadletter_subject, stream_name

SERVICE = "registration"


class Enqueue(Protocol):
    async def __call__(
        self,
        subject: str,
        stream: str,
        headers: dict[str, str],
        body: bytes,
        *,
        message_id: uuid.UUID,
    ) -> None: ...


class PgRejectionLog:
    def __init__(self, conn: asyncpg.Connection, region: str, enqueue: Enqueue) -> None:
        self.conn = conn
        self.region = region
        self._enqueue = enqueue

    async def record(self, letter: DeadLetter) -> None:
        await self.conn.execute(
            "INSERT INTO rejections (reason, count, last_rejected_at) VALUES ($1, 1, $2)"
            " ON CONFLICT (reason) DO UPDATE SET count = rejections.count + 1,"
            " last_rejected_at = EXCLUDED.last_rejected_at",
            letter.reason,
            letter.failed_at,
        )
        letter_id = uuid.uuid4()
        await self._enqueue(
            deadletter_subject(self.region, SERVICE),
            stream_name(self.region, DEADLETTER),
            {MSG_ID_HEADER: f"{SERVICE}:{letter_id}:dead"},
            letter.model_dump_json().encode(),
            message_id=letter_id,
        )
