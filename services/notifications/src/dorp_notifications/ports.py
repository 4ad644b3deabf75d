"""The ports handlers depend on; adapters implement them for PostgreSQL, SMTP and SMS."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from dorp_notifications.domain.letters import Letter
from dorp_notifications.domain.model import (
    Delivery,
    OutgoingMail,
    OutgoingSms,
    Proposal,
    Recipient,
    Session,
)
from dorp_shared.contracts import ContactDetails
from dorp_shared.uow import UnitOfWork


class RecipientRepository(Protocol):
    async def save(self, recipient: Recipient) -> None:
        """Insert or replace the recipient's contact details (an erased one stays erased)."""
        ...

    async def get(self, member_id: uuid.UUID) -> Recipient | None:
        """The recipient, an erased one (``erased``, no contact details) or None if unknown."""
        ...

    async def update_contact(
        self, member_id: uuid.UUID, contact: ContactDetails, language: str, role: str
    ) -> bool:
        """New contact details, language and role; False if unknown or erased."""
        ...

    async def set_consent(self, member_id: uuid.UUID, notifications: bool) -> None:
        """Without consent the e-mail address and phone number are deleted too: they are
        kept only to notify. The member's next update brings them back."""
        ...

    async def set_digest(self, member_id: uuid.UUID, digest: bool) -> bool:
        """False if the member is unknown or erased."""
        ...

    async def connectors(self) -> list[Recipient]:
        """Every known connector who is not erased."""
        ...

    async def erase(self, member_id: uuid.UUID) -> None:
        """Delete the contact details, keeping the id as a tombstone."""
        ...


class ProposalRepository(Protocol):
    async def save(self, proposal: Proposal) -> None: ...

    async def get(self, proposal_id: uuid.UUID) -> Proposal | None: ...

    async def reviewed(self, proposal_id: uuid.UUID) -> None:
        """The connector's review is over (approved, rejected or changed)."""
        ...

    async def accept(self, proposal_id: uuid.UUID, side: str) -> tuple[str, ...]:
        """Record one side's yes; return every side that said yes so far."""
        ...


class SessionRepository(Protocol):
    async def save_initiative(self, initiative_id: uuid.UUID, name: str) -> None: ...

    async def save_session(
        self,
        session_id: uuid.UUID,
        initiative_id: uuid.UUID,
        starts_at: dt.datetime,
        ends_at: dt.datetime,
        place: str,
    ) -> None: ...

    async def get(self, session_id: uuid.UUID) -> Session | None:
        """The session with its initiative's name (None if that is unknown)."""
        ...

    async def join(self, session_id: uuid.UUID, member_id: uuid.UUID) -> None: ...

    async def leave(self, session_id: uuid.UUID, member_id: uuid.UUID) -> None: ...

    async def members(self, session_id: uuid.UUID) -> list[uuid.UUID]: ...


class DialogueRepository(Protocol):
    async def save_table(
        self, table_id: uuid.UUID, topic: str, group_ids: Sequence[uuid.UUID]
    ) -> None: ...

    async def join_group(self, group_id: uuid.UUID, member_id: uuid.UUID) -> None: ...

    async def table(self, table_id: uuid.UUID) -> tuple[str, list[uuid.UUID]] | None:
        """The table's topic and the members of its groups; None if the table is unknown."""
        ...


@dataclass(frozen=True)
class Planned:
    """A delivery to record, with its letter and when it may go out."""

    delivery: Delivery
    letter: Letter | None
    due_at: dt.datetime
    topic_id: uuid.UUID | None = None
    """What a held message is about (the session of a reminder), to cancel it."""


@dataclass(frozen=True)
class Due:
    """A claimed delivery: its letter, its attempt number and the recipient as they are now."""

    delivery: Delivery
    letter: Letter
    attempts: int
    recipient: Recipient


@dataclass(frozen=True)
class Pending:
    """A delivery still to be sent, and when it is (next) due."""

    delivery: Delivery
    due_at: dt.datetime


