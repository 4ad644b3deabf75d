"""In-memory matching repositories and unit of work, for unit tests.

The fake unit of work rolls its state back when the block raises, as a transaction would,
so a ``NotReadyYet`` leaves neither the inbox mark nor any row behind.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from types import TracebackType
from typing import Any, Self

from dorp_matching.domain.model import (
    ACTIVE_STATUSES,
    AWAITING_REVIEW,
    COMPLETED,
    CONFIRMED,
    DECLINED,
    PENDING_STATUSES,
    Candidate,
    CandidateSearch,
    History,
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
    erased: set[uuid.UUID] = field(default_factory=set)
    closed: set[uuid.UUID] = field(default_factory=set)
    consent_as_of: dict[uuid.UUID, datetime] = field(default_factory=dict)
    feedback: dict[uuid.UUID, dict[str, str]] = field(default_factory=dict)

    def active(self) -> list[Proposal]:
        return [p for p in self.proposals.values() if p.status in ACTIVE_STATUSES]

    def served(self) -> set[uuid.UUID]:
        return {
            p.request_id
            for p in self.proposals.values()
            if p.status in (*ACTIVE_STATUSES, COMPLETED)
        }

    def pairs(self, member_id: uuid.UUID, statuses: tuple[str, ...]) -> frozenset[uuid.UUID]:
        """The members this one was in a proposal with, in one of these statuses."""
        pairs = [
            (p.requester_id, p.helper_id) for p in self.proposals.values() if p.status in statuses
        ]
        return frozenset(b if a == member_id else a for a, b in pairs if member_id in (a, b))


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

    async def update_profile(self, member: Member, *, as_of: datetime) -> bool:
        known = self.state.members.get(member.member_id)
        if known is None:
            return False
        if known[1] <= as_of:
            updated = replace(
                member,
                consents_matching=known[0].consents_matching,
                registered_by=known[0].registered_by,
                connector_id=known[0].connector_id,
            )
            self.state.members[member.member_id] = (updated, as_of)
        return True

    async def set_consent(self, member_id: uuid.UUID, matching: bool, *, as_of: datetime) -> bool:
        known = self.state.members.get(member_id)
        if known is None:
            return False
        before = self.state.consent_as_of.get(member_id)
        if before is None or before <= as_of:
            self.state.members[member_id] = (
                replace(known[0], consents_matching=matching),
                known[1],
            )
            self.state.consent_as_of[member_id] = as_of
        return True

    async def is_erased(self, member_id: uuid.UUID) -> bool:
        return member_id in self.state.erased

    async def erase(self, member_id: uuid.UUID, at: datetime) -> None:
        state = self.state
        theirs = {r for r, req in state.requests.items() if req.member_id == member_id} | {
            o for o, off in state.offers.items() if off.member_id == member_id
        }
        state.proposals = {
            k: p
            for k, p in state.proposals.items()
            if member_id not in (p.requester_id, p.helper_id)
            and not {p.request_id, p.offer_id} & theirs
        }
        state.requests = {k: r for k, r in state.requests.items() if k not in theirs}
        state.offers = {k: o for k, o in state.offers.items() if k not in theirs}
        state.members.pop(member_id, None)
        state.erased.add(member_id)


class FakeRequests:
    def __init__(self, state: State) -> None:
        self.state = state

    async def add(self, request: Request) -> Request:
        return self.state.requests.setdefault(request.request_id, request)

    async def waiting(self, kind: str) -> list[Waiting]:
        found = [self._waiting(r) for r in self.state.requests.values() if r.kind == kind]
        ordered = [w for w in found if w is not None]
        return sorted(ordered, key=lambda w: (w.request.requested_at, str(w.request.request_id)))

    async def waiting_one(self, request_id: uuid.UUID) -> Waiting | None:
        request = self.state.requests.get(request_id)
        return self._waiting(request) if request else None

    def _waiting(self, r: Request) -> Waiting | None:
        state = self.state
        if r.request_id in state.served() | state.closed or r.member_id not in state.members:
            return None
        return Waiting(
            request=r,
            requester=state.members[r.member_id][0],
            history=History(
                declined_with=state.pairs(r.member_id, (DECLINED,)),
                tried_offers=frozenset(
                    p.offer_id for p in state.proposals.values() if p.request_id == r.request_id
                ),
                met_with=state.pairs(r.member_id, (CONFIRMED, COMPLETED)),
            ),
        )

    async def get(self, request_id: uuid.UUID) -> Request | None:
        return self.state.requests.get(request_id)

    async def open_of(self, member_id: uuid.UUID) -> list[Request]:
        return [
            r
            for r in self.state.requests.values()
            if r.member_id == member_id and r.request_id not in self.state.closed
        ]

    async def close(self, request_id: uuid.UUID, at: datetime) -> None:
        self.state.closed.add(request_id)

    async def renew(self, request_id: uuid.UUID, expires_at: datetime) -> None:
        found = self.state.requests[request_id]
        self.state.requests[request_id] = replace(found, expires_at=expires_at)


class FakeOffers:
    def __init__(self, state: State) -> None:
        self.state = state
        self.locked: list[str] = []

    async def add(self, offer: Offer) -> Offer:
        return self.state.offers.setdefault(offer.offer_id, offer)

    async def lock_kind(self, kind: str) -> None:
        self.locked.append(kind)

    async def lock_kinds(self, kinds: Sequence[str]) -> None:
        self.locked += kinds

    async def candidates_for(self, search: CandidateSearch) -> list[Candidate]:
        """Every offer of the kind in the searched areas: the domain filters the rest."""
        kind = search.waiting.request.kind
        found = [
            self._candidate(o)
            for o in self.state.offers.values()
            if o.kind == kind and o.home_area in search.areas
        ]
        return [c for c in found if c is not None]

    async def candidate(self, offer_id: uuid.UUID, *, since: datetime) -> Candidate | None:
        offer = self.state.offers.get(offer_id)
        return self._candidate(offer) if offer else None

    async def get(self, offer_id: uuid.UUID) -> Offer | None:
        return self.state.offers.get(offer_id)

    async def open_of(self, member_id: uuid.UUID) -> list[Offer]:
        return [
            o
            for o in self.state.offers.values()
            if o.member_id == member_id and o.offer_id not in self.state.closed
        ]

    async def close(self, offer_id: uuid.UUID, at: datetime) -> None:
        self.state.closed.add(offer_id)

    async def renew(self, offer_id: uuid.UUID, expires_at: datetime) -> None:
        found = self.state.offers[offer_id]
        self.state.offers[offer_id] = replace(found, expires_at=expires_at)

    def _candidate(self, offer: Offer) -> Candidate | None:
        helper = self.state.members.get(offer.member_id)
        if helper is None or offer.offer_id in self.state.closed:
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

    async def get(self, proposal_id: uuid.UUID, *, lock: bool = False) -> Proposal | None:
        return self.state.proposals.get(proposal_id)

    async def update(self, proposal: Proposal) -> None:
        self.state.proposals[proposal.proposal_id] = proposal

    async def add_feedback(self, proposal_id: uuid.UUID, side: str, feedback: str) -> None:
        found = self.state.proposals[proposal_id]
        self.state.proposals[proposal_id] = replace(found, status=COMPLETED)
        self.state.feedback.setdefault(proposal_id, {})[side] = feedback

    async def pending(
        self,
        *,
        request_id: uuid.UUID | None = None,
        offer_id: uuid.UUID | None = None,
        member_id: uuid.UUID | None = None,
    ) -> list[Proposal]:
        return [
            p
            for p in self.state.proposals.values()
            if p.status in PENDING_STATUSES
            and (
                p.request_id == request_id
                or p.offer_id == offer_id
                or member_id in (p.requester_id, p.helper_id)
            )
        ]

    async def awaiting_review(
        self, home_area: str | None = None, connector_id: uuid.UUID | None = None
    ) -> list[Proposal]:
        return [
            p
            for p in self.state.proposals.values()
            if p.status == AWAITING_REVIEW
            and home_area in (None, p.home_area)
            and (connector_id is None or p.reviewer_id in (None, connector_id))
        ]

    async def of_member(self, member_id: uuid.UUID) -> list[Proposal]:
        return [
            p for p in self.state.proposals.values() if member_id in (p.requester_id, p.helper_id)
        ]

    async def due(self, at: datetime, limit: int) -> list[Proposal]:
        found = [
            p
            for p in self.state.proposals.values()
            if p.status in PENDING_STATUSES and p.expires_at is not None and p.expires_at <= at
        ]
        return found[:limit]


class FakeCoffee:
    """Coffee dates are tested on PostgreSQL; here only erasure is called."""

    def __init__(self) -> None:
        self.erased: list[uuid.UUID] = []

    async def erase(self, member_id: uuid.UUID) -> None:
        self.erased.append(member_id)


class FakeActivities:
    """No initiatives or sessions: recommendations find nothing (tested on PostgreSQL)."""

    def __init__(self) -> None:
        self.erased: list[uuid.UUID] = []

    async def upcoming(self, areas: list[str], at: datetime) -> list[Any]:
        return []

    async def signed_sessions(self, member_id: uuid.UUID) -> set[uuid.UUID]:
        return set()

    async def erase(self, member_id: uuid.UUID) -> None:
        self.erased.append(member_id)


class FakeMatchingUnitOfWork(FakeUnitOfWork):
    def __init__(self, region: str = "lochem") -> None:
        super().__init__(region=region, source="matching")
        self.state = State()
        self.members = FakeMembers(self.state)
        self.requests = FakeRequests(self.state)
        self.offers = FakeOffers(self.state)
        self.proposals = FakeProposals(self.state)
        self.coffee = FakeCoffee()
        self.activities = FakeActivities()

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
