"""Candidate selection and scoring of offers for a request.

Hard rules (a candidate or not): same kind, another member, both consented to matching,
at most one area apart, capacity left on the offer and on the helper (``helper_limit``:
over all their offers), neither expired, never a pair that declined before
and never an offer proposed for the request before. Everything else only scores: same area
above neighbours, a shared language, a fitting age band, overlapping time windows, a less
busy helper and one with fewer recent proposals (spreading the load), and a helper met
before when the requester asks for it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import datetime
from typing import NamedTuple

from dorp_matching.domain import wording
from dorp_matching.domain.model import (
    Candidate,
    History,
    Member,
    Offer,
    Proposal,
    Request,
    Waiting,
    is_open,
)
from dorp_shared.contracts import MatchReason
from dorp_shared.regions import Region

MAX_DISTANCE = 1
WEIGHT_KIND = 1.0
WEIGHT_SAME_AREA = 3.0
WEIGHT_NEIGHBOUR_AREA = 1.5
WEIGHT_SHARED_LANGUAGE = 2.0
WEIGHT_AGE_BAND = 1.5
WEIGHT_AGE_BAND_OPEN = 0.75
WEIGHT_FREE_HELPER = 1.0
WEIGHT_TIME_OVERLAP = 1.5
WEIGHT_TIME_OPEN = 0.5
WEIGHT_MET_BEFORE = 2.0
WEIGHT_RECENT_LOAD = 1.0
"""The most a busy recent past can take off a score (approached, never reached)."""

NO_HISTORY = History()

_PROPOSAL_NAMESPACE = uuid.UUID("5d1f6c1e-7a57-4c39-9b53-6d6174636869")


def proposal_id(request_id: uuid.UUID, offer_id: uuid.UUID) -> uuid.UUID:
    """Deterministic, so a replay derives the same proposal (and event) id."""
    return uuid.uuid5(_PROPOSAL_NAMESPACE, f"{request_id}/{offer_id}")


def helper_limit(offer: Offer, region_capacity: int) -> int:
    """How many people a helper helps at once over all their offers: the region's
    ``helper_capacity``, or more when this offer itself says it can help more (a helper
    with three small offers is not overloaded; one who offers to help 20 may)."""
    return max(region_capacity, offer.capacity)


def is_candidate(
    request: Request,
    requester: Member,
    candidate: Candidate,
    region: Region,
    at: datetime,
    history: History = NO_HISTORY,
) -> bool:
    offer, helper = candidate.offer, candidate.helper
    return (
        offer.kind == request.kind
        and offer.member_id not in history.declined_with
        and offer.offer_id not in history.tried_offers
        and requester.member_id == request.member_id
        and helper.member_id == offer.member_id
        and offer.member_id != request.member_id
        and requester.consents_matching
        and helper.consents_matching
        and region.area_distance(request.home_area, offer.home_area) <= MAX_DISTANCE
        and candidate.offer_load < offer.capacity
        and candidate.helper_load < helper_limit(offer, region.matching.helper_capacity)
        and is_open(offer.expires_at, at)
        and is_open(request.expires_at, at)
    )


def shared_languages(
    request: Request, requester: Member, offer: Offer, helper: Member
) -> list[str]:
    """Languages both speak, in the requester's order; a member's profile fills in for an
    empty list on the request or offer."""
    theirs = set(offer.languages or helper.languages)
    ours = dict.fromkeys(request.languages or requester.languages)
    return [code for code in ours if code in theirs]


def _age_reason(request: Request, offer: Offer) -> tuple[str, str, float] | None:
    if request.age_band is not None and request.age_band in offer.age_bands:
        return ("age_band", request.age_band, WEIGHT_AGE_BAND)
    if request.age_band is None or not offer.age_bands:
        return ("age_band_open", request.age_band or "any", WEIGHT_AGE_BAND_OPEN)
    return None


class Fit(NamedTuple):
    """How a request and an offer fit, computed once for the score and the sentence (a
    named tuple: one is built for every candidate ranked)."""

    distance: int
    languages: list[str]
    windows: list[str] | None
    """Shared time windows; None when either side named none (any time)."""
    load: int
    recent: int
    met_before: bool


def shared_windows(request: Request, offer: Offer) -> list[str] | None:
    """Time windows both named, in the requester's order; None if either named none."""
    if not request.time_windows or not offer.time_windows:
        return None
    theirs = set(offer.time_windows)
    return [window for window in request.time_windows if window in theirs]


