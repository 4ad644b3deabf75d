"""Registration's events as a partner's parents would cause them, for tests that publish
straight onto JetStream in place of the registration service."""

from __future__ import annotations

import uuid

from dorp_shared.contracts import (
    Consents,
    ContactDetails,
    HelpOffered,
    HelpRequested,
    MemberRegistered,
)


def parent(area: str = "laren", name: str = "Demo") -> MemberRegistered:
    """A consenting Dutch-speaking parent registered by a partner school."""
    return MemberRegistered(
        member_id=uuid.uuid4(),
        role="parent",
        home_area=area,
        languages=("nl",),
        preferred_language="nl",
        registered_by="partner",
        partner_id="bs-de-esch",
        consents=Consents(matching=True, notifications=True),
        contact=ContactDetails(display_name=name, email=f"{name.lower()}@example.org"),
    )


def asks(who: MemberRegistered) -> HelpRequested:
    """A babysitting request for a toddler, in the parent's own area."""
    return HelpRequested(
        request_id=uuid.uuid4(),
        member_id=who.member_id,
        kind="babysitting",
        home_area=who.home_area,
        languages=who.languages,
        age_band="1-4",
    )


def offers(who: MemberRegistered, capacity: int = 1) -> HelpOffered:
    """A babysitting offer for toddlers, in the helper's own area."""
    return HelpOffered(
        offer_id=uuid.uuid4(),
        member_id=who.member_id,
        kind="babysitting",
        home_area=who.home_area,
        languages=who.languages,
        age_bands=("1-4",),
        capacity=capacity,
    )
