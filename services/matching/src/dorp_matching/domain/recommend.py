"""What already exists ("sluit aan bij wat er is"): sessions of existing initiatives that
fit a member, by kern (and neighbours), theme, age band, language and places left.

Hard rules: the session lies ahead, is not cancelled, has a place left (or is an open
event), lies in the member's area or a neighbouring one, and, when it names age bands or
languages, shares one with the member. The rest scores.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from dorp_matching.domain import wording
from dorp_matching.domain.model import Member
from dorp_shared import vocabulary
from dorp_shared.contracts import MatchReason
from dorp_shared.regions import Region

WEIGHT_SAME_AREA = 3.0
WEIGHT_NEIGHBOUR_AREA = 1.5
WEIGHT_LANGUAGE = 2.0
WEIGHT_AGE_BAND = 1.5
WEIGHT_THEME = 1.0
WEIGHT_SERVES_REQUEST = 2.0

_NAMESPACE = uuid.UUID("a3c1d7e2-52f4-4f0e-9d55-7265636f6d6d")


@dataclass(frozen=True)
class SessionOffer:
    """A session as matching projects it, with its initiative and confirmed sign-ups."""

    session_id: uuid.UUID
    initiative_id: uuid.UUID
    initiative_name: str
    initiative_kind: str
    themes: tuple[str, ...]
    """The initiative's themes and the session's own theme."""
    starts_at: datetime
    ends_at: datetime
    place: str
    home_area: str
    capacity: int | None
    signed_up: int
    languages: tuple[str, ...] = ()
    age_bands: tuple[str, ...] = ()

    @property
    def places_left(self) -> int | None:
        return None if self.capacity is None else max(0, self.capacity - self.signed_up)


@dataclass(frozen=True)
class Recommendation:
    session: SessionOffer
    score: float
    reasons: tuple[MatchReason, ...]
    explanation: str
    explanation_en: str


def recommendation_id(member_id: uuid.UUID, request_id: uuid.UUID | None) -> uuid.UUID:
    """Deterministic per member (and request), so a replay recommends only once."""
    return uuid.uuid5(_NAMESPACE, f"{member_id}/{request_id or 'new_member'}")


def fits(
    member: Member, session: SessionOffer, region: Region, at: datetime, signed: set[uuid.UUID]
) -> bool:
    left = session.places_left
    return (
        session.starts_at > at
        and (left is None or left > 0)
        and session.session_id not in signed
        and region.area_distance(member.home_area, session.home_area) <= 1
        and (
            not session.age_bands
            or not member.age_bands
            or _shares(member.age_bands, session.age_bands)
        )
        and (not session.languages or _shares(member.languages, session.languages))
    )


def _shares(ours: Iterable[str], theirs: Iterable[str]) -> bool:
    return bool(set(ours) & set(theirs))


def serves(session: SessionOffer, kinds_or_themes: Sequence[str]) -> bool:
    """The session's initiative is of one of these kinds, or has one of these themes."""
    wanted = set(kinds_or_themes)
    return session.initiative_kind in wanted or bool(wanted & set(session.themes))


def score(
    member: Member,
    session: SessionOffer,
    region: Region,
    *,
    request_kind: str | None = None,
) -> Recommendation:
    distance = region.area_distance(member.home_area, session.home_area)
    reasons = [
        MatchReason(code="same_area", detail=session.home_area, weight=WEIGHT_SAME_AREA)
        if distance == 0
        else MatchReason(
            code="neighbour_area",
            detail=f"{member.home_area}/{session.home_area}",
            weight=WEIGHT_NEIGHBOUR_AREA,
        )
    ]
    languages = [code for code in member.languages if code in session.languages]
    if languages:
        reasons.append(
            MatchReason(code="shared_language", detail=",".join(languages), weight=WEIGHT_LANGUAGE)
        )
    bands = [band for band in member.age_bands if band in session.age_bands]
    if bands:
        reasons.append(MatchReason(code="age_band", detail=",".join(bands), weight=WEIGHT_AGE_BAND))
    themes = [t for t in member.interests if t in session.themes]
    if themes:
        reasons.append(
            MatchReason(code="theme", detail=",".join(themes), weight=WEIGHT_THEME * len(themes))
        )
    if request_kind is not None:
        reasons.append(
            MatchReason(code="serves_request", detail=request_kind, weight=WEIGHT_SERVES_REQUEST)
        )
    left = session.places_left
    reasons.append(
        MatchReason(code="places_left", detail="open" if left is None else str(left), weight=0.0)
    )
    return Recommendation(
        session=session,
        score=round(sum(r.weight for r in reasons), 3),
        reasons=tuple(reasons),
        explanation=_explain(member, session, region, languages, request_kind, english=False),
        explanation_en=_explain(member, session, region, languages, request_kind, english=True),
    )


def _explain(
    member: Member,
    session: SessionOffer,
    region: Region,
    languages: Sequence[str],
    request_kind: str | None,
    *,
    english: bool,
) -> str:
    area = region.area_name(session.home_area)
    near = area if session.home_area == member.home_area else None
    left = session.places_left
    if english:
        parts = [
            f"{session.initiative_name} in {area}" + ("" if near else " (next to your area)"),
            f"it helps with {vocabulary.kind_phrase(request_kind, 'en')}" if request_kind else "",
            f"in {_names(languages, english=True)}" if languages else "",
            "open to everyone" if left is None else f"{left} place{'s' if left != 1 else ''} left",
        ]
    else:
        parts = [
            f"{session.initiative_name} in {area}" + ("" if near else " (naast jouw buurt)"),
            f"dit helpt bij {vocabulary.kind_phrase(request_kind, 'nl')}" if request_kind else "",
            f"in het {_names(languages, english=False)}" if languages else "",
            "iedereen is welkom"
            if left is None
            else f"nog {left} plek{'ken' if left != 1 else ''} vrij",
        ]
    return wording.sentence(parts)


def _names(codes: Sequence[str], *, english: bool) -> str:
    language = "en" if english else "nl"
    words = [vocabulary.language_name(code, language) for code in codes]
    return wording.enumerate_words(words, english=english)


def recommend(
    member: Member,
    sessions: Iterable[SessionOffer],
    region: Region,
    at: datetime,
    *,
    signed: set[uuid.UUID] | None = None,
    request_kind: str | None = None,
) -> list[Recommendation]:
    """The best fitting sessions, at most the region's ``recommendations_max``, one per
    initiative (its next session), best first, earlier first on equal scores."""
    wanted = region.matching.activity_kinds_for_help.get(request_kind or "", ())
    found = [
        score(member, s, region, request_kind=request_kind)
        for s in sessions
        if fits(member, s, region, at, signed or set())
        and (request_kind is None or serves(s, wanted))
    ]
    found.sort(key=lambda r: (-r.score, r.session.starts_at, str(r.session.session_id)))
    chosen: list[Recommendation] = []
    seen: set[uuid.UUID] = set()
    for item in found:
        if item.session.initiative_id in seen:
            continue
        seen.add(item.session.initiative_id)
        chosen.append(item)
        if len(chosen) == region.matching.recommendations_max:
            break
    return chosen
