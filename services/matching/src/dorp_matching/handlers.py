"""Use cases: one per consumed event, each in one unit of work with its inbox mark.

The envelope's ``occurred_at`` is the matching moment (for expiry), so a redelivery
decides exactly as the first delivery would have.
"""

from __future__ import annotations

import uuid
from typing import Any

import structlog

from dorp_matching.domain.matching import choose_offer, serve_waiting
from dorp_matching.domain.model import Member, Offer, Proposal, Request
from dorp_matching.ports import MatchingUnitOfWork
from dorp_shared.contracts import (
    Envelope,
    HelpOffered,
    HelpRequested,
    MatchProposed,
    MemberRegistered,
)
from dorp_shared.errors import NotReadyYet
from dorp_shared.regions import Region

CONSUMER = "matching"
_EVENT_NAMESPACE = uuid.UUID("0b7f1f52-3f0c-4a53-8a8e-6d6174636865")

log = structlog.get_logger(__name__)


async def member_registered(event: Envelope[MemberRegistered], uow: MatchingUnitOfWork) -> None:
    data = event.payload
    async with uow:
        if not await uow.first_time(CONSUMER, event.event_id):
            return
        member = Member(
            member_id=data.member_id,
            home_area=data.home_area,
            languages=data.languages,
            age_bands=data.age_bands,
            consents_matching=data.consents.matching,
        )
        await uow.members.save(member, as_of=event.occurred_at)


async def help_requested(
    event: Envelope[HelpRequested], uow: MatchingUnitOfWork, region: Region
) -> list[Proposal]:
    """Store the request and propose the best offer, unless it already has a proposal."""
    data = event.payload
    async with uow:
        if not await uow.first_time(CONSUMER, event.event_id):
            return []
        requester = await uow.members.get(data.member_id)
        if requester is None:
            raise NotReadyYet(f"request {data.request_id}: its member is not registered yet")
        request = await uow.requests.add(_request(data, event))
        await uow.offers.lock_kind(request.kind)
        if await uow.proposals.has_active(request.request_id):
            return []
        candidates = await uow.offers.candidates(request.kind)
        proposal = choose_offer(request, requester, candidates, region, event.occurred_at)
        proposals = [proposal] if proposal else []
        return await _record(uow, proposals, region, event)


async def help_offered(
    event: Envelope[HelpOffered], uow: MatchingUnitOfWork, region: Region
) -> list[Proposal]:
    """Store the offer and propose it to waiting requests, oldest first, within capacity."""
    data = event.payload
    async with uow:
        if not await uow.first_time(CONSUMER, event.event_id):
            return []
        if await uow.members.get(data.member_id) is None:
            raise NotReadyYet(f"offer {data.offer_id}: its member is not registered yet")
        offer = await uow.offers.add(_offer(data, event))
        await uow.offers.lock_kind(offer.kind)
        candidate = await uow.offers.candidate(offer.offer_id)
        if candidate is None:
            return []
        waiting = await uow.requests.waiting(offer.kind)
        proposals = serve_waiting(candidate, waiting, region, event.occurred_at)
        return await _record(uow, proposals, region, event)


async def _record(
    uow: MatchingUnitOfWork, proposals: list[Proposal], region: Region, cause: Envelope[Any]
) -> list[Proposal]:
    """Store each proposal and emit its ``MatchProposed`` in the same transaction."""
    recorded = []
    for proposal in proposals:
        if not await uow.proposals.add(proposal):
            continue
        await uow.emit(
            _event(proposal, region),
            cause=cause,
            event_id=uuid.uuid5(_EVENT_NAMESPACE, str(proposal.proposal_id)),
        )
        log.info("match.proposed", proposal_id=str(proposal.proposal_id), kind=proposal.kind)
        recorded.append(proposal)
    return recorded


def _event(proposal: Proposal, region: Region) -> MatchProposed:
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
        needs_connector_review=region.connector_reviews_proposals,
    )


def _request(data: HelpRequested, event: Envelope[HelpRequested]) -> Request:
    return Request(
        request_id=data.request_id,
        member_id=data.member_id,
        kind=data.kind,
        home_area=data.home_area,
        languages=data.languages,
        age_band=data.age_band,
        expires_at=data.expires_at,
        requested_at=event.occurred_at,
    )


def _offer(data: HelpOffered, event: Envelope[HelpOffered]) -> Offer:
    return Offer(
        offer_id=data.offer_id,
        member_id=data.member_id,
        kind=data.kind,
        home_area=data.home_area,
        languages=data.languages,
        age_bands=data.age_bands,
        capacity=data.capacity,
        expires_at=data.expires_at,
        offered_at=event.occurred_at,
    )
