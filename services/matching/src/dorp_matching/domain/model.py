"""What matching knows about members, requests (vraag), offers (aanbod) and proposals.

Only what matching needs is kept: no names, contact details or free text.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from dorp_shared.contracts import MatchReason

AWAITING_REVIEW = "awaiting_review"
PROPOSED = "proposed"
ACCEPTED = "accepted"
CONFIRMED = "confirmed"
COMPLETED = "completed"
DECLINED = "declined"
EXPIRED = "expired"
CANCELLED = "cancelled"
REJECTED = "rejected"
PENDING_STATUSES: tuple[str, ...] = (AWAITING_REVIEW, PROPOSED, ACCEPTED)
"""Proposals waiting for a connector or an answer: they can be cancelled; the parents'
answer and expiry start once a connector approved (or no review is needed)."""
ACTIVE_STATUSES: tuple[str, ...] = (*PENDING_STATUSES, CONFIRMED)
"""Proposals that hold a request and use up a slot of the offer's capacity."""


@dataclass(frozen=True)
class Member:
    member_id: uuid.UUID
    home_area: str
    languages: tuple[str, ...]
    age_bands: tuple[str, ...]
    consents_matching: bool
    role: str = "parent"
    interests: tuple[str, ...] = ()
    registered_by: str = "self"
    """Who registered the member: self, partner, connector or staff."""
    connector_id: uuid.UUID | None = None
    """The connector who registered this parent on their behalf (no internet)."""


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
    time_windows: tuple[str, ...] = ()
    prefers_known_people: bool = False


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
    time_windows: tuple[str, ...] = ()


@dataclass(frozen=True)
class Candidate:
    """An offer as matching sees it: with its helper and how busy both already are."""

    offer: Offer
    helper: Member
    offer_load: int
    helper_load: int
    """Active proposals and matches of the helper over all their offers."""
    helper_recent: int = 0
    """Proposals to the helper in the region's ``recent_load_days`` that ended (completed,
    declined, expired, cancelled): the past beside ``helper_load`` (spread the help)."""


@dataclass(frozen=True)
class History:
    """What happened before between a requester (and their request) and others."""

    declined_with: frozenset[uuid.UUID] = frozenset()
    """Members who declined a proposal with this requester (either side): never again."""
    tried_offers: frozenset[uuid.UUID] = frozenset()
    """Offers proposed for this request before: the next best is another one."""
    met_with: frozenset[uuid.UUID] = frozenset()
    """Members with whom this requester had a confirmed match."""


@dataclass(frozen=True)
class Waiting:
    """A request without an active proposal, with the member who asked."""

    request: Request
    requester: Member
    history: History = History()


@dataclass(frozen=True)
class CandidateSearch:
    """Which offers to look at for a waiting request: open ones of its kind in ``areas``
    that can take one more, at most ``per_area`` of each area in a shared language and as
    many of any language, oldest first. The scoring then picks the best of these."""

    waiting: Waiting
    areas: tuple[str, ...]
    at: datetime
    since: datetime
    """Proposals to a helper since then count as their recent load."""
    helper_capacity: int
    per_area: int = 10
    language_slice: bool = True
    """Also a slice in a shared language; not needed when the requester speaks only the
    region's default language, which nearly every offer shares."""


@dataclass(frozen=True)
class SliceKey:
    """One slice of a candidate search: offers of a kind in an area, in one of
    ``languages`` (a shared language) or, when empty, in any language."""

    kind: str
    area: str
    languages: tuple[str, ...] = ()


@dataclass(frozen=True)
class PoolRead:
    """Slices of many candidate searches read at once: each at most its limit of open
    offers that can take one more at ``at`` (loads as ``CandidateSearch``)."""

    limits: dict[SliceKey, int]
    at: datetime
    since: datetime
    helper_capacity: int


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
    requester_answer: str | None = None
    helper_answer: str | None = None
    expires_at: datetime | None = None
    ended_reason: str | None = None
    reviewer_id: uuid.UUID | None = None
    """While awaiting review: the connector whose queue it is in (the one who registered
    the parent); None: any connector of the region."""


def is_open(expires_at: datetime | None, at: datetime) -> bool:
    return expires_at is None or expires_at > at
