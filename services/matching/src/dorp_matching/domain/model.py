"""What matching knows about members, requests (vraag), offers (aanbod) and proposals.

Only what matching needs is kept: no names, contact details or free text.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from dorp_shared.contracts import MatchReason

PROPOSED = "proposed"
ACTIVE_STATUSES: tuple[str, ...] = (PROPOSED, "accepted")
"""Proposals that hold a request and use up a slot of the offer's capacity."""


@dataclass(frozen=True)
class Member:
    member_id: uuid.UUID
    home_area: str
    languages: tuple[str, ...]
    age_bands: tuple[str, ...]
    consents_matching: bool


@dataclass(frozen=True)
class Request:
    request_id: uuid.UUID
    member_id: uuid.UUID
    kind: str
    home_area: str
    languages: tuple[str, ...]
    age_band: str | None
    expires_at: datetime | None
    requested_at: datetime


@dataclass(frozen=True)
class Offer:
    offer_id: uuid.UUID
    member_id: uuid.UUID
    kind: str
    home_area: str
    languages: tuple[str, ...]
    age_bands: tuple[str, ...]
    capacity: int
    expires_at: datetime | None
    offered_at: datetime


@dataclass(frozen=True)
class Candidate:
    """An offer as matching sees it: with its helper and how busy both already are."""

    offer: Offer
    helper: Member
    offer_load: int
    helper_load: int


@dataclass(frozen=True)
class Waiting:
    """A request without an active proposal, with the member who asked."""

    request: Request
    requester: Member


@dataclass(frozen=True)
class Proposal:
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
    status: str = PROPOSED


def is_open(expires_at: datetime | None, at: datetime) -> bool:
    return expires_at is None or expires_at > at
