"""What the handlers need from the outside world."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Protocol

from dorp_matching.domain.model import Candidate, Member, Offer, Proposal, Request, Waiting
from dorp_shared.uow import UnitOfWork


class MemberRepository(Protocol):
    async def get(self, member_id: uuid.UUID) -> Member | None: ...

    async def save(self, member: Member, *, as_of: datetime) -> None:
        """Insert or update; an update older than what is stored (``as_of``) is ignored."""
        ...


class RequestRepository(Protocol):
    async def add(self, request: Request) -> Request:
        """Store a request once (natural key ``request_id``); returns the stored one."""
        ...

    async def waiting(self, kind: str) -> list[Waiting]:
        """Requests of a kind without an active proposal, whose member is known, oldest first."""
        ...


class OfferRepository(Protocol):
    async def add(self, offer: Offer) -> Offer:
        """Store an offer once (natural key ``offer_id``); returns the stored one."""
        ...

    async def lock_kind(self, kind: str) -> None:
        """Serialise matching of one kind until the unit of work ends, so two workers
        never hand out the same slot of capacity."""
        ...

    async def candidates(self, kind: str) -> list[Candidate]:
        """Every offer of a kind whose member is known, with its and its helper's load."""
        ...

    async def candidate(self, offer_id: uuid.UUID) -> Candidate | None: ...


class ProposalRepository(Protocol):
    async def add(self, proposal: Proposal) -> bool:
        """Store a proposal; False if the request already has an active one (or this one)."""
        ...

    async def has_active(self, request_id: uuid.UUID) -> bool: ...


class MatchingUnitOfWork(UnitOfWork, Protocol):
    @property
    def members(self) -> MemberRepository: ...

    @property
    def requests(self) -> RequestRepository: ...

    @property
    def offers(self) -> OfferRepository: ...

    @property
    def proposals(self) -> ProposalRepository: ...
