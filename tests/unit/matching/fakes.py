"""In-memory matching repositories and unit of work, for unit tests.

The fake unit of work rolls its state back when the block raises, as a transaction would,
so a ``NotReadyYet`` leaves neither the inbox mark nor any row behind.
"""

from __future__ import annotations

import copy
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from types import TracebackType
from typing import Self

from dorp_matching.domain.model import (
    ACTIVE_STATUSES,
    Candidate,
    Member,
    Offer,
    Proposal,
    Request,
    Waiting,
)
from dorp_shared.uow import FakeUnitOfWork


@dataclass
class State:
    members: dict[uuid.UUID, tuple[Member, datetime]] = field(default_factory=dict)
    requests: dict[uuid.UUID, Request] = field(default_factory=dict)
    offers: dict[uuid.UUID, Offer] = field(default_factory=dict)
    proposals: dict[uuid.UUID, Proposal] = field(default_factory=dict)

    def active(self) -> list[Proposal]:
        return [p for p in self.proposals.values() if p.status in ACTIVE_STATUSES]


class FakeMembers:
    def __init__(self, state: State) -> None:
        self.state = state

    async def get(self, member_id: uuid.UUID) -> Member | None:
        found = self.state.members.get(member_id)
        return found[0] if found else None

    async def save(self, member: Member, *, as_of: datetime) -> None:
        known = self.state.members.get(member.member_id)
        if known is None or known[1] <= as_of:
            self.state.members[member.member_id] = (member, as_of)


class FakeRequests:
    def __init__(self, state: State) -> None:
        self.state = state

    async def add(self, request: Request) -> Request:
        return self.state.requests.setdefault(request.request_id, request)

    async def waiting(self, kind: str) -> list[Waiting]:
        held = {p.request_id for p in self.state.active()}
        found = [
            Waiting(request=r, requester=self.state.members[r.member_id][0])
            for r in self.state.requests.values()
            if r.kind == kind and r.request_id not in held and r.member_id in self.state.members
        ]
        return sorted(found, key=lambda w: (w.request.requested_at, str(w.request.request_id)))


class FakeOffers:
    def __init__(self, state: State) -> None:
        self.state = state
        self.locked: list[str] = []

    async def add(self, offer: Offer) -> Offer:
        return self.state.offers.setdefault(offer.offer_id, offer)

    async def lock_kind(self, kind: str) -> None:
        self.locked.append(kind)

    async def candidates(self, kind: str) -> list[Candidate]:
        found = [self._candidate(o) for o in self.state.offers.values() if o.kind == kind]
        return [c for c in found if c is not None]

    async def candidate(self, offer_id: uuid.UUID) -> Candidate | None:
        offer = self.state.offers.get(offer_id)
        return self._candidate(offer) if offer else None

    def _candidate(self, offer: Offer) -> Candidate | None:
        helper = self.state.members.get(offer.member_id)
        if helper is None:
            return None
        active = self.state.active()
        return Candidate(
            offer=offer,
            helper=helper[0],
            offer_load=sum(1 for p in active if p.offer_id == offer.offer_id),
            helper_load=sum(1 for p in active if p.helper_id == offer.member_id),
        )


class FakeProposals:
    def __init__(self, state: State) -> None:
        self.state = state

    async def add(self, proposal: Proposal) -> bool:
        duplicate = proposal.proposal_id in self.state.proposals or any(
            p.request_id == proposal.request_id for p in self.state.active()
        )
        if duplicate:
            return False
        self.state.proposals[proposal.proposal_id] = proposal
        return True

    async def has_active(self, request_id: uuid.UUID) -> bool:
        return any(p.request_id == request_id for p in self.state.active())


class FakeMatchingUnitOfWork(FakeUnitOfWork):
    def __init__(self, region: str = "lochem") -> None:
        super().__init__(region=region, source="matching")
        self.state = State()
        self.members = FakeMembers(self.state)
        self.requests = FakeRequests(self.state)
        self.offers = FakeOffers(self.state)
        self.proposals = FakeProposals(self.state)

    async def __aenter__(self) -> Self:
        self._saved = (copy.deepcopy(self.state), set(self.inbox))
        return await super().__aenter__()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is not None:
            state, inbox = self._saved
            self.state.__dict__.update(state.__dict__)
            self.inbox = inbox
        await super().__aexit__(exc_type, exc, tb)
