"""In-memory edges for the notifications handlers and dispatcher: repositories, unit of
work, mailer and SMS gateway."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace

from dorp_notifications.domain.letters import Letter
from dorp_notifications.domain.model import (
    Delivery,
    DeliveryStatus,
    OutgoingMail,
    OutgoingSms,
    Proposal,
    Recipient,
    Session,
)
from dorp_notifications.ports import Due, Finished, InboxMessage, Pending, Planned, Retry
from dorp_notifications.sending import publish_outcome
from dorp_shared.contracts import ContactDetails
from dorp_shared.uow import FakeUnitOfWork

PENDING = DeliveryStatus.SENDING


class FakeRecipients:
    def __init__(self) -> None:
        self.rows: dict[uuid.UUID, Recipient] = {}

    async def save(self, recipient: Recipient) -> None:
        stored = self.rows.get(recipient.member_id)
        if stored is None or not stored.erased:
            self.rows[recipient.member_id] = recipient

    async def get(self, member_id: uuid.UUID) -> Recipient | None:
        return self.rows.get(member_id)

    async def update_contact(
        self, member_id: uuid.UUID, contact: ContactDetails, language: str, role: str
    ) -> bool:
        stored = self.rows.get(member_id)
        if stored is None or stored.erased:
            return False
        self.rows[member_id] = replace(
            stored,
            display_name=contact.display_name,
            email=contact.email,
            phone=contact.phone,
            channel=contact.channel,
            preferred_language=language,
            role=role,
        )
        return True

    async def set_consent(self, member_id: uuid.UUID, notifications: bool) -> None:
        stored = self.rows.get(member_id)
        if stored is not None and not stored.erased:
            contact = {} if notifications else {"email": None, "phone": None}
            self.rows[member_id] = replace(stored, consents_notifications=notifications, **contact)

    async def set_digest(self, member_id: uuid.UUID, digest: bool) -> bool:
        stored = self.rows.get(member_id)
        if stored is None or stored.erased:
            return False
        self.rows[member_id] = replace(stored, digest=digest)
        return True

    async def connectors(self) -> list[Recipient]:
        return [r for r in self.rows.values() if r.role == "connector" and not r.erased]

    async def erase(self, member_id: uuid.UUID) -> None:
        self.rows[member_id] = Recipient(member_id, "", None, None, "email", "", False, True)


@dataclass
class Row:
    delivery: Delivery
    letter: Letter | None
    due_at: dt.datetime
    topic_id: uuid.UUID | None
    attempts: int = 0
    last_error: str | None = None


class FakeDeliveries:
    def __init__(self, recipients: FakeRecipients) -> None:
        self.rows: dict[uuid.UUID, Row] = {}
        self._recipients = recipients

    def by_status(self, status: DeliveryStatus) -> list[Delivery]:
        return [row.delivery for row in self.rows.values() if row.delivery.status is status]

    async def record(self, planned: Planned) -> tuple[Delivery, bool]:
        d = planned.delivery
        for row in self.rows.values():
            same = (row.delivery.cause_event_id, row.delivery.recipient_id)
            if same == (d.cause_event_id, d.recipient_id):
                return row.delivery, False
        letter = planned.letter if d.status is PENDING else None
        self.rows[d.notification_id] = Row(d, letter, planned.due_at, planned.topic_id)
        return d, True

    def _finish(self, row: Row, status: DeliveryStatus, reason: str | None) -> Delivery:
        row.delivery = replace(row.delivery, status=status, reason=reason)
        row.letter = None
        return row.delivery

    async def _mark(
        self, notification_id: uuid.UUID, status: DeliveryStatus, reason: str | None
    ) -> bool:
        row = self.rows.get(notification_id)
        if row is None or row.delivery.status is not PENDING:
            return False
        self._finish(row, status, reason)
        return True

    async def finish(
        self, outcomes: Sequence[tuple[uuid.UUID, DeliveryStatus, str | None]]
    ) -> set[uuid.UUID]:
        return {
            notification_id
            for notification_id, status, reason in outcomes
            if await self._mark(notification_id, status, reason)
        }

    async def cancel_pending(self, recipient_id: uuid.UUID, reason: str) -> list[Delivery]:
        return [
            self._finish(row, DeliveryStatus.SUPPRESSED, reason)
            for row in self.rows.values()
            if row.delivery.recipient_id == recipient_id and row.delivery.status is PENDING
        ]

    async def cancel_about(
        self, topic_id: uuid.UUID, reason: str, recipient_id: uuid.UUID | None = None
    ) -> list[Delivery]:
        return [
            self._finish(row, DeliveryStatus.SUPPRESSED, reason)
            for row in self.rows.values()
            if row.topic_id == topic_id
            and row.delivery.status is PENDING
            and recipient_id in (None, row.delivery.recipient_id)
        ]

    async def claim_due(self, now: dt.datetime, limit: int, lease: dt.timedelta) -> list[Due]:
        due = sorted(
            (r for r in self.rows.values() if r.delivery.status is PENDING and r.due_at <= now),
            key=lambda r: r.due_at,
        )[:limit]
        claimed = []
        for row in due:
            row.due_at, row.attempts = now + lease, row.attempts + 1
            assert row.letter is not None
            recipient = self._recipients.rows[row.delivery.recipient_id]
            claimed.append(Due(row.delivery, row.letter, row.attempts, recipient))
        return claimed

    async def extend_lease(
        self, ids: Sequence[uuid.UUID], held_until: dt.datetime, until: dt.datetime
    ) -> None:
        for notification_id in ids:
            row = self.rows[notification_id]
            if row.delivery.status is PENDING and row.due_at == held_until:
                row.due_at = until

    async def retry_at(self, notification_id: uuid.UUID, at: dt.datetime, error: str) -> None:
        row = self.rows[notification_id]
        row.due_at, row.last_error = at, error

    async def postpone(self, notification_id: uuid.UUID, at: dt.datetime, held: str) -> None:
        row = self.rows[notification_id]
        row.due_at, row.attempts = at, max(0, row.attempts - 1)
        row.delivery = replace(row.delivery, held=held)

    async def pending_for(self, recipient_id: uuid.UUID, limit: int) -> list[Pending]:
        rows = sorted(
            (
                r
                for r in self.rows.values()
                if r.delivery.status is PENDING and r.delivery.recipient_id == recipient_id
            ),
            key=lambda r: r.due_at,
        )
        return [Pending(r.delivery, r.due_at) for r in rows[:limit]]


class FakeProposals:
    def __init__(self) -> None:
        self.rows: dict[uuid.UUID, Proposal] = {}

    async def save(self, proposal: Proposal) -> None:
        self.rows.setdefault(proposal.proposal_id, proposal)

    async def get(self, proposal_id: uuid.UUID) -> Proposal | None:
        return self.rows.get(proposal_id)

    async def reviewed(self, proposal_id: uuid.UUID) -> None:
        if proposal_id in self.rows:
            self.rows[proposal_id] = replace(self.rows[proposal_id], awaiting_review=False)

    async def accept(self, proposal_id: uuid.UUID, side: str) -> tuple[str, ...]:
        stored = self.rows.get(proposal_id)
        if stored is None:
            return ()
        sides = tuple(dict.fromkeys((*stored.accepted_sides, side)))
        self.rows[proposal_id] = replace(stored, accepted_sides=sides)
        return sides


class FakeSessions:
    def __init__(self) -> None:
        self.names: dict[uuid.UUID, str] = {}
        self.rows: dict[uuid.UUID, tuple[uuid.UUID, dt.datetime, dt.datetime, str]] = {}
        self.signed_up: set[tuple[uuid.UUID, uuid.UUID]] = set()

    async def save_initiative(self, initiative_id: uuid.UUID, name: str) -> None:
        self.names[initiative_id] = name

    async def save_session(
        self,
        session_id: uuid.UUID,
        initiative_id: uuid.UUID,
        starts_at: dt.datetime,
        ends_at: dt.datetime,
        place: str,
    ) -> None:
        self.rows[session_id] = (initiative_id, starts_at, ends_at, place)

    async def get(self, session_id: uuid.UUID) -> Session | None:
        if session_id not in self.rows:
            return None
        initiative_id, starts_at, ends_at, place = self.rows[session_id]
        return Session(session_id, self.names.get(initiative_id), starts_at, ends_at, place)

    async def join(self, session_id: uuid.UUID, member_id: uuid.UUID) -> None:
        self.signed_up.add((session_id, member_id))

    async def leave(self, session_id: uuid.UUID, member_id: uuid.UUID) -> None:
        self.signed_up.discard((session_id, member_id))

    async def members(self, session_id: uuid.UUID) -> list[uuid.UUID]:
        return sorted(m for s, m in self.signed_up if s == session_id)


class FakeDialogue:
    def __init__(self) -> None:
        self.tables: dict[uuid.UUID, tuple[str, tuple[uuid.UUID, ...]]] = {}
        self.groups: set[tuple[uuid.UUID, uuid.UUID]] = set()

    async def save_table(
        self, table_id: uuid.UUID, topic: str, group_ids: Sequence[uuid.UUID]
    ) -> None:
        self.tables[table_id] = (topic, tuple(group_ids))

    async def join_group(self, group_id: uuid.UUID, member_id: uuid.UUID) -> None:
        self.groups.add((group_id, member_id))

    async def table(self, table_id: uuid.UUID) -> tuple[str, list[uuid.UUID]] | None:
        if table_id not in self.tables:
            return None
        topic, group_ids = self.tables[table_id]
        return topic, sorted({m for g, m in self.groups if g in group_ids})


class FakeInbox:
    def __init__(self) -> None:
        self.rows: dict[uuid.UUID, InboxMessage] = {}

    async def add(self, message: InboxMessage) -> None:
        self.rows.setdefault(message.message_id, message)

    async def list(
        self, member_id: uuid.UUID, *, unread_only: bool, limit: int
    ) -> list[InboxMessage]:
        mine = [m for m in self.rows.values() if m.member_id == member_id]
        return [m for m in mine if not (unread_only and m.read_at)][:limit]

    async def mark_read(
        self, member_id: uuid.UUID, message_ids: Sequence[uuid.UUID], at: dt.datetime
    ) -> int:
        marked = 0
        for message_id in message_ids:
            message = self.rows.get(message_id)
            if message and message.member_id == member_id and message.read_at is None:
                self.rows[message_id] = replace(message, read_at=at)
                marked += 1
        return marked

    async def delete_for(self, member_id: uuid.UUID) -> None:
        for message_id in [k for k, m in self.rows.items() if m.member_id == member_id]:
            del self.rows[message_id]


class FakeNotificationsUnitOfWork(FakeUnitOfWork):
    def __init__(self) -> None:
        super().__init__(region="testregion", source="notifications")
        self.recipients = FakeRecipients()
        self.deliveries = FakeDeliveries(self.recipients)
        self.proposals = FakeProposals()
        self.sessions = FakeSessions()
        self.dialogue = FakeDialogue()
        self.inbox_messages = FakeInbox()
        self.dead_letters: list[tuple[str, uuid.UUID]] = []

    async def dead_letter(self, reason: str, detail: str, delivery: Delivery) -> None:
        self.dead_letters.append((reason, delivery.notification_id))

    async def conclude(
        self, retries: Sequence[Retry], finished: Sequence[Finished]
    ) -> set[uuid.UUID]:
        async with self:
            for retry in retries:
                await self.deliveries.retry_at(retry.notification_id, retry.at, retry.error)
            concluded = await self.deliveries.finish(
                [
                    (f.delivery.notification_id, f.delivery.status, f.delivery.reason)
                    for f in finished
                ]
            )
            for done in finished:
                delivery = done.delivery
                if delivery.notification_id not in concluded:
                    continue
                if done.inbox is not None:
                    await self.inbox_messages.add(done.inbox)
                if delivery.status is DeliveryStatus.FAILED:
                    await self.dead_letter(delivery.reason or "failed", done.error or "", delivery)
                await publish_outcome(self, delivery)
        return concluded


class FakeMailer:
    """Collects mails; fails the next ``fail_next`` sends with ``failure``."""

    def __init__(self) -> None:
        self.sent: list[OutgoingMail] = []
        self.fail_next = 0
        self.failure: Exception = ConnectionError("smtp down")

    async def send(self, mail: OutgoingMail) -> None:
        if self.fail_next:
            self.fail_next -= 1
            raise self.failure
        self.sent.append(mail)

    async def send_many(self, mails: Sequence[OutgoingMail]) -> list[Exception | None]:
        errors: list[Exception | None] = []
        for mail in mails:
            try:
                await self.send(mail)
            except Exception as exc:
                errors.append(exc)
            else:
                errors.append(None)
        return errors


class FakeSms:
    def __init__(self) -> None:
        self.sent: list[OutgoingSms] = []

    async def send(self, sms: OutgoingSms) -> None:
        self.sent.append(sms)
