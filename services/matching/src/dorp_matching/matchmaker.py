"""Steps shared by the event handlers, the commands and the expiry job: record proposals,
end pending ones, and find the next best offer for requests that lost theirs.

Each runs inside the caller's unit of work; events go out through its outbox.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any, Literal

import structlog

from dorp_matching.domain.connector import review_for
from dorp_matching.domain.lifecycle import end, offered
from dorp_matching.domain.matching import choose_offer, serve_waiting
from dorp_matching.domain.model import (
    AWAITING_REVIEW,
    CandidateSearch,
    Member,
    Proposal,
    Request,
    Waiting,
)
from dorp_matching.ports import MatchingUnitOfWork
from dorp_shared.contracts import Envelope, MatchProposed
from dorp_shared.contracts.events import ProposalCancelled, ProposalExpired
from dorp_shared.regions import Region

EVENT_NAMESPACE = uuid.UUID("0b7f1f52-3f0c-4a53-8a8e-6d6174636865")

log = structlog.get_logger(__name__)


def event_id(proposal_id: uuid.UUID, step: str = "") -> uuid.UUID:
    """Deterministic per proposal and step, so a redelivery emits the same event id."""
    return uuid.uuid5(EVENT_NAMESPACE, f"{proposal_id}{'/' + step if step else ''}")


async def record(
    uow: MatchingUnitOfWork,
    proposals: list[Proposal],
    region: Region,
    at: datetime,
    cause: Envelope[Any] | None,
    *,
    connector_id: uuid.UUID | None = None,
    requesters: Mapping[uuid.UUID, Member] | None = None,
) -> list[Proposal]:
    """Store each proposal and emit its ``MatchProposed``. It waits for a connector's
    review when the region wants that or a connector registered the requester
    (``review_for``; ``requesters`` by member id); a connector's own pairing goes straight
    to the parents with their answer deadline."""
    known = requesters or {}
    prepared = [
        prepare(found, region, at, known.get(found.requester_id), connector_id)
        for found in proposals
    ]
    recorded = []
    for proposal in prepared:
        if await uow.proposals.add(proposal):
            await announce(uow, proposal, cause, connector_id)
            recorded.append(proposal)
    return recorded


def prepare(
    found: Proposal,
    region: Region,
    at: datetime,
    requester: Member | None,
    connector_id: uuid.UUID | None = None,
) -> Proposal:
    """A found pairing as it is stored: awaiting a connector's review or offered to the
    parents with their answer deadline (see ``record``)."""
    review = review_for(
        requester, region_reviews=region.connector_reviews_proposals, made_by=connector_id
    )
    return offered(
        found,
        at,
        region.proposal_expiry_days,
        review=review.needed,
        reviewer_id=review.connector_id,
    )


async def announce(
    uow: MatchingUnitOfWork,
    proposal: Proposal,
    cause: Envelope[Any] | None,
    connector_id: uuid.UUID | None = None,
) -> None:
    """Emit the stored proposal's ``MatchProposed``."""
    proposed = proposed_event(proposal, connector_id)
    await uow.emit(proposed, cause=cause, event_id=event_id(proposal.proposal_id))
    log.debug("match.proposed", proposal_id=str(proposal.proposal_id), kind=proposal.kind)


def proposed_event(proposal: Proposal, connector_id: uuid.UUID | None = None) -> MatchProposed:
    return MatchProposed(
        proposal_id=proposal.proposal_id,
        request_id=proposal.request_id,
        offer_id=proposal.offer_id,
        requester_id=proposal.requester_id,
        helper_id=proposal.helper_id,
        kind=proposal.kind,
        home_area=proposal.home_area,
        score=proposal.score,
        reasons=proposal.reasons,
        explanation=proposal.explanation,
        explanation_en=proposal.explanation_en,
        needs_connector_review=proposal.status == AWAITING_REVIEW,
        connector_id=connector_id,
        reviewer_id=proposal.reviewer_id if proposal.status == AWAITING_REVIEW else None,
    )


