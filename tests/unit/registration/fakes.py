"""In-memory edges for registration's unit tests: repositories and a unit of work."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import datetime

from dorp_registration.domain.help import HelpItem
from dorp_registration.domain.members import Member
from dorp_registration.domain.organisations import Organisation
from dorp_registration.domain.records import Source
from dorp_registration.ports.members import ConsentRecord
from dorp_shared.contracts.deadletter import DeadLetter
from dorp_shared.contracts.events import Side
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
    """Requests and offers by (side, id); ``find`` is not needed by the unit tests."""

    def __init__(self) -> None:
        self.items: dict[tuple[Side, uuid.UUID], HelpItem] = {}

    def of_side(self, side: Side) -> list[HelpItem]:
        return [item for (stored, _), item in self.items.items() if stored == side]

    async def add(self, item: HelpItem, source: Source | None = None) -> bool:
        return self.items.setdefault((item.side, item.help_id), item) is item

    async def get(self, side: Side, help_id: uuid.UUID) -> HelpItem | None:
        return self.items.get((side, help_id))

    async def change_open(self, item: HelpItem) -> bool:
        key = (item.side, item.help_id)
        if self.items[key].state != "open":
            return False
        self.items[key] = item
        return True


class FakeOrganisations:
    def __init__(self) -> None:
        self.rows: dict[uuid.UUID, Organisation] = {}
        self.sources: dict[uuid.UUID, Source | None] = {}

    async def exists(self, organisation_id: uuid.UUID) -> bool:
        return organisation_id in self.rows

    async def get(self, organisation_id: uuid.UUID) -> Organisation | None:
        return self.rows.get(organisation_id)

    async def add(self, organisation: Organisation, source: Source | None = None) -> bool:
        if organisation.organisation_id in self.rows:
            return False
        self.rows[organisation.organisation_id] = organisation
        self.sources[organisation.organisation_id] = source
        return True

    async def save(self, organisation: Organisation) -> None:
        self.rows[organisation.organisation_id] = organisation

    async def holder_of_partner_id(self, partner_id: str) -> uuid.UUID | None:
        return next(
            (o.organisation_id for o in self.rows.values() if o.partner_id == partner_id), None
        )


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
        self.organisations = FakeOrganisations()
        self.rejections = FakeRejections()
