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

    async def update_profile(self, member: Member, *, as_of: datetime) -> bool:
        """Area, languages and age bands (not consent); False if the member is unknown."""
        ...

    async def set_consent(self, member_id: uuid.UUID, matching: bool, *, as_of: datetime) -> bool:
        """False if the member is unknown; an older consent than the stored one is ignored."""
        ...

    async def is_erased(self, member_id: uuid.UUID) -> bool: ...

    async def erase(self, member_id: uuid.UUID, at: datetime) -> None:
        """Delete the member, their requests, offers and every proposal with them; keep
        only the bare id as erased."""
        ...


class RequestRepository(Protocol):
    async def add(self, request: Request) -> Request:
        """Store a request once (natural key ``request_id``); returns the stored one."""
        ...

    async def waiting(self, kind: str) -> list[Waiting]:
        """Open requests of a kind without an active proposal, whose member is known,
        oldest first."""
        ...

    async def waiting_one(self, request_id: uuid.UUID) -> Waiting | None:
        """The request if it is open, has no active proposal and its member is known."""
        ...

    async def get(self, request_id: uuid.UUID) -> Request | None: ...

    async def open_of(self, member_id: uuid.UUID) -> list[Request]: ...

    async def close(self, request_id: uuid.UUID, at: datetime) -> None: ...

    async def renew(self, request_id: uuid.UUID, expires_at: datetime) -> None: ...


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

    async def get(self, offer_id: uuid.UUID) -> Offer | None: ...

    async def open_of(self, member_id: uuid.UUID) -> list[Offer]: ...

    async def close(self, offer_id: uuid.UUID, at: datetime) -> None: ...

    async def renew(self, offer_id: uuid.UUID, expires_at: datetime) -> None: ...


class ProposalRepository(Protocol):
    async def add(self, proposal: Proposal) -> bool:
        """Store a proposal; False if the request already has an active one (or this one)."""
        ...

    async def has_active(self, request_id: uuid.UUID) -> bool: ...

    async def get(self, proposal_id: uuid.UUID, *, lock: bool = False) -> Proposal | None: ...

    async def update(self, proposal: Proposal) -> None:
        """Store status, answers, answer deadline and why it ended."""
        ...

    async def add_feedback(self, proposal_id: uuid.UUID, side: str, feedback: str) -> None:
        """Mark the proposal completed with one side's feedback (JSON text)."""
        ...

    async def pending(
        self,
        *,
        request_id: uuid.UUID | None = None,
        offer_id: uuid.UUID | None = None,
        member_id: uuid.UUID | None = None,
    ) -> list[Proposal]:
        """Pending proposals of a request, an offer or a member (either side), locked."""
        ...

    async def awaiting_review(self, home_area: str | None = None) -> list[Proposal]:
        """Proposals waiting for a connector (of one area when given), oldest first."""
        ...

    async def of_member(self, member_id: uuid.UUID) -> list[Proposal]:
        """Every proposal with the member on either side, newest first."""
        ...

    async def due(self, at: datetime, limit: int) -> list[Proposal]:
        """Pending proposals whose answer time passed, locked (others skip them)."""
        ...


class MatchingUnitOfWork(UnitOfWork, Protocol):
    @property
    def members(self) -> MemberRepository: ...

    @property
    def requests(self) -> RequestRepository: ...

    @property
    def offers(self) -> OfferRepository: ...

    @property
    def proposals(self) -> ProposalRepository: ...
