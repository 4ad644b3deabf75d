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


LETTERS = uuid.UUID("5d0f4f0e-3c57-4c42-9a2e-6f1f3f1d2b7a")


def letter_id_of(letter: DeadLetter) -> uuid.UUID:
    """The same input rejected for the same reason is one dead letter, however often a
    partner sends it again (a retry after a timeout): the id is its ``Nats-Msg-Id`` and the
    outbox key, so the stream and the outbox both keep it once."""
    key = f"{letter.original_subject}\n{letter.reason}\n{letter.original_payload}"
    return uuid.uuid5(LETTERS, key)


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
        subject, stream, headers, body, letter_id = dead_letter_message(self.region, letter)
        await self._enqueue(subject, stream, headers, body, message_id=letter_id)


def dead_letter_message(
    region: str, letter: DeadLetter
) -> tuple[str, str, dict[str, str], bytes, uuid.UUID]:
    """Subject, stream, headers, body and message id of a dead letter, for the outbox."""
    letter_id = letter_id_of(letter)
    return (
        deadletter_subject(region, SERVICE),
        stream_name(region, DEADLETTER),
        {MSG_ID_HEADER: f"{SERVICE}:{letter_id}:dead"},
        letter.model_dump_json().encode(),
        letter_id,
    )
