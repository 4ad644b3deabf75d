"""Matching's commands and queries: answering proposals, feedback, and looking them up.

Served over NATS request/reply (``dorp.<region>.cmd.matching.<name>``) and HTTP
(``POST /v1/<name>``) by the shared command framework.
"""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from dorp_matching.domain import lifecycle
from dorp_matching.domain.lifecycle import Answer, LifecycleError
from dorp_matching.domain.model import Proposal
from dorp_matching.matchmaker import event_id, propose_next
from dorp_matching.ports import MatchingUnitOfWork
from dorp_shared.commands import (
    CONFLICT,
    Command,
    CommandContext,
    CommandInput,
    CommandRejected,
    invalid,
    not_found,
)
from dorp_shared.contracts import MatchReason
from dorp_shared.contracts.events import (
    MatchCompleted,
    MatchConfirmed,
    ProposalAccepted,
    ProposalDeclined,
    Side,
)
from dorp_shared.contracts.partner import FieldError
from dorp_shared.regions import Region

TAG = "proposals"


class RespondToProposal(CommandInput):
    proposal_id: uuid.UUID
    member_id: uuid.UUID = Field(description="the requester or the helper of the proposal")
    answer: Answer


class CompleteMatch(CommandInput):
    """Feedback on a confirmed match, by either side."""

    proposal_id: uuid.UUID
    member_id: uuid.UUID = Field(description="the requester or the helper of the proposal")
    helped: bool
    became_contact: bool = Field(description="did it become a real contact")
    ladder_step: str = Field(description="one of the region's contact_ladder steps")


class ProposalRef(CommandInput):
    proposal_id: uuid.UUID


class MemberRef(CommandInput):
    member_id: uuid.UUID


class ProposalView(BaseModel):
    """A proposal with its reasons and where it stands."""

    model_config = ConfigDict(frozen=True)

    proposal_id: uuid.UUID
    request_id: uuid.UUID
    offer_id: uuid.UUID
    requester_id: uuid.UUID
    helper_id: uuid.UUID
    kind: str
    home_area: str
    score: float
    reasons: tuple[MatchReason, ...]
    explanation: str
    explanation_en: str
    status: str = Field(
        description="awaiting_review, proposed, accepted, confirmed, completed, declined, "
        "expired, cancelled or rejected"
    )
    requester_answer: Answer | None
    helper_answer: Answer | None
    answer_before: AwareDatetime | None
    ended_reason: str | None
    reviewer_id: uuid.UUID | None = Field(
        default=None,
        description="the connector whose review queue it is (or was) in: the one who "
        "registered the requester; absent: any connector",
    )


class ProposalList(BaseModel):
    model_config = ConfigDict(frozen=True)

    member_id: uuid.UUID
    proposals: tuple[ProposalView, ...]


def view(proposal: Proposal) -> ProposalView:
    return ProposalView(
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
        status=proposal.status,
        requester_answer=_answer(proposal.requester_answer),
        helper_answer=_answer(proposal.helper_answer),
        answer_before=proposal.expires_at,
        ended_reason=proposal.ended_reason,
        reviewer_id=proposal.reviewer_id,
    )


def _answer(value: str | None) -> Answer | None:
    return "accept" if value == "accept" else "decline" if value == "decline" else None


def rejected(error: LifecycleError) -> CommandRejected:
    """Not a party: the field is wrong (422); wrong state: a conflict (409)."""
    if error.field == "member_id":
        return invalid(error.field, error.message)
    detail = f"{error.field}: {error.message}"
    return CommandRejected(CONFLICT, detail, (FieldError(field=error.field, message=detail),))


async def require_proposal(uow: MatchingUnitOfWork, proposal_id: uuid.UUID) -> Proposal:
    proposal = await uow.proposals.get(proposal_id, lock=True)
    if proposal is None:
        raise not_found("proposal", proposal_id)
    return proposal