class DeliveryRepository(Protocol):
    async def record(self, planned: Planned) -> tuple[Delivery, bool]:
        """Record a planned delivery unless one exists for its (cause, recipient, channel);
        return the one stored and whether it was created now."""
        ...

    async def cancel_pending(self, recipient_id: uuid.UUID, reason: str) -> list[Delivery]:
        """Suppress every delivery to this recipient still pending; return them."""
        ...

    async def cancel_about(
        self, topic_id: uuid.UUID, reason: str, recipient_id: uuid.UUID | None = None
    ) -> list[Delivery]:
        """Suppress what is pending about a session (for one recipient, or for all)."""
        ...

    async def claim_due(self, now: dt.datetime, limit: int, lease: dt.timedelta) -> list[Due]:
        """Claim up to ``limit`` pending deliveries due at ``now``, skipping rows another
        sender holds, and hold them for ``lease`` (a crashed sender's come back then)."""
        ...

    async def extend_lease(
        self, ids: Sequence[uuid.UUID], held_until: dt.datetime, until: dt.datetime
    ) -> None:
        """Those of ``ids`` still pending and held until ``held_until`` are held until
        ``until`` (a retried or postponed row has another time and is left alone)."""
        ...

    async def retry_at(self, notification_id: uuid.UUID, at: dt.datetime, error: str) -> None:
        """Leave it pending, to be tried again at ``at``."""
        ...

    async def postpone(self, notification_id: uuid.UUID, at: dt.datetime, held: str) -> None:
        """Not an attempt: it may not go out before ``at`` (quiet hours)."""
        ...

    async def pending_for(self, recipient_id: uuid.UUID, limit: int) -> list[Pending]:
        """What is still to be sent to this recipient, the soonest first."""
        ...


@dataclass(frozen=True)
class InboxMessage:
    message_id: uuid.UUID
    member_id: uuid.UUID
    template: str
    language: str
    subject: str
    text: str
    created_at: dt.datetime
    read_at: dt.datetime | None = None


class InboxRepository(Protocol):
    async def add(self, message: InboxMessage) -> None: ...

    async def list(
        self, member_id: uuid.UUID, *, unread_only: bool, limit: int
    ) -> list[InboxMessage]: ...

    async def mark_read(
        self, member_id: uuid.UUID, message_ids: Sequence[uuid.UUID], at: dt.datetime
    ) -> int:
        """How many of the member's messages were unread and are read now."""
        ...

    async def delete_for(self, member_id: uuid.UUID) -> None: ...


@dataclass(frozen=True)
class Retry:
    """A delivery left pending after a transient failure, to be tried again at ``at``."""

    notification_id: uuid.UUID
    at: dt.datetime
    error: str


@dataclass(frozen=True)
class Finished:
    """A delivery out of ``sending``: ``delivery`` carries its final status and reason."""

    delivery: Delivery
    error: str | None = None
    """A failure's detail, for its dead letter."""
    inbox: InboxMessage | None = None
    """The in-app message a sent ``app`` delivery leaves."""


class NotificationsUnitOfWork(UnitOfWork, Protocol):
    @property
    def recipients(self) -> RecipientRepository: ...

    @property
    def deliveries(self) -> DeliveryRepository: ...

    @property
    def proposals(self) -> ProposalRepository: ...

    @property
    def sessions(self) -> SessionRepository: ...

    @property
    def dialogue(self) -> DialogueRepository: ...

    @property
    def inbox_messages(self) -> InboxRepository: ...

    async def dead_letter(self, reason: str, detail: str, delivery: Delivery) -> None:
        """Queue a dead letter about this delivery (ids only) in this transaction."""
        ...

    async def conclude(
        self, retries: Sequence[Retry], finished: Sequence[Finished]
    ) -> set[uuid.UUID]:
        """The outcomes of a group of sends, recorded at once in a unit of work of its own
        (call it outside ``async with``): the retries rescheduled, the finished deliveries
        moved out of ``sending`` (letters deleted), and for each of those that was still
        pending its in-app message, its dead letter when it failed, and its
        ``NotificationSent`` (none for erased members). Returns the ids finished now; a
        delivery cancelled meanwhile (consent withdrawn, erased) is left as it is."""
        ...


class MailSender(Protocol):
    async def send(self, mail: OutgoingMail) -> None:
        """Hand the mail to the mail server. Raises :class:`PermanentFailure` when retrying
        cannot help; any other exception is transient."""
        ...

    async def send_many(self, mails: Sequence[OutgoingMail]) -> list[Exception | None]:
        """Hand several mails over at once (as few writes as the server allows); returns
        each mail's failure as :meth:`send` would raise it, or None when it was accepted."""
        ...


class SmsSender(Protocol):
    async def send(self, sms: OutgoingSms) -> None:
        """Hand the text to the SMS gateway; exceptions as :meth:`MailSender.send`."""
        ...


class PermanentFailure(Exception):
    """The server refused this message for good (a refused recipient, a rejected number):
    retrying will not help."""
