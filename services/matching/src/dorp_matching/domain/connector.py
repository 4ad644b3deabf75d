"""A connector's hand in matching: which pairings they may make, how those are marked, and
which proposals wait for their review first.

A connector knows the families, so their pairing skips scoring thresholds such as the
distance between kernen. The rules that protect people still hold: same kind, no own offer,
both consented to matching, never a pair that declined before, never an offer already
proposed for the request, capacity left, and neither expired.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime

from dorp_matching.domain.matching import NO_HISTORY, helper_limit, propose
from dorp_matching.domain.model import Candidate, History, Member, Proposal, Request, is_open
from dorp_shared.contracts import MatchReason
from dorp_shared.regions import Region

CONNECTOR = "connector"
INTRODUCTION = "connector_introduction"
CHANGE = "connector_change"


@dataclass(frozen=True)
class Problem:
    """Why a pairing may not be made, and which input field is to blame."""

    field: str
    message: str


def pairing_problem(
    request: Request,
    requester: Member,
    candidate: Candidate,
    at: datetime,
    history: History = NO_HISTORY,
    *,
    helper_capacity: int | None = None,
) -> Problem | None:
    """The first rule this pairing breaks, or None. ``helper_capacity``: the region's
    limit over all the helper's offers (None: only the offer's own capacity)."""
    offer, helper = candidate.offer, candidate.helper
    helper_full = helper_capacity is not None and candidate.helper_load >= helper_limit(
        offer, helper_capacity
    )
    checks = (
        (offer.kind != request.kind, "offer_id", f"offers {offer.kind}, not {request.kind}"),
        (offer.member_id == request.member_id, "offer_id", "is the requester's own offer"),
        (not requester.consents_matching, "request_id", "the requester has no matching consent"),
        (not helper.consents_matching, "offer_id", "the helper has no matching consent"),
        (
            offer.member_id in history.declined_with,
            "offer_id",
            "the helper and the requester declined a proposal together before",
        ),
        (
            offer.offer_id in history.tried_offers,
            "offer_id",
            "was proposed for this request before",
        ),
        (candidate.offer_load >= offer.capacity, "offer_id", "has no capacity left"),
        (helper_full, "offer_id", "the helper already helps as many people as they can"),
        (not is_open(offer.expires_at, at), "offer_id", "has expired"),
        (not is_open(request.expires_at, at), "request_id", "has expired"),
    )
    return next((Problem(field, message) for failed, field, message in checks if failed), None)


def hand_made(
    request: Request,
    requester: Member,
    candidate: Candidate,
    region: Region,
    code: str,
    history: History = NO_HISTORY,
) -> Proposal:
    """The connector's pairing, scored and explained as any other, with their mark among
    the reasons (weightless: the connector's judgement is not a score)."""
    proposal = propose(request, requester, candidate, region, history)
    mark = MatchReason(code=code, detail="", weight=0.0)
    return replace(proposal, reasons=(*proposal.reasons, mark))


def is_connector(member: Member | None) -> bool:
    return member is not None and member.role == CONNECTOR


@dataclass(frozen=True)
class Review:
    """Whether a new proposal waits for a connector first, and in whose queue
    (``connector_id`` None: any connector of the region)."""

    needed: bool
    connector_id: uuid.UUID | None = None


NO_REVIEW = Review(needed=False)


def review_for(
    requester: Member | None, *, region_reviews: bool, made_by: uuid.UUID | None = None
) -> Review:
    """Who reviews a new proposal before the parents are asked.

    A connector's own pairing (``made_by``) goes straight to the parents. A request of a
    parent whom a connector registered on their behalf always goes to that connector
    first, whatever the region's setting: that parent has no internet and the connector
    is their contact, who passes the proposal on (or changes it). A parent a partner's
    connector registered (no connector id known here) goes to any connector. Otherwise
    the region decides (``connector_reviews_proposals``)."""
    if made_by is not None:
        return NO_REVIEW
    if requester is not None and requester.registered_by == CONNECTOR:
        return Review(needed=True, connector_id=requester.connector_id)
    return Review(needed=region_reviews)


def may_review(proposal: Proposal, connector_id: uuid.UUID) -> bool:
    """A proposal in one connector's queue is theirs to review; others are anyone's."""
    return proposal.reviewer_id in (None, connector_id)
