"""The connector (aanjager) in the loop: their review queue, their decision on a proposal
(approve, reject, or change to another offer) and introductions made by hand.

Only members registered with the role ``connector`` may act here (422 on connector_id).
"""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from dorp_matching.commands import ProposalView, rejected, require_proposal, view
from dorp_matching.domain import lifecycle
from dorp_matching.domain.connector import (
    CHANGE,
    INTRODUCTION,
    hand_made,
    is_connector,
    may_review,
)
from dorp_matching.domain.connector import pairing_problem as problem_of
from dorp_matching.domain.lifecycle import Decision, LifecycleError
from dorp_matching.domain.model import Proposal
from dorp_matching.matchmaker import event_id, propose_next, recent_since, record
from dorp_matching.ports import MatchingUnitOfWork
from dorp_shared.commands import Command, CommandContext, CommandInput, invalid
from dorp_shared.contracts.events import ProposalApproved, ProposalChanged, ProposalRejected
from dorp_shared.contracts.partner import FieldError
from dorp_shared.regions import Region

TAG = "connector"


class QueueQuery(CommandInput):
    connector_id: uuid.UUID
    home_area: str | None = Field(default=None, description="only proposals of this area")


class ReviewProposal(CommandInput):
    proposal_id: uuid.UUID
    connector_id: uuid.UUID
    decision: Decision
    offer_id: uuid.UUID | None = Field(
        default=None, description="with decision change: the offer to propose instead"
    )


class Introduce(CommandInput):
    connector_id: uuid.UUID
    request_id: uuid.UUID
    offer_id: uuid.UUID


class ReviewQueue(BaseModel):
    model_config = ConfigDict(frozen=True)

    home_area: str | None
    proposals: tuple[ProposalView, ...] = Field(
        description="awaiting review, oldest first: the ones in this connector's own queue "
        "(parents they registered) and the ones any connector may review"
    )


class ReviewOutcome(BaseModel):
    model_config = ConfigDict(frozen=True)

    reviewed: ProposalView
    next: ProposalView | None = Field(
        description="after a change: the connector's pairing (sent to the parents); after a "
        "rejection: the next best proposal (awaiting review), if any"
    )


async def require_connector(uow: MatchingUnitOfWork, connector_id: uuid.UUID) -> None:
    if not is_connector(await uow.members.get(connector_id)):
        raise invalid("connector_id", "is not a connector (aanjager) of this region")


def check_area(item: QueueQuery, region: Region) -> list[FieldError]:
    if item.home_area is None or item.home_area in region.area_ids:
        return []
    allowed = tuple(sorted(region.area_ids))
    return [FieldError(field="home_area", message="not an area of this region", allowed=allowed)]


async def connector_queue(
    uow: MatchingUnitOfWork, ctx: CommandContext, item: QueueQuery
) -> ReviewQueue:
    await require_connector(uow, item.connector_id)
    found = await uow.proposals.awaiting_review(item.home_area, item.connector_id)
    return ReviewQueue(home_area=item.home_area, proposals=tuple(view(p) for p in found))


