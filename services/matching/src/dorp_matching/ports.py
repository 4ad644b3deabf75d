"""What the handlers need from the outside world."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Protocol

from dorp_matching.domain.coffee import CoffeeGroup, CoffeeRound, OptIn, Pair, StoredDate
from dorp_matching.domain.model import (
    Candidate,
    CandidateSearch,
    Member,
    Offer,
    PoolRead,
    Proposal,
    Request,
    SliceKey,
    Waiting,
)
from dorp_matching.domain.recommend import SessionOffer
from dorp_shared.contracts.events import InitiativeRegistered, SessionScheduled
from dorp_shared.uow import UnitOfWork


class MemberRepository(Protocol):
    async def get(self, member_id: uuid.UUID) -> Member | None: ...

    async def get_many(self, member_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Member]:
        """The known ones among these members, by id."""
        ...

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

    async def connectors(self) -> list[uuid.UUID]:
        """The members with the role connector."""
        ...

    async def erase(self, member_id: uuid.UUID, at: datetime) -> None:
        """Delete the member, their requests, offers and every proposal with them; keep
        only the bare id as erased."""
        ...


class RequestRepository(Protocol):
    async def add(self, request: Request) -> Request:
        """Store a request once (natural key ``request_id``); returns the stored one."""
        ...

    async def add_many(self, requests: Sequence[Request]) -> list[Request]:
        """``add`` for many at once, in their order."""
        ...

    async def waiting_many(self, request_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Waiting]:
        """``waiting_one`` for many at once: those waiting, by request id."""
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

    async def lock_kinds(self, kinds: Sequence[str]) -> None:
        """``lock_kind`` for each kind, in the order given, in one round trip."""
        ...

    async def candidates_for(self, search: CandidateSearch) -> list[Candidate]:
        """A bounded set of open offers that may serve the request (see
        ``CandidateSearch``), with their and their helper's load; found through an index
        on kind and area, never by reading every offer."""
        ...

    async def candidate_pool(self, read: PoolRead) -> dict[SliceKey, list[Candidate]]:
        """Many searches' slices in one read: per slice its open offers that can take one
        more, oldest first, at most its limit (see ``PoolRead``)."""
        ...

    async def candidate(self, offer_id: uuid.UUID, *, since: datetime) -> Candidate | None:
        """An open offer with its loads (recent load: proposals to the helper ``since``)."""
        ...

    async def get(self, offer_id: uuid.UUID) -> Offer | None: ...

    async def open_of(self, member_id: uuid.UUID) -> list[Offer]: ...

    async def close(self, offer_id: uuid.UUID, at: datetime) -> None: ...

    async def renew(self, offer_id: uuid.UUID, expires_at: datetime) -> None: ...


class ProposalRepository(Protocol):
    async def add(self, proposal: Proposal) -> bool:
        """Store a proposal; False if the request already has an active one (or this one)."""
        ...

    async def add_many(self, proposals: Sequence[Proposal]) -> set[uuid.UUID]:
        """``add`` for many at once: the ids of those stored."""
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

    async def awaiting_review(
        self, home_area: str | None = None, connector_id: uuid.UUID | None = None
    ) -> list[Proposal]:
        """Proposals waiting for a connector (of one area when given), oldest first; with
        ``connector_id`` only those this connector may review (theirs and anyone's)."""
        ...

    async def of_member(self, member_id: uuid.UUID) -> list[Proposal]:
        """Every proposal with the member on either side, newest first."""
        ...

    async def due(self, at: datetime, limit: int) -> list[Proposal]:
        """Pending proposals whose answer time passed, locked (others skip them)."""
        ...

    async def review_overdue(self, before: datetime, limit: int) -> list[tuple[Proposal, datetime]]:
        """Proposals awaiting review since before ``before`` and not yet reported overdue,
        with when their review started; locked (others skip them)."""
        ...

    async def mark_review_overdue(self, proposal_id: uuid.UUID, at: datetime) -> None: ...


class CoffeeRepository(Protocol):
    async def opt_in(self, opt_in: OptIn) -> None:
        """Insert or move the member's opt-in (another school or area)."""
        ...

    async def opt_out(self, member_id: uuid.UUID) -> bool:
        """False when the member had not opted in."""
        ...

    async def get_opt_in(self, member_id: uuid.UUID) -> OptIn | None: ...

    async def lock(self) -> None:
        """Serialise pairing rounds until the unit of work ends."""
        ...

    async def groups(self) -> list[CoffeeGroup]:
        """The opted-in members with matching consent, by school (else area)."""
        ...

    async def dated_pairs(self) -> frozenset[Pair]: ...

    async def met_pairs(self) -> frozenset[Pair]: ...

    async def add_round(self, found: CoffeeRound) -> None: ...

    async def add_date(self, date: StoredDate) -> None:
        """Store a date and its pairs (never to be repeated)."""
        ...

    async def last_round_at(self) -> datetime | None: ...

    async def first_opt_in_at(self) -> datetime | None: ...

    async def erase(self, member_id: uuid.UUID) -> None: ...


class ActivityRepository(Protocol):
    async def save_initiative(self, data: InitiativeRegistered, as_of: datetime) -> None: ...

    async def save_session(self, data: SessionScheduled) -> None: ...

    async def cancel_session(self, session_id: uuid.UUID) -> None: ...

    async def sign_up(self, session_id: uuid.UUID, member_id: uuid.UUID, status: str) -> None: ...

    async def cancel_sign_up(self, session_id: uuid.UUID, member_id: uuid.UUID) -> None: ...

    async def upcoming(self, areas: list[str], at: datetime) -> list[SessionOffer]: ...

    async def signed_sessions(self, member_id: uuid.UUID) -> set[uuid.UUID]: ...

    async def signed_sessions_of(
        self, member_ids: Iterable[uuid.UUID]
    ) -> dict[uuid.UUID, set[uuid.UUID]]:
        """``signed_sessions`` for many members at once (those signed up anywhere)."""
        ...

    async def add_recommendation(
        self,
        recommendation_id: uuid.UUID,
        member_id: uuid.UUID,
        request_id: uuid.UUID | None,
        session_ids: list[uuid.UUID],
        at: datetime,
    ) -> bool: ...

    async def erase(self, member_id: uuid.UUID) -> None: ...


class MatchingUnitOfWork(UnitOfWork, Protocol):
    async def first_times(self, consumer: str, event_ids: list[uuid.UUID]) -> set[uuid.UUID]:
        """``first_time`` for many events: the ids not handled before."""
        ...

    @property
    def members(self) -> MemberRepository: ...

    @property
    def requests(self) -> RequestRepository: ...

    @property
    def offers(self) -> OfferRepository: ...

    @property
    def proposals(self) -> ProposalRepository: ...

    @property
    def coffee(self) -> CoffeeRepository: ...

    @property
    def activities(self) -> ActivityRepository: ...
