"""Partner messages written a batch at a time, through the same use case as one at a time.

:class:`BatchUnitOfWork` runs ``handle_partner_message`` for each message of a batch against
repositories that do not write: they answer from what one query per table read for the whole
batch (plus what the batch's earlier messages changed), and keep every change in memory. Each
message's ``async with uow`` block is a segment of its own: a block that raises is forgotten
alone, as a savepoint would be. :meth:`BatchUnitOfWork.flush` then writes all kept changes
with one statement (or one pipelined ``executemany``) per table, in one transaction: members,
their consents, requests and offers, activity, outbox rows in the order they were emitted,
rejection counts.

Only member registrations, requests and offers (and whatever is rejected before it reaches
the database) take this path: organisations and partner commands use repositories this unit
of work does not buffer (``batchable``). A stored row the reads did not see (another replica
wrote it meanwhile) fails the flush with a unique violation; the caller then writes the batch
message by message.
"""

from __future__ import annotations

import uuid
import weakref
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import TracebackType
from typing import Any, Self, cast

import asyncpg

from dorp_registration.adapters.batch_write import write_batch
from dorp_registration.adapters.help import PgHelpRepository
from dorp_registration.adapters.members import ACTIVITY_STEP, PgMemberRepository
from dorp_registration.adapters.rejections import dead_letter_message
from dorp_registration.domain.help import HelpItem
from dorp_registration.domain.members import Member
from dorp_registration.domain.records import Source, help_id_of, member_id_of
from dorp_registration.ports.members import ConsentRecord
from dorp_shared.contracts.deadletter import DeadLetter
from dorp_shared.contracts.events import Side
from dorp_shared.regions import Region
from dorp_shared.uow import OutboxRow, PgUnitOfWork

HELP_SIDES: dict[str, Side] = {"help_request": "request", "help_offer": "offer"}
BATCHED_EVENTS = frozenset({"member_registration", *HELP_SIDES})
"""Partner events whose use case only touches what this unit of work buffers."""


@dataclass
class _Changes:
    """What committed blocks (or the open one) changed, in order."""

    members: dict[uuid.UUID, Member] = field(default_factory=dict)
    """Each member as the batch left it: what later messages of the batch see."""
    new_members: list[tuple[Member, str | None]] = field(default_factory=list)
    saved_members: list[Member] = field(default_factory=list)
    consents: list[tuple[uuid.UUID, ConsentRecord]] = field(default_factory=list)
    touched: list[tuple[uuid.UUID, datetime]] = field(default_factory=list)
    new_help: list[tuple[HelpItem, Source | None]] = field(default_factory=list)
    help_keys: set[tuple[Side, uuid.UUID]] = field(default_factory=set)
    outbox: list[OutboxRow] = field(default_factory=list)
    rejected: list[tuple[str, datetime]] = field(default_factory=list)

    def extend(self, other: _Changes) -> None:
        self.members.update(other.members)
        self.new_members += other.new_members
        self.saved_members += other.saved_members
        self.consents += other.consents
        self.touched += other.touched
        self.new_help += other.new_help
        self.help_keys |= other.help_keys
        self.outbox += other.outbox
        self.rejected += other.rejected


