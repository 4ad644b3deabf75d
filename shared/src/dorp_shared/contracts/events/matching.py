"""Matching's events."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Literal

from pydantic import AwareDatetime, Field

from dorp_shared.contracts.envelope import Event
from dorp_shared.contracts.events.common import MemberScoped, Part, Side


class MatchReason(Part):
    code: str
    detail: str
    weight: float


class MatchProposed(Event):
    area = "matching"
    name = "match_proposed"
    version = 1

    proposal_id: uuid.UUID
    request_id: uuid.UUID
    offer_id: uuid.UUID
    requester_id: uuid.UUID
    helper_id: uuid.UUID
    kind: str
    home_area: str
    score: float
    reasons: tuple[MatchReason, ...]
    explanation: str = Field(description="One human sentence, Dutch")
    explanation_en: str
    needs_connector_review: bool = Field(
        default=False,
        description="a connector reviews it first (the region wants that, or a connector "
        "registered the requester): the parents are asked only after ProposalApproved",
    )
    connector_id: uuid.UUID | None = Field(
        default=None,
        description="the connector who made this pairing by hand (an introduction or a "
        "change in review); such a proposal goes straight to the parents",
    )
    reviewer_id: uuid.UUID | None = Field(
        default=None,
        description="with needs_connector_review: the connector whose queue it is in (the "
        "one who registered the requester, who has no internet); absent: any connector",
    )


class ProposalAccepted(Event):
    """One side of a proposal said yes; the match is confirmed once both did."""

    area = "matching"
    name = "proposal_accepted"
    version = 1

    proposal_id: uuid.UUID
    member_id: uuid.UUID
    side: Side


class ProposalDeclined(Event):
    """One side of a proposal said no; this pair is never proposed again."""

    area = "matching"
    name = "proposal_declined"
    version = 1

    proposal_id: uuid.UUID
    member_id: uuid.UUID
    side: Side


class MatchConfirmed(Event):
    """Both sides accepted: from now on their contact details may be shared."""

    area = "matching"
    name = "match_confirmed"
    version = 1

    proposal_id: uuid.UUID
    request_id: uuid.UUID
    offer_id: uuid.UUID
    requester_id: uuid.UUID
    helper_id: uuid.UUID
    kind: str


class MatchCompleted(Event):
    """Feedback of one side on a confirmed match: did it help, and how far did it get."""

    area = "matching"
    name = "match_completed"
    version = 1

    proposal_id: uuid.UUID
    member_id: uuid.UUID
    side: Side
    helped: bool
    became_contact: bool
    ladder_step: str = Field(description="one of the region's contact_ladder")


class ProposalCancelled(Event):
    """A pending proposal ended without an answer: withdrawn, erased or no consent."""

    area = "matching"
    name = "proposal_cancelled"
    version = 1

    proposal_id: uuid.UUID
    reason: str = Field(description="withdrawn, erased or consent_withdrawn")


class ProposalExpired(Event):
    """Nobody answered in the region's proposal_expiry_days."""

    area = "matching"
    name = "proposal_expired"
    version = 1

    proposal_id: uuid.UUID


class ProposalApproved(Event):
    """A connector approved a proposal under review: now the parents are asked."""

    area = "matching"
    name = "proposal_approved"
    version = 1

    proposal_id: uuid.UUID
    connector_id: uuid.UUID


class ProposalRejected(Event):
    """A connector rejected a proposal under review; the next best goes to review."""

    area = "matching"
    name = "proposal_rejected"
    version = 1

    proposal_id: uuid.UUID
    connector_id: uuid.UUID


class ProposalChanged(Event):
    """A connector chose another offer for the request; the new pairing replaces this one
    (its own MatchProposed follows, straight to the parents)."""

    area = "matching"
    name = "proposal_changed"
    version = 1

    proposal_id: uuid.UUID
    connector_id: uuid.UUID
    new_proposal_id: uuid.UUID
    offer_id: uuid.UUID = Field(description="the offer the connector chose instead")


class ProposalReviewOverdue(Event):
    """A proposal has waited longer than the region's ``connector_review_hours`` for a
    connector's review. Raised once per proposal; the connectors should be reminded."""

    area = "matching"
    name = "proposal_review_overdue"
    version = 1

    proposal_id: uuid.UUID
    request_id: uuid.UUID
    kind: str
    home_area: str
    waiting_since: AwareDatetime = Field(description="when the proposal entered review")
    review_hours: int = Field(description="the region's connector_review_hours")
    connector_ids: tuple[uuid.UUID, ...] = Field(
        default=(),
        description="the region's connectors known to matching (role connector, with "
        "consent): each should be told; empty when matching knows none",
    )


class CoffeeDatePaired(MemberScoped):
    """A member was paired into a coffee or tea date. One event per participant (the
    subject ends in ``member_id``, the one to tell); ``partner_ids`` are the other one or
    two members of the same date."""

    area = "matching"
    name = "coffee_date_paired"
    version = 1

    date_id: uuid.UUID = Field(description="the same for every participant of this date")
    round_id: uuid.UUID = Field(description="the pairing round that made this date")
    partner_ids: tuple[uuid.UUID, ...] = Field(min_length=1, max_length=2)
    school_organisation_id: uuid.UUID | None = Field(
        default=None, description="the school whose parents were paired, or None for a kern"
    )
    home_area: str | None = Field(default=None, description="the kern/wijk when not a school")
    meet_by: date = Field(description="suggested: meet before this day (region time zone)")
    score: float
    reasons: tuple[MatchReason, ...]
    explanation: str = Field(description="One human sentence, Dutch")
    explanation_en: str


class RecommendedSession(Part):
    """A session of an existing initiative with places left, and why it fits."""

    session_id: uuid.UUID
    initiative_id: uuid.UUID
    initiative_name: str
    initiative_kind: str
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    place: str
    home_area: str
    places_left: int | None = Field(description="None: an open event without sign-up")
    score: float
    reasons: tuple[MatchReason, ...]
    explanation: str = Field(description="One human sentence, Dutch")
    explanation_en: str


class SessionsRecommended(MemberScoped):
    """Sessions of existing initiatives recommended to a member ("sluit aan bij wat er
    is"): to a new member, or for a help request an activity serves better than one helper.
    The member (``member_id``) should be told."""

    area = "matching"
    name = "sessions_recommended"
    version = 1

    recommendation_id: uuid.UUID
    trigger: Literal["new_member", "request"]
    request_id: uuid.UUID | None = Field(default=None, description="set when trigger is request")
    sessions: tuple[RecommendedSession, ...] = Field(min_length=1)
