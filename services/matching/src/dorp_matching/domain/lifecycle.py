"""The life of a proposal: answered by each side, confirmed, completed, expired or cancelled.

proposed --one side accepts--> accepted --other side accepts--> confirmed --feedback--> completed
proposed/accepted --either side declines--> declined (the pair is never proposed again)
proposed/accepted --nobody answered in time--> expired
proposed/accepted --withdrawn, erased, no consent--> cancelled

With a connector in the loop a new proposal starts as awaiting_review (no answer deadline):
awaiting_review --approved--> proposed; --rejected--> rejected (the next best is reviewed);
--changed to another offer--> cancelled (the connector's pairing is proposed instead).
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Literal

from dorp_matching.domain.model import (
    ACCEPTED,
    AWAITING_REVIEW,
    CANCELLED,
    COMPLETED,
    CONFIRMED,
    DECLINED,
    EXPIRED,
    PENDING_STATUSES,
    PROPOSED,
    REJECTED,
    Proposal,
)
from dorp_shared.contracts.events import Side

Answer = Literal["accept", "decline"]
ANSWERS: tuple[Answer, ...] = ("accept", "decline")
Outcome = Literal["unchanged", "accepted", "confirmed", "declined"]


class LifecycleError(Exception):
    """The step is not allowed in the proposal's state; ``field`` names what is wrong."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def side_of(proposal: Proposal, member_id: uuid.UUID) -> Side:
    if member_id == proposal.requester_id:
        return "request"
    if member_id == proposal.helper_id:
        return "offer"
    raise LifecycleError("member_id", "is neither the requester nor the helper of this proposal")


def is_pending(proposal: Proposal) -> bool:
    return proposal.status in PENDING_STATUSES


def expiry(created_at: datetime, days: int) -> datetime:
    return created_at + timedelta(days=days)


def is_due(proposal: Proposal, at: datetime) -> bool:
    """Pending and not answered in time."""
    return is_pending(proposal) and proposal.expires_at is not None and proposal.expires_at <= at


def respond(proposal: Proposal, member_id: uuid.UUID, answer: Answer) -> tuple[Proposal, Outcome]:
    """Record one side's answer. Repeating the same answer changes nothing; changing an
    answer, or answering a proposal that is no longer pending, is an error."""
    side = side_of(proposal, member_id)
    given = proposal.requester_answer if side == "request" else proposal.helper_answer
    if given == answer:
        return proposal, "unchanged"
    if proposal.status == AWAITING_REVIEW:
        raise LifecycleError("proposal_id", "is awaiting a connector's review")
    if not is_pending(proposal):
        raise LifecycleError("proposal_id", f"is {proposal.status}, no longer open for answers")
    if given is not None:
        raise LifecycleError("answer", f"this side already answered {given}")
    answered = (
        replace(proposal, requester_answer=answer)
        if side == "request"
        else replace(proposal, helper_answer=answer)
    )
    if answer == "decline":
        return replace(answered, status=DECLINED, ended_reason="declined"), "declined"
    if answered.requester_answer == answered.helper_answer == "accept":
        return replace(answered, status=CONFIRMED), "confirmed"
    return replace(answered, status=ACCEPTED), "accepted"


def complete(proposal: Proposal, member_id: uuid.UUID) -> Side:
    """Which side gives feedback; only a confirmed (or already completed) match takes it."""
    side = side_of(proposal, member_id)
    if proposal.status not in (CONFIRMED, COMPLETED):
        raise LifecycleError("proposal_id", f"is {proposal.status}, not a confirmed match")
    return side


def end(proposal: Proposal, status: Literal["expired", "cancelled"], reason: str) -> Proposal:
    if not is_pending(proposal):
        raise LifecycleError("proposal_id", f"is {proposal.status}, not pending")
    assert status in (EXPIRED, CANCELLED)
    return replace(proposal, status=status, ended_reason=reason)


Decision = Literal["approve", "reject", "change"]
DECISIONS: tuple[Decision, ...] = ("approve", "reject", "change")


def offered(
    proposal: Proposal,
    at: datetime,
    days: int,
    *,
    review: bool,
    reviewer_id: uuid.UUID | None = None,
) -> Proposal:
    """A new proposal: first to a connector (no deadline yet; ``reviewer_id``: in that
    connector's queue), or straight to the parents with the region's answer deadline."""
    if review:
        return replace(proposal, status=AWAITING_REVIEW, expires_at=None, reviewer_id=reviewer_id)
    return replace(proposal, status=PROPOSED, expires_at=expiry(at, days))


def _under_review(proposal: Proposal) -> None:
    if proposal.status != AWAITING_REVIEW:
        raise LifecycleError("proposal_id", f"is {proposal.status}, not awaiting review")


def approve(proposal: Proposal, at: datetime, days: int) -> Proposal:
    """The connector's yes: the parents are asked now, and their deadline starts."""
    _under_review(proposal)
    return offered(proposal, at, days, review=False)


def reject(proposal: Proposal) -> Proposal:
    """The connector's no: this pairing ends (without counting as a parent's decline)."""
    _under_review(proposal)
    return replace(proposal, status=REJECTED, ended_reason="rejected_by_connector")


def set_aside(proposal: Proposal) -> Proposal:
    """The connector chose another offer: this pairing gives way to theirs."""
    _under_review(proposal)
    return replace(proposal, status=CANCELLED, ended_reason="changed_by_connector")