async def respond_to_proposal(
    uow: MatchingUnitOfWork, ctx: CommandContext, item: RespondToProposal
) -> ProposalView:
    proposal = await require_proposal(uow, item.proposal_id)
    try:
        side = lifecycle.side_of(proposal, item.member_id)
        answered, outcome = lifecycle.respond(proposal, item.member_id, item.answer)
    except LifecycleError as error:
        raise rejected(error) from error
    if outcome == "unchanged":
        return view(answered)
    await uow.proposals.update(answered)
    pid = proposal.proposal_id
    step = f"{item.answer}/{side}"
    if outcome == "declined":
        declined = ProposalDeclined(proposal_id=pid, member_id=item.member_id, side=side)
        await uow.emit(declined, event_id=event_id(pid, step))
        await propose_next(uow, [proposal.request_id], ctx.region, ctx.now, None)
        return view(answered)
    accepted = ProposalAccepted(proposal_id=pid, member_id=item.member_id, side=side)
    await uow.emit(accepted, event_id=event_id(pid, step))
    if outcome == "confirmed":
        await uow.emit(_confirmed(answered), event_id=event_id(pid, "confirmed"))
    return view(answered)


def _confirmed(proposal: Proposal) -> MatchConfirmed:
    return MatchConfirmed(
        proposal_id=proposal.proposal_id,
        request_id=proposal.request_id,
        offer_id=proposal.offer_id,
        requester_id=proposal.requester_id,
        helper_id=proposal.helper_id,
        kind=proposal.kind,
    )


async def complete_match(
    uow: MatchingUnitOfWork, ctx: CommandContext, item: CompleteMatch
) -> ProposalView:
    proposal = await require_proposal(uow, item.proposal_id)
    try:
        side: Side = lifecycle.complete(proposal, item.member_id)
    except LifecycleError as error:
        raise rejected(error) from error
    completed = MatchCompleted(
        proposal_id=proposal.proposal_id,
        member_id=item.member_id,
        side=side,
        helped=item.helped,
        became_contact=item.became_contact,
        ladder_step=item.ladder_step,
    )
    feedback = completed.model_dump_json(include={"helped", "became_contact", "ladder_step"})
    await uow.proposals.add_feedback(proposal.proposal_id, side, feedback)
    await uow.emit(completed, event_id=uuid.uuid4())
    return view(await require_proposal(uow, item.proposal_id))


def check_ladder(item: CompleteMatch, region: Region) -> list[FieldError]:
    if item.ladder_step in region.contact_ladder:
        return []
    return [
        FieldError(
            field="ladder_step",
            message="not a step of this region's contact ladder",
            allowed=region.contact_ladder,
        )
    ]


async def get_proposal(
    uow: MatchingUnitOfWork, ctx: CommandContext, item: ProposalRef
) -> ProposalView:
    proposal = await uow.proposals.get(item.proposal_id)
    if proposal is None:
        raise not_found("proposal", item.proposal_id)
    return view(proposal)


async def list_proposals(
    uow: MatchingUnitOfWork, ctx: CommandContext, item: MemberRef
) -> ProposalList:
    """Every proposal with the member on either side, newest first (none for an unknown
    or erased member)."""
    found = await uow.proposals.of_member(item.member_id)
    return ProposalList(member_id=item.member_id, proposals=tuple(view(p) for p in found))


COMMANDS: tuple[Command[Any, Any, Any], ...] = (
    Command(
        name="respond_to_proposal",
        input=RespondToProposal,
        output=ProposalView,
        handle=respond_to_proposal,
        summary="Accept or decline a proposal, as its requester or helper; a decline leads "
        "to the next best proposal.",
        tag=TAG,
    ),
    Command(
        name="complete_match",
        input=CompleteMatch,
        output=ProposalView,
        handle=complete_match,
        summary="Feedback on a confirmed match: did it help, did it become a contact, "
        "which step of the contact ladder.",
        tag=TAG,
        check=check_ladder,
    ),
    Command(
        name="get_proposal",
        input=ProposalRef,
        output=ProposalView,
        handle=get_proposal,
        summary="One proposal with its reasons and state.",
        tag=TAG,
        query=True,
    ),
    Command(
        name="list_proposals",
        input=MemberRef,
        output=ProposalList,
        handle=list_proposals,
        summary="The proposals of a member, as requester or helper, newest first.",
        tag=TAG,
        query=True,
    ),
)
