"""What the registration handlers need from the outside world, as Protocols."""

from __future__ import annotations

import uuid
from typing import Protocol

from dorp_registration.domain.records import MemberProfile, Source
from dorp_shared.contracts.deadletter import DeadLetter
from dorp_shared.contracts.events import HelpOffered, HelpRequested, MemberRegistered
from dorp_shared.uow import UnitOfWork


class MemberRepository(Protocol):
    async def profile(self, member_id: uuid.UUID) -> MemberProfile | None: ...

    async def add(self, member: MemberRegistered, source: Source) -> bool:
        """Store a new member; False (and no change) if the id is already registered."""
        ...


class HelpRepository(Protocol):
    async def add_request(self, request: HelpRequested, source: Source) -> bool:
        """Store a new request; False (and no change) if the id is already registered."""
        ...

    async def add_offer(self, offer: HelpOffered, source: Source) -> bool:
        """Store a new offer; False (and no change) if the id is already registered."""
        ...


class RejectionLog(Protocol):
    async def record(self, letter: DeadLetter) -> None:
        """Count the rejection by reason and queue its dead letter for publishing."""
        ...


class RegistrationUnitOfWork(UnitOfWork, Protocol):
    members: MemberRepository
    help: HelpRepository
    rejections: RejectionLog
