"""asyncpg repositories of deliveries (with their pending letters) and the in-app inbox."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

import asyncpg

from dorp_notifications.adapters.repositories import RECIPIENT_COLUMNS
from dorp_notifications.domain.letters import letter_from_json, letter_to_json
from dorp_notifications.domain.model import Delivery, DeliveryStatus, Recipient
from dorp_notifications.ports import Due, Finished, InboxMessage, Pending, Planned, Retry
from dorp_shared.uow import OutboxRow, outbox_columns

_COLUMNS = (
    "notification_id, cause_event_id, recipient_id, channel, template, language, status,"
    " reason, channel_reason, held, correlation_id"
)
_FINISHED = "finished_at = now(), letter = NULL"
"""Once a delivery is no longer pending, its letter (names, contact details) goes."""

CONCLUDE = (
    "WITH retried AS (UPDATE deliveries d SET next_attempt_at = r.at, last_error = r.error"
    " FROM unnest($1::uuid[], $2::timestamptz[], $3::text[]) AS r (id, at, error)"
    " WHERE d.notification_id = r.id AND d.status = 'sending'),"
    f" finished AS (UPDATE deliveries d SET status = x.status, reason = x.reason, {_FINISHED}"
    " FROM unnest($4::uuid[], $5::text[], $6::text[]) AS x (id, status, reason)"
    " WHERE d.notification_id = x.id AND d.status = 'sending' RETURNING d.notification_id),"
    " inboxed AS (INSERT INTO member_messages (message_id, member_id, template, language,"
    " subject, body_text, created_at) SELECT * FROM unnest($7::uuid[], $8::uuid[], $9::text[],"
    " $10::text[], $11::text[], $12::text[], $13::timestamptz[])"
    " AS m (message_id, member_id, template, language, subject, body_text, created_at)"
    " WHERE m.message_id IN (SELECT notification_id FROM finished)"
    " ON CONFLICT (message_id) DO NOTHING),"
    " queued AS (INSERT INTO outbox (event_id, subject, stream, headers, body)"
    " SELECT event_id, subject, stream, headers, body FROM unnest($14::uuid[], $15::uuid[],"
    " $16::text[], $17::text[], $18::jsonb[], $19::bytea[]) WITH ORDINALITY"
    " AS q (about, event_id, subject, stream, headers, body, n)"
    " WHERE q.about IN (SELECT notification_id FROM finished)"
    " ORDER BY n ON CONFLICT (event_id) DO NOTHING)"
    " SELECT notification_id FROM finished"
)
"""A group of outcomes as one statement (so one transaction, one round trip): retries
rescheduled, deliveries finished if still pending, and only for those their in-app
messages and their outbox rows (``about``: the delivery each row is about)."""


async def conclude(
    conn: asyncpg.Connection,
    retries: Sequence[Retry],
    finished: Sequence[Finished],
    outbox: Sequence[tuple[uuid.UUID, OutboxRow]],
) -> set[uuid.UUID]:
    """Run :data:`CONCLUDE`; returns the ids finished now."""
    inbox = [f.inbox for f in finished if f.inbox is not None]
    rows = await conn.fetch(
        CONCLUDE,
        [r.notification_id for r in retries],
        [r.at for r in retries],
        [r.error for r in retries],
        [f.delivery.notification_id for f in finished],
        [f.delivery.status.value for f in finished],
        [f.delivery.reason for f in finished],
        [m.message_id for m in inbox],
        [m.member_id for m in inbox],
        [m.template for m in inbox],
        [m.language for m in inbox],
        [m.subject for m in inbox],
        [m.text for m in inbox],
        [m.created_at for m in inbox],
        [about for about, _ in outbox],
        *outbox_columns([row for _, row in outbox]),
    )
    return {row[0] for row in rows}


class PgDeliveryRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def record(self, planned: Planned) -> tuple[Delivery, bool]:
        d = planned.delivery
        pending = d.status is DeliveryStatus.SENDING
        created = await self.conn.fetchval(
            "INSERT INTO deliveries (notification_id, cause_event_id, recipient_id, channel,"
            " template, language, status, reason, channel_reason, held, next_attempt_at,"
            " letter, topic_id, correlation_id, finished_at)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12::jsonb, $13, $14,"
            " CASE WHEN $7 = 'sending' THEN NULL ELSE now() END)"
            " ON CONFLICT DO NOTHING RETURNING true",
            d.notification_id,
            d.cause_event_id,
            d.recipient_id,
            d.channel,
            d.template,
            d.language,
            d.status.value,
            d.reason,
            d.channel_reason,
            d.held,
            planned.due_at,
            letter_to_json(planned.letter) if pending and planned.letter else None,
            planned.topic_id,
            d.correlation_id,
        )
        row = await self.conn.fetchrow(
            f"SELECT {_COLUMNS} FROM deliveries"
            " WHERE cause_event_id = $1 AND recipient_id = $2 AND channel = $3",
            d.cause_event_id,
            d.recipient_id,
            d.channel,
        )
        if row is None:  # another channel was chosen the first time; that one stands
            row = await self.conn.fetchrow(
                f"SELECT {_COLUMNS} FROM deliveries WHERE notification_id = $1",
                d.notification_id,
            )
        assert row is not None, "inserted or already present"
        return _delivery(row), bool(created)

    async def cancel_pending(self, recipient_id: uuid.UUID, reason: str) -> list[Delivery]:
        rows = await self.conn.fetch(
            f"UPDATE deliveries SET status = 'suppressed', reason = $2, {_FINISHED}"
            f" WHERE recipient_id = $1 AND status = 'sending' RETURNING {_COLUMNS}",
            recipient_id,
            reason,
        )
        return [_delivery(row) for row in rows]

    async def cancel_about(
        self, topic_id: uuid.UUID, reason: str, recipient_id: uuid.UUID | None = None
    ) -> list[Delivery]:
        rows = await self.conn.fetch(
            f"UPDATE deliveries SET status = 'suppressed', reason = $2, {_FINISHED}"
            " WHERE topic_id = $1 AND status = 'sending'"
            f" AND ($3::uuid IS NULL OR recipient_id = $3) RETURNING {_COLUMNS}",
            topic_id,
            reason,
            recipient_id,
        )
        return [_delivery(row) for row in rows]

    async def claim_due(self, now: dt.datetime, limit: int, lease: dt.timedelta) -> list[Due]:
        rows = await self.conn.fetch(
            "WITH due AS (SELECT notification_id FROM deliveries"
            " WHERE status = 'sending' AND next_attempt_at <= $1 AND letter IS NOT NULL"
            " ORDER BY next_attempt_at LIMIT $2 FOR UPDATE SKIP LOCKED)"
            " UPDATE deliveries d SET next_attempt_at = $1 + $3::interval,"
            " attempts = d.attempts + 1 FROM due WHERE d.notification_id = due.notification_id"
            " RETURNING d.notification_id, d.cause_event_id, d.recipient_id, d.channel,"
            " d.template, d.language, d.status, d.reason, d.channel_reason, d.held,"
            " d.correlation_id,"
            " d.attempts, d.letter::text AS letter",
            now,
            limit,
            lease,
        )
        if not rows:
            return []
        people = await self._recipients({row["recipient_id"] for row in rows})
        return [
            Due(
                delivery=_delivery(row),
                letter=letter_from_json(row["letter"]),
                attempts=row["attempts"],
                recipient=people[row["recipient_id"]],
            )
            for row in rows
        ]

    async def _recipients(self, ids: set[uuid.UUID]) -> dict[uuid.UUID, Recipient]:
        rows = await self.conn.fetch(
            f"SELECT {RECIPIENT_COLUMNS} FROM recipients WHERE member_id = ANY($1::uuid[])",
            list(ids),
        )
        return {row["member_id"]: Recipient(**dict(row)) for row in rows}

    async def extend_lease(
        self, ids: Sequence[uuid.UUID], held_until: dt.datetime, until: dt.datetime
    ) -> None:
        await self.conn.execute(
            "UPDATE deliveries SET next_attempt_at = $3 WHERE notification_id = ANY($1::uuid[])"
            " AND status = 'sending' AND next_attempt_at = $2",
            list(ids),
            held_until,
            until,
        )

    async def retry_at(self, notification_id: uuid.UUID, at: dt.datetime, error: str) -> None:
        await self.conn.execute(
            "UPDATE deliveries SET next_attempt_at = $2, last_error = $3"
            " WHERE notification_id = $1 AND status = 'sending'",
            notification_id,
            at,
            error,
        )

    async def postpone(self, notification_id: uuid.UUID, at: dt.datetime, held: str) -> None:
        await self.conn.execute(
            "UPDATE deliveries SET next_attempt_at = $2, held = $3,"
            " attempts = greatest(attempts - 1, 0)"
            " WHERE notification_id = $1 AND status = 'sending'",
            notification_id,
            at,
            held,
        )

    async def pending_for(self, recipient_id: uuid.UUID, limit: int) -> list[Pending]:
        rows = await self.conn.fetch(
            f"SELECT {_COLUMNS}, next_attempt_at FROM deliveries"
            " WHERE recipient_id = $1 AND status = 'sending'"
            " ORDER BY next_attempt_at, notification_id LIMIT $2",
            recipient_id,
            limit,
        )
        return [Pending(_delivery(row), row["next_attempt_at"]) for row in rows]


class PgInboxRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def add(self, message: InboxMessage) -> None:
        await self.conn.execute(
            "INSERT INTO member_messages (message_id, member_id, template, language, subject,"
            " body_text, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)"
            " ON CONFLICT (message_id) DO NOTHING",
            message.message_id,
            message.member_id,
            message.template,
            message.language,
            message.subject,
            message.text,
            message.created_at,
        )

    async def list(
        self, member_id: uuid.UUID, *, unread_only: bool, limit: int
    ) -> list[InboxMessage]:
        rows = await self.conn.fetch(
            "SELECT message_id, member_id, template, language, subject, body_text AS text,"
            " created_at, read_at FROM member_messages"
            " WHERE member_id = $1 AND (NOT $2 OR read_at IS NULL)"
            " ORDER BY created_at DESC, message_id LIMIT $3",
            member_id,
            unread_only,
            limit,
        )
        return [InboxMessage(**dict(row)) for row in rows]

    async def mark_read(
        self, member_id: uuid.UUID, message_ids: Sequence[uuid.UUID], at: dt.datetime
    ) -> int:
        marked = await self.conn.fetchval(
            "WITH marked AS (UPDATE member_messages SET read_at = $3"
            " WHERE member_id = $1 AND message_id = ANY($2::uuid[]) AND read_at IS NULL"
            " RETURNING 1) SELECT count(*) FROM marked",
            member_id,
            list(message_ids),
            at,
        )
        return int(marked or 0)

    async def delete_for(self, member_id: uuid.UUID) -> None:
        await self.conn.execute("DELETE FROM member_messages WHERE member_id = $1", member_id)


def _delivery(row: asyncpg.Record) -> Delivery:
    return Delivery(
        notification_id=row["notification_id"],
        cause_event_id=row["cause_event_id"],
        recipient_id=row["recipient_id"],
        channel=row["channel"],
        template=row["template"],
        language=row["language"],
        status=DeliveryStatus(row["status"]),
        reason=row["reason"],
        channel_reason=row["channel_reason"],
        held=row["held"],
        correlation_id=row["correlation_id"],
    )