class BatchUnitOfWork(PgUnitOfWork):
    """A unit of work per message, a transaction per batch (see the module docstring)."""

    members: _BufferedMembers
    help: _BufferedHelp
    rejections: _BufferedRejections

    def __init__(self, pool: asyncpg.Pool, **kwargs: Any) -> None:
        super().__init__(pool, **kwargs)
        self._done = _Changes()
        self._open: _Changes | None = None
        self._known_members: dict[uuid.UUID, Member | None] = {}
        self._known_help: dict[tuple[Side, uuid.UUID], bool] = {}
        self._quiet: dict[uuid.UUID, datetime] = {}
        """Members ``read`` found without a retention warning: their stored activity."""
        # The repositories refer back to their unit of work weakly: a cycle would keep each
        # batch's members, items and outbox rows alive until the cyclic garbage collector
        # runs, and collecting them cost registration a tenth of its CPU under load.
        this = cast(BatchUnitOfWork, weakref.proxy(self))
        self.members = _BufferedMembers(this)
        self.help = _BufferedHelp(this)
        self.rejections = _BufferedRejections(this)

    async def read(self, conn: asyncpg.Connection, region: Region, sent: Iterable[Sent]) -> None:
        """Read, in one query per table, the members and items the messages refer to."""
        self.conn = conn
        member_ids: set[uuid.UUID] = set()
        help_ids: set[tuple[Side, uuid.UUID]] = set()
        for partner_id, event, data in sent:
            member_ids.update(_member_ids(region, partner_id, event, data))
            help_ids.update(_help_ids(region, partner_id, event, data))
        found, warned = await PgMemberRepository(conn).get_many(member_ids)
        self._known_members = {member_id: found.get(member_id) for member_id in member_ids}
        self._quiet = {
            member_id: member.last_active_at
            for member_id, member in found.items()
            if member_id not in warned
        }
        stored = await PgHelpRepository(conn).existing(help_ids) if help_ids else set()
        self._known_help = {key: key in stored for key in help_ids}

    async def __aenter__(self) -> Self:
        self._open = _Changes()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None and self._open is not None:
            self._done.extend(self._open)
            self._emitted += len(self._open.outbox)
        self._open = None

    @property
    def changes(self) -> _Changes:
        if self._open is None:
            raise RuntimeError("changes are made inside `async with uow`")
        return self._open

    async def enqueue(
        self,
        subject: str,
        stream: str,
        headers: dict[str, str],
        body: bytes,
        *,
        message_id: uuid.UUID,
    ) -> None:
        self.changes.outbox.append(OutboxRow(message_id, subject, stream, headers, body))

    async def member(self, member_id: uuid.UUID) -> Member | None:
        for changes in (self._open, self._done):
            if changes is not None and member_id in changes.members:
                return changes.members[member_id]
        if member_id not in self._known_members:  # not foreseen by ``read``
            self._known_members[member_id] = await PgMemberRepository(self.conn).get(member_id)
        return self._known_members[member_id]

    async def help_stored(self, side: Side, help_id: uuid.UUID) -> bool:
        key = (side, help_id)
        for changes in (self._open, self._done):
            if changes is not None and key in changes.help_keys:
                return True
        if key not in self._known_help:
            stored = await PgHelpRepository(self.conn).existing([key])
            self._known_help[key] = key in stored
        return self._known_help[key]

    async def flush(self, conn: asyncpg.Connection) -> None:
        """Write every kept change, in one statement (its own transaction)."""
        done = self._done
        await write_batch(
            conn,
            new_members=done.new_members,
            latest=done.members,
            changed=done.saved_members,
            touched=[
                (member_id, at) for member_id, at in done.touched if self._moves(member_id, at)
            ],
            consents=done.consents,
            new_help=done.new_help,
            outbox=done.outbox,
            rejected=done.rejected,
        )

    def _moves(self, member_id: uuid.UUID, at: datetime) -> bool:
        """Whether activity at ``at`` may move the member's stored activity on (as
        ``ACTIVITY_MOVES`` tells in SQL, which still decides): not for a member read without
        a warning and active within the step. Such rows are not sent at all, so a batch of
        requests by members registered moments before updates no member."""
        stored = self._quiet.get(member_id)
        return stored is None or stored < at - ACTIVITY_STEP

    def committed(self) -> None:
        """Call after the commit: wakes the outbox relay if messages were queued."""
        if self._emitted:
            self._on_commit()


class _BufferedMembers:
    def __init__(self, uow: BatchUnitOfWork) -> None:
        self._uow = uow

    async def get(self, member_id: uuid.UUID) -> Member | None:
        return await self._uow.member(member_id)

    async def add(self, member: Member, external_id: str | None = None) -> bool:
        if await self._uow.member(member.member_id) is not None:
            return False
        changes = self._uow.changes
        changes.members[member.member_id] = member
        changes.new_members.append((member, external_id))
        return True

    async def save(self, member: Member) -> None:
        changes = self._uow.changes
        changes.members[member.member_id] = member
        changes.saved_members.append(member)

    async def record_consent(self, member_id: uuid.UUID, record: ConsentRecord) -> None:
        self._uow.changes.consents.append((member_id, record))

    async def touch(self, member_id: uuid.UUID, at: datetime) -> None:
        self._uow.changes.touched.append((member_id, at))


class _BufferedHelp:
    def __init__(self, uow: BatchUnitOfWork) -> None:
        self._uow = uow

    async def add(self, item: HelpItem, source: Source | None = None) -> bool:
        if await self._uow.help_stored(item.side, item.help_id):
            return False
        changes = self._uow.changes
        changes.new_help.append((item, source))
        changes.help_keys.add((item.side, item.help_id))
        return True


class _BufferedRejections:
    def __init__(self, uow: BatchUnitOfWork) -> None:
        self._uow = uow

    async def record(self, letter: DeadLetter) -> None:
        changes = self._uow.changes
        changes.rejected.append((letter.reason, letter.failed_at))
        subject, stream, headers, body, letter_id = dead_letter_message(self._uow.region, letter)
        changes.outbox.append(OutboxRow(letter_id, subject, stream, headers, body))


Sent = tuple[str, str, Mapping[str, Any] | None]
"""A partner message as far as ``read`` needs it: partner id, event name, its JSON object
(None if the body is not one)."""


def _member_ids(
    region: Region, partner_id: str, event: str, data: Mapping[str, Any] | None
) -> list[uuid.UUID]:
    key = "external_id" if event == "member_registration" else "member_external_id"
    external_id = data.get(key) if data else None
    if event not in BATCHED_EVENTS or not isinstance(external_id, str):
        return []
    return [member_id_of(region, partner_id, external_id)]


def _help_ids(
    region: Region, partner_id: str, event: str, data: Mapping[str, Any] | None
) -> list[tuple[Side, uuid.UUID]]:
    side = HELP_SIDES.get(event)
    external_id = data.get("external_id") if data else None
    if side is None or not isinstance(external_id, str):
        return []
    return [(side, help_id_of(region, partner_id, side, external_id))]
