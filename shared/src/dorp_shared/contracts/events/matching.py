"""Matching's events."""

from __future__ import annotations

import uuid

from pydantic import Field

from dorp_shared.contracts.envelope import Event
from dorp_shared.contracts.events.common import Part, Side


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
        description="the region wants a connector's review first: the parents are asked "
        "only after ProposalApproved",
    )
    connector_id: uuid.UUID | None = Field(
        default=None,
        description="the connector who made this pairing by hand (an introduction or a "
        "change in review); such a proposal goes straight to the parents",
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