def recent_since(region: Region, at: datetime) -> datetime:
    """Proposals to a helper since this moment are their recent load."""
    return at - timedelta(days=region.matching.recent_load_days)


def search(waiting: Waiting, region: Region, at: datetime) -> CandidateSearch:
    """The indexed candidate search for a request: its own area and the neighbours."""
    home = waiting.request.home_area
    areas = (home, *sorted(region.neighbours_of(home) - {home}))
    return CandidateSearch(
        waiting=waiting,
        areas=areas,
        at=at,
        since=recent_since(region, at),
        helper_capacity=region.matching.helper_capacity,
        language_slice=set(_languages(waiting)) != {region.default_language},
    )


def _languages(waiting: Waiting) -> tuple[str, ...]:
    return waiting.request.languages or waiting.requester.languages


async def propose_next(
    uow: MatchingUnitOfWork,
    request_ids: Iterable[uuid.UUID],
    region: Region,
    at: datetime,
    cause: Envelope[Any] | None,
    requests_known: Iterable[Request] = (),
) -> list[Proposal]:
    """The next best offer for each request that is open and holds no proposal now
    (``requests_known``: requests the caller has at hand, not read again)."""
    recorded: list[Proposal] = []
    known = {r.request_id: r for r in requests_known}
    requests = [
        request
        for request_id in dict.fromkeys(request_ids)
        if (request := known.get(request_id) or await uow.requests.get(request_id))
    ]
    await lock_kinds(uow, {request.kind for request in requests})
    for request in requests:
        waiting = await uow.requests.waiting_one(request.request_id)
        if waiting is None:
            continue
        candidates = await uow.offers.candidates_for(search(waiting, region, at))
        proposal = choose_offer(
            waiting.request,
            waiting.requester,
            candidates,
            region,
            at,
            waiting.history,
        )
        if proposal is not None:
            requester = {waiting.requester.member_id: waiting.requester}
            recorded += await record(uow, [proposal], region, at, cause, requesters=requester)
    return recorded


async def lock_kinds(uow: MatchingUnitOfWork, kinds: Iterable[str]) -> None:
    """Before looking at offers: one slot, one proposal. Matching runs several events at
    once (other members'), so whoever takes more than one kind takes them sorted: no two
    transactions wait for each other's kind."""
    await uow.offers.lock_kinds(sorted(set(kinds)))


async def serve_offer(
    uow: MatchingUnitOfWork,
    offer_id: uuid.UUID,
    kind: str,
    region: Region,
    at: datetime,
    cause: Envelope[Any] | None,
) -> list[Proposal]:
    """Propose an (open) offer to the waiting requests it can serve, within capacity."""
    await uow.offers.lock_kind(kind)
    candidate = await uow.offers.candidate(offer_id, since=recent_since(region, at))
    if candidate is None:
        return []
    waiting = await uow.requests.waiting(kind)
    found = serve_waiting(candidate, waiting, region, at)
    requesters = {w.requester.member_id: w.requester for w in waiting}
    return await record(uow, found, region, at, cause, requesters=requesters)


async def stop(
    uow: MatchingUnitOfWork,
    proposals: Iterable[Proposal],
    status: Literal["expired", "cancelled"],
    reason: str,
    cause: Envelope[Any] | None,
) -> list[uuid.UUID]:
    """End pending proposals (expired or cancelled, with their event); the requests that
    lost a proposal, for ``propose_next``."""
    freed = []
    for proposal in proposals:
        ended = end(proposal, status, reason)
        await uow.proposals.update(ended)
        event: ProposalCancelled | ProposalExpired = (
            ProposalExpired(proposal_id=proposal.proposal_id)
            if status == "expired"
            else ProposalCancelled(proposal_id=proposal.proposal_id, reason=reason)
        )
        await uow.emit(event, cause=cause, event_id=event_id(proposal.proposal_id, status))
        log.info(f"proposal.{status}", proposal_id=str(proposal.proposal_id), reason=reason)
        freed.append(proposal.request_id)
    return freed