def fit(
    request: Request, requester: Member, candidate: Candidate, region: Region, history: History
) -> Fit:
    offer = candidate.offer
    return Fit(
        distance=region.area_distance(request.home_area, offer.home_area),
        languages=shared_languages(request, requester, offer, candidate.helper),
        windows=shared_windows(request, offer),
        load=candidate.helper_load,
        recent=candidate.helper_recent,
        met_before=request.prefers_known_people and offer.member_id in history.met_with,
    )


Weighed = tuple[str, str, float]
"""A reason as plain data (code, detail, weight): ranking many candidates builds no models."""


def _weighed(request: Request, offer: Offer, found: Fit) -> list[Weighed]:
    weighed: list[Weighed] = [("same_kind", request.kind, WEIGHT_KIND)]
    if found.distance == 0:
        weighed.append(("same_area", offer.home_area, WEIGHT_SAME_AREA))
    else:
        detail = f"{request.home_area}/{offer.home_area}"
        weighed.append(("neighbour_area", detail, WEIGHT_NEIGHBOUR_AREA))
    if found.languages:
        weighed.append(("shared_language", ",".join(found.languages), WEIGHT_SHARED_LANGUAGE))
    age = _age_reason(request, offer)
    if age is not None:
        weighed.append(age)
    weighed += _time_reasons(found.windows)
    weighed.append(
        ("helper_load", str(found.load), round(WEIGHT_FREE_HELPER / (1 + found.load), 3))
    )
    if found.recent:
        penalty = -round(WEIGHT_RECENT_LOAD * found.recent / (1 + found.recent), 3)
        weighed.append(("recent_load", str(found.recent), penalty))
    if found.met_before:
        weighed.append(("met_before", "", WEIGHT_MET_BEFORE))
    return weighed


def _reasons(request: Request, offer: Offer, found: Fit) -> tuple[MatchReason, ...]:
    return tuple(
        MatchReason(code=code, detail=detail, weight=weight)
        for code, detail, weight in _weighed(request, offer, found)
    )


def _time_reasons(windows: list[str] | None) -> list[Weighed]:
    if windows is None:
        return [("time_open", "any", WEIGHT_TIME_OPEN)]
    if windows:
        return [("time_overlap", ",".join(windows), WEIGHT_TIME_OVERLAP)]
    return []


def _explain(request: Request, offer: Offer, found: Fit, region: Region, *, english: bool) -> str:
    other = region.area_name(offer.home_area) if found.distance else None
    return wording.sentence(
        [
            wording.met_phrase(english=english) if found.met_before else "",
            wording.area_phrase(region.area_name(request.home_area), other, english=english),
            wording.language_phrase(found.languages, english=english) if found.languages else "",
            wording.kind_phrase(request.kind, request.age_band, offer.age_bands, english=english),
            wording.time_phrase(found.windows, english=english) if found.windows else "",
            wording.load_phrase(found.load, english=english) if found.load else "",
            wording.recent_phrase(found.recent, english=english) if found.recent else "",
        ]
    )


def score(
    request: Request,
    requester: Member,
    candidate: Candidate,
    region: Region,
    history: History = NO_HISTORY,
) -> float:
    """The score of one (already eligible) pairing, without its sentences: ranking many
    candidates needs only this; the chosen one is then explained by ``propose``."""
    found = fit(request, requester, candidate, region, history)
    return round(sum(weight for _, _, weight in _weighed(request, candidate.offer, found)), 3)


def propose(
    request: Request,
    requester: Member,
    candidate: Candidate,
    region: Region,
    history: History = NO_HISTORY,
) -> Proposal:
    """Score and explain one (already eligible) pairing."""
    offer = candidate.offer
    found = fit(request, requester, candidate, region, history)
    reasons = _reasons(request, offer, found)
    return Proposal(
        proposal_id=proposal_id(request.request_id, offer.offer_id),
        request_id=request.request_id,
        offer_id=offer.offer_id,
        requester_id=request.member_id,
        helper_id=offer.member_id,
        kind=request.kind,
        home_area=request.home_area,
        score=round(sum(reason.weight for reason in reasons), 3),
        reasons=reasons,
        explanation=_explain(request, offer, found, region, english=False),
        explanation_en=_explain(request, offer, found, region, english=True),
    )