async def review_proposal(
    uow: MatchingUnitOfWork, ctx: CommandContext, item: ReviewProposal
) -> ReviewOutcome:
    await require_connector(uow, item.connector_id)
    if item.decision == "change" and item.offer_id is None:
        raise invalid("offer_id", "is required to change a proposal")
    proposal = await require_proposal(uow, item.proposal_id)
    pid, connector_id = proposal.proposal_id, item.connector_id
    if not may_review(proposal, connector_id):
        raise invalid(
            "connector_id", "this proposal waits for the connector who registered the parent"
        )
    try:
        if item.decision == "approve":
            approved = lifecycle.approve(proposal, ctx.now, ctx.region.proposal_expiry_days)
            await uow.proposals.update(approved)
            done = ProposalApproved(proposal_id=pid, connector_id=connector_id)
            await uow.emit(done, event_id=event_id(pid, "approved"))
            return ReviewOutcome(reviewed=view(approved), next=None)
        if item.decision == "reject":
            ended = lifecycle.reject(proposal)
            await uow.proposals.update(ended)
            no = ProposalRejected(proposal_id=pid, connector_id=connector_id)
            await uow.emit(no, event_id=event_id(pid, "rejected"))
            found = await propose_next(uow, [proposal.request_id], ctx.region, ctx.now, None)
            return ReviewOutcome(reviewed=view(ended), next=view(found[0]) if found else None)
        ended = lifecycle.set_aside(proposal)
    except LifecycleError as error:
        raise rejected(error) from error
    assert item.offer_id is not None  # checked above
    await uow.proposals.update(ended)
    pairing = await _pairing(uow, proposal.request_id, item.offer_id, ctx, CHANGE)
    changed = ProposalChanged(
        proposal_id=pid,
        connector_id=connector_id,
        new_proposal_id=pairing.proposal_id,
        offer_id=item.offer_id,
    )
    await uow.emit(changed, event_id=event_id(pid, "changed"))
    made = await _propose(uow, pairing, ctx, connector_id)
    return ReviewOutcome(reviewed=view(ended), next=view(made))


async def introduce(uow: MatchingUnitOfWork, ctx: CommandContext, item: Introduce) -> ProposalView:
    await require_connector(uow, item.connector_id)
    pairing = await _pairing(uow, item.request_id, item.offer_id, ctx, INTRODUCTION)
    return view(await _propose(uow, pairing, ctx, item.connector_id))


async def _pairing(
    uow: MatchingUnitOfWork,
    request_id: uuid.UUID,
    offer_id: uuid.UUID,
    ctx: CommandContext,
    code: str,
) -> Proposal:
    """The connector's pairing of a request with an offer, checked against the rules
    that protect people (422 naming the field; 409 when the request is not waiting)."""
    request = await uow.requests.get(request_id)
    if request is None:
        raise invalid("request_id", "is not a known request")
    await uow.offers.lock_kind(request.kind)
    waiting = await uow.requests.waiting_one(request_id)
    if waiting is None:
        message = "already has a proposal, or is no longer open"
        raise rejected(LifecycleError("request_id", message))
    candidate = await uow.offers.candidate(offer_id, since=recent_since(ctx.region, ctx.now))
    if candidate is None:
        raise invalid("offer_id", "is not an open offer")
    found = problem_of(
        waiting.request,
        waiting.requester,
        candidate,
        ctx.now,
        waiting.history,
        helper_capacity=ctx.region.matching.helper_capacity,
    )
    if found is not None:
        raise invalid(found.field, found.message)
    return hand_made(
        waiting.request, waiting.requester, candidate, ctx.region, code, waiting.history
    )


async def _propose(
    uow: MatchingUnitOfWork, pairing: Proposal, ctx: CommandContext, connector_id: uuid.UUID
) -> Proposal:
    made = await record(uow, [pairing], ctx.region, ctx.now, None, connector_id=connector_id)
    if not made:
        raise rejected(LifecycleError("offer_id", "this pairing was made before"))
    return made[0]


COMMANDS: tuple[Command[Any, Any, Any], ...] = (
    Command(
        name="connector_queue",
        input=QueueQuery,
        output=ReviewQueue,
        handle=connector_queue,
        summary="The proposals awaiting a connector's review, oldest first, with their "
        "reasons and explanation; optionally of one area.",
        tag=TAG,
        query=True,
        check=check_area,
    ),
    Command(
        name="review_proposal",
        input=ReviewProposal,
        output=ReviewOutcome,
        handle=review_proposal,
        summary="A connector approves a proposal (the parents are asked), rejects it (the "
        "next best is reviewed) or changes it to another offer for the same request.",
        tag=TAG,
    ),
    Command(
        name="introduce",
        input=Introduce,
        output=ProposalView,
        handle=introduce,
        summary="A connector pairs a request with an offer by hand; it goes straight to the "
        "parents, but never a declined pair or a member without matching consent.",
        tag=TAG,
    ),
)
