"""Synthetic members and matches for notifications tests (never real people)."""

from __future__ import annotations

import uuid

from dorp_shared.contracts import (
    Consents,
    ContactDetails,
    MatchProposed,
    MatchReason,
    MemberRegistered,
)


def member(
    name: str,
    email: str | None,
    *,
    language: str = "nl",
    consent: bool = True,
    phone: str | None = "+31 6 1234 5678",
) -> MemberRegistered:
    return MemberRegistered(
        member_id=uuid.uuid4(),
        role="parent",
        home_area="laren",
        languages=(language,),
        preferred_language=language,
        registered_by="partner",
        partner_id="bs-de-esch",
        consents=Consents(matching=True, notifications=consent),
        contact=ContactDetails(display_name=name, email=email, phone=phone),
    )


def match(requester: MemberRegistered, helper: MemberRegistered) -> MatchProposed:
    return MatchProposed(
        proposal_id=uuid.uuid4(),
        request_id=uuid.uuid4(),
        offer_id=uuid.uuid4(),
        requester_id=requester.member_id,
        helper_id=helper.member_id,
        kind="babysitting",
        home_area="laren",
        score=0.9,
        reasons=(MatchReason(code="same_area", detail="laren", weight=1.0),),
        explanation="Jullie wonen allebei in Laren en spreken allebei Nederlands.",
        explanation_en="You both live in Laren and both speak Dutch.",
    )
