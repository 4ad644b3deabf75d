"""In-memory edges for registration's unit tests: repositories and a unit of work."""

from __future__ import annotations

import uuid

from dorp_registration.domain.records import MemberProfile, Source
from dorp_shared.contracts.deadletter import DeadLetter
from dorp_shared.contracts.events import HelpOffered, HelpRequested, MemberRegistered
from dorp_shared.uow import FakeUnitOfWork


class FakeMembers:
    def __init__(self) -> None:
        self.rows: dict[uuid.UUID, tuple[MemberRegistered, Source]] = {}

    async def profile(self, member_id: uuid.UUID) -> MemberProfile | None:
        found = self.rows.get(member_id)
        if found is None:
            return None
        member = found[0]
        return MemberProfile(member.member_id, member.home_area, member.languages)

    async def add(self, member: MemberRegistered, source: Source) -> bool:
        if member.member_id in self.rows:
            return False
        self.rows[member.member_id] = (member, source)
        return True


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
