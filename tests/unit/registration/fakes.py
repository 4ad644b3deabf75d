"""In-memory edges for registration's unit tests: repositories and a unit of work."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import datetime

from dorp_registration.domain.members import Member
from dorp_registration.domain.records import Source
from dorp_registration.ports.members import ConsentRecord
from dorp_shared.contracts.deadletter import DeadLetter
from dorp_shared.contracts.events import HelpOffered, HelpRequested
from dorp_shared.uow import FakeUnitOfWork


class FakeMembers:
    def __init__(self) -> None:
        self.rows: dict[uuid.UUID, Member] = {}
        self.consents: list[tuple[uuid.UUID, ConsentRecord]] = []

    async def get(self, member_id: uuid.UUID) -> Member | None:
        return self.rows.get(member_id)

    async def add(self, member: Member, external_id: str | None = None) -> bool:
        if member.member_id in self.rows:
            return False
        self.rows[member.member_id] = member
        return True

    async def save(self, member: Member) -> None:
        self.rows[member.member_id] = member

    async def record_consent(self, member_id: uuid.UUID, record: ConsentRecord) -> None:
        self.consents.append((member_id, record))

    async def touch(self, member_id: uuid.UUID, at: datetime) -> None:
        member = self.rows[member_id]
        self.rows[member_id] = replace(member, last_active_at=max(at, member.last_active_at))


class FakeHelp:
    def __init__(self) -> None:
        self.requests: dict[uuid.UUID, HelpRequested] = {}
        self.offers: dict[uuid.UUID, HelpOffered] = {}

    async def add_request(self, request: HelpRequested, source: Source) -> bool:
        return self.requests.setdefault(request.request_id, request) is request

    async def add_offer(self, offer: HelpOffered, source: Source) -> bool:
        return self.offers.setdefault(offer.offer_id, offer) is offer


class FakeRejections:
    def __init__(self) -> None:
        self.letters: list[DeadLetter] = []

    async def record(self, letter: DeadLetter) -> None:
        self.letters.append(letter)

    def counts(self) -> dict[str, int]:
        counted: dict[str, int] = {}
        for letter in self.letters:
            counted[letter.reason] = counted.get(letter.reason, 0) + 1
        return counted


class FakeRegistrationUnitOfWork(FakeUnitOfWork):
    def __init__(self, region: str) -> None:
        super().__init__(region=region, source="registration")
        self.members = FakeMembers()
        self.help = FakeHelp()
        self.rejections = FakeRejections()