def choose_offer(
    request: Request,
    requester: Member,
    candidates: Iterable[Candidate],
    region: Region,
    at: datetime,
    history: History = NO_HISTORY,
) -> Proposal | None:
    """The best eligible offer for a request; ties go to the oldest offer. Never a member
    who declined this requester before, nor an offer proposed for this request before.

    Ranked with :class:`Ranking` (the same rules and scores as ``is_candidate`` and
    ``score``, without building a reason per candidate); only the winner is explained."""
    ranking = Ranking(request, requester, region, at, history)
    if not ranking.possible:
        return None
    best: Candidate | None = None
    best_key: tuple[float, datetime, uuid.UUID] | None = None
    for candidate in candidates:
        if not ranking.eligible(candidate):
            continue
        offer = candidate.offer
        key = (-ranking.score(candidate), offer.offered_at, offer.offer_id)
        if best_key is None or key < best_key:
            best, best_key = candidate, key
    if best is None:
        return None
    return propose(request, requester, best, region, history)


class Ranking:
    """``is_candidate`` and ``score`` for many candidates of one request: what depends on
    the request alone is worked out once (a unit test holds both to the same answers)."""

    __slots__ = (
        "_age_band",
        "_at",
        "_capacity",
        "_declined",
        "_home",
        "_kind",
        "_member_id",
        "_met",
        "_near",
        "_ours",
        "_tried",
        "_windows",
        "possible",
    )

    def __init__(
        self,
        request: Request,
        requester: Member,
        region: Region,
        at: datetime,
        history: History = NO_HISTORY,
    ) -> None:
        self.possible = (
            requester.member_id == request.member_id
            and requester.consents_matching
            and is_open(request.expires_at, at)
        )
        """False: no candidate can be eligible (the requester's side fails)."""
        self._kind = request.kind
        self._member_id = request.member_id
        self._declined = history.declined_with
        self._tried = history.tried_offers
        self._home = request.home_area
        self._near = region.neighbours_of(request.home_area)
        self._capacity = region.matching.helper_capacity
        self._at = at
        self._ours = frozenset(request.languages or requester.languages)
        self._age_band = request.age_band
        self._windows = frozenset(request.time_windows)
        self._met = history.met_with if request.prefers_known_people else frozenset()

    def eligible(self, candidate: Candidate) -> bool:
        """``is_candidate`` for a request whose own side passed (``possible``)."""
        offer, helper = candidate.offer, candidate.helper
        area = offer.home_area
        return (
            offer.kind == self._kind
            and offer.member_id not in self._declined
            and offer.offer_id not in self._tried
            and helper.member_id == offer.member_id
            and offer.member_id != self._member_id
            and helper.consents_matching
            and (area == self._home or area in self._near)
            and candidate.offer_load < offer.capacity
            and candidate.helper_load < max(self._capacity, offer.capacity)
            and (offer.expires_at is None or offer.expires_at > self._at)
        )

    def score(self, candidate: Candidate) -> float:
        """``score``: the same weights, summed in the same order."""
        offer = candidate.offer
        weights = [WEIGHT_KIND]
        weights.append(WEIGHT_SAME_AREA if offer.home_area == self._home else WEIGHT_NEIGHBOUR_AREA)
        if not self._ours.isdisjoint(offer.languages or candidate.helper.languages):
            weights.append(WEIGHT_SHARED_LANGUAGE)
        band = self._age_band
        if band is not None and band in offer.age_bands:
            weights.append(WEIGHT_AGE_BAND)
        elif band is None or not offer.age_bands:
            weights.append(WEIGHT_AGE_BAND_OPEN)
        if not self._windows or not offer.time_windows:
            weights.append(WEIGHT_TIME_OPEN)
        elif not self._windows.isdisjoint(offer.time_windows):
            weights.append(WEIGHT_TIME_OVERLAP)
        load = candidate.helper_load
        weights.append(round(WEIGHT_FREE_HELPER / (1 + load), 3))
        recent = candidate.helper_recent
        if recent:
            weights.append(-round(WEIGHT_RECENT_LOAD * recent / (1 + recent), 3))
        if offer.member_id in self._met:
            weights.append(WEIGHT_MET_BEFORE)
        return round(sum(weights), 3)


def serve_waiting(
    candidate: Candidate, waiting: Sequence[Waiting], region: Region, at: datetime
) -> list[Proposal]:
    """Propose a new offer to the waiting requests it can serve, oldest first, while its
    capacity lasts."""
    proposals: list[Proposal] = []
    current = candidate
    ordered = sorted(waiting, key=lambda w: (w.request.requested_at, str(w.request.request_id)))
    for item in ordered:
        if any(p.request_id == item.request.request_id for p in proposals):
            continue
        if not is_candidate(item.request, item.requester, current, region, at, item.history):
            continue
        proposals.append(propose(item.request, item.requester, current, region, item.history))
        current = replace(
            current,
            offer_load=current.offer_load + 1,
            helper_load=current.helper_load + 1,
            helper_recent=current.helper_recent + 1,
        )
    return proposals
