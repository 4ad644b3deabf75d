"""Small builders of matching's domain objects and registration events, for unit tests."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from dorp_matching.domain.model import Candidate, Member, Offer, Request
from dorp_shared.contracts import (
    Consents,
    ContactDetails,
    Envelope,
    Event,
    HelpOffered,
    HelpRequested,
    MemberRegistered,
    wrap,
)
from dorp_shared.contracts.events import (
    AgeBand,
    ConsentChanged,
    HelpRenewed,
    HelpWithdrawn,
    MemberErased,
    MemberUpdated,
    Side,
)
from dorp_shared.regions import Region, load_region

REGIONS = Path(__file__).resolve().parents[3] / "deploy" / "regions"
T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


def lochem(*, connector_review: bool = False) -> Region:
    """Lochem's region file; proposals straight to the parents unless ``connector_review``
    (the file itself wants a connector's review first)."""
    region = load_region("lochem", REGIONS)
    return region.model_copy(update={"connector_reviews_proposals": connector_review})


def member(
    area: str = "laren", *, consent: bool = True, languages: tuple[str, ...] = ("nl",)
) -> Member:
    return Member(
        member_id=uuid.uuid4(),
        home_area=area,
        languages=languages,
        age_bands=(),
        consents_matching=consent,
    )


def request(
    who: Member, kind: str = "babysitting", age_band: str | None = "1-4", minutes: int = 0
) -> Request:
    return Request(
        request_id=uuid.uuid4(),
        member_id=who.member_id,
        kind=kind,
        home_area=who.home_area,
        languages=who.languages,
        age_band=age_band,
        expires_at=None,
        requested_at=T0 + timedelta(minutes=minutes),
    )


def offer(
    who: Member,
    kind: str = "babysitting",
    age_bands: tuple[str, ...] = ("1-4",),
    capacity: int = 1,
    minutes: int = 0,
) -> Offer:
    return Offer(
        offer_id=uuid.uuid4(),
        member_id=who.member_id,
        kind=kind,
        home_area=who.home_area,
        languages=who.languages,
        age_bands=age_bands,
        capacity=capacity,
        expires_at=None,
        offered_at=T0 + timedelta(minutes=minutes),
    )


def candidate(o: Offer, helper: Member, offer_load: int = 0, helper_load: int = 0) -> Candidate:
    return Candidate(offer=o, helper=helper, offer_load=offer_load, helper_load=helper_load)


# --- events -------------------------------------------------------------------------


def _wrap(payload: Any, minutes: int) -> Envelope[Any]:
    at = T0 + timedelta(minutes=minutes)
    return wrap(payload, region="lochem", source="test", occurred_at=at)


def registered(
    area: str = "laren",
    *,
    consent: bool = True,
    languages: tuple[str, ...] = ("nl",),
    minutes: int = 0,
) -> Envelope[MemberRegistered]:
    return _wrap(
        MemberRegistered(
            member_id=uuid.uuid4(),
            role="parent",
            home_area=area,
            languages=languages,
            preferred_language=languages[0],
            registered_by="partner",
            consents=Consents(matching=consent, notifications=True),
            contact=ContactDetails(display_name="Test", email="test@example.org"),
        ),
        minutes,
    )


def requested(
    who: Envelope[MemberRegistered],
    kind: str = "babysitting",
    age_band: AgeBand | None = "1-4",
    minutes: int = 1,
) -> Envelope[HelpRequested]:
    m = who.payload
    return _wrap(
        HelpRequested(
            request_id=uuid.uuid4(),
            member_id=m.member_id,
            kind=kind,
            home_area=m.home_area,
            languages=m.languages,
            age_band=age_band,
            text="Wie kan er op dinsdagavond oppassen?",
        ),
        minutes,
    )


def offered(
    who: Envelope[MemberRegistered],
    kind: str = "babysitting",
    age_bands: tuple[AgeBand, ...] = ("1-4",),
    capacity: int = 1,
    minutes: int = 1,
) -> Envelope[HelpOffered]:
    m = who.payload
    return _wrap(
        HelpOffered(
            offer_id=uuid.uuid4(),
            member_id=m.member_id,
            kind=kind,
            home_area=m.home_area,
            languages=m.languages,
            age_bands=age_bands,
            capacity=capacity,
        ),
        minutes,
    )


def about(who: Envelope[MemberRegistered], payload: Event, minutes: int) -> Envelope[Any]:
    """An event about a member, some minutes after the start."""
    assert getattr(payload, "member_id", None) == who.payload.member_id
    return _wrap(payload, minutes)


def consent(who: Envelope[MemberRegistered], matching: bool, minutes: int) -> Envelope[Any]:
    m = who.payload
    return about(
        who,
        ConsentChanged(
            member_id=m.member_id,
            purpose="matching",
            granted=matching,
            source="self",
            recorded_at=T0 + timedelta(minutes=minutes),
            consents=Consents(matching=matching, notifications=True),
        ),
        minutes,
    )


def withdrawn(
    who: Envelope[MemberRegistered], help_id: uuid.UUID, side: Side, minutes: int
) -> Envelope[Any]:
    m = who.payload
    return about(who, HelpWithdrawn(member_id=m.member_id, help_id=help_id, side=side), minutes)


def renewed(
    who: Envelope[MemberRegistered], help_id: uuid.UUID, side: Side, days: int, minutes: int
) -> Envelope[Any]:
    until = T0 + timedelta(days=days)
    payload = HelpRenewed(
        member_id=who.payload.member_id, help_id=help_id, side=side, expires_at=until
    )
    return about(who, payload, minutes)


def erased(who: Envelope[MemberRegistered], minutes: int) -> Envelope[Any]:
    at = T0 + timedelta(minutes=minutes)
    payload = MemberErased(member_id=who.payload.member_id, reason="request", erased_at=at)
    return about(who, payload, minutes)


def updated(who: Envelope[MemberRegistered], area: str, minutes: int) -> Envelope[Any]:
    """The member's full profile, now living in ``area``."""
    m = who.payload
    payload = MemberUpdated(
        member_id=m.member_id,
        role=m.role,
        home_area=area,
        languages=m.languages,
        preferred_language=m.preferred_language,
        contact=m.contact,
    )
    return about(who, payload, minutes)
