"""Synthetic members and matches for notifications tests (never real people)."""

from __future__ import annotations

import datetime as dt
import uuid

from dorp_shared.contracts import (
    Consents,
    ContactDetails,
    MatchProposed,
    MatchReason,
    MemberRegistered,
)
from dorp_shared.contracts.events import (
    Channel,
    ConsentChanged,
    InitiativeRegistered,
    MatchConfirmed,
    MemberErased,
    MemberUpdated,
    RetentionWarningIssued,
    Role,
    SessionScheduled,
)

NOW = dt.datetime(2026, 11, 21, 12, 0, tzinfo=dt.UTC)


def member(
    name: str,
    email: str | None,
    *,
    language: str = "nl",
    consent: bool = True,
    phone: str | None = "+31 6 1234 5678",
    channel: Channel = "email",
    role: Role = "parent",
) -> MemberRegistered:
    return MemberRegistered(
        member_id=uuid.uuid4(),
        role=role,
        home_area="laren",
        languages=(language,),
        preferred_language=language,
        registered_by="partner",
        partner_id="bs-de-esch",
        consents=Consents(matching=True, notifications=consent),
        contact=ContactDetails(display_name=name, email=email, phone=phone, channel=channel),
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


def confirmed(proposed: MatchProposed) -> MatchConfirmed:
    return MatchConfirmed(
        proposal_id=proposed.proposal_id,
        request_id=proposed.request_id,
        offer_id=proposed.offer_id,
        requester_id=proposed.requester_id,
        helper_id=proposed.helper_id,
        kind=proposed.kind,
    )


def updated(registered: MemberRegistered, **contact: str | None) -> MemberUpdated:
    language = contact.pop("language", None) or registered.preferred_language
    return MemberUpdated(
        member_id=registered.member_id,
        role=registered.role,
        home_area=registered.home_area,
        languages=(language,),
        preferred_language=language,
        contact=registered.contact.model_copy(update=contact),
    )


def consent(registered: MemberRegistered, notifications: bool) -> ConsentChanged:
    return ConsentChanged(
        member_id=registered.member_id,
        purpose="notifications",
        granted=notifications,
        source="self",
        recorded_at=NOW,
        consents=Consents(matching=True, notifications=notifications),
    )


def erased(registered: MemberRegistered) -> MemberErased:
    return MemberErased(member_id=registered.member_id, reason="request", erased_at=NOW)


def retention_warning(registered: MemberRegistered) -> RetentionWarningIssued:
    return RetentionWarningIssued(
        member_id=registered.member_id,
        last_active_at=NOW - dt.timedelta(days=702),
        erase_on=dt.date(2026, 12, 19),
    )


def initiative(name: str = "Ouderkamer De Esch") -> InitiativeRegistered:
    return InitiativeRegistered(
        initiative_id=uuid.uuid4(), initiative_name=name, kind="parent_cafe", home_area="laren"
    )


def session(of: InitiativeRegistered) -> SessionScheduled:
    """Saturday 5 December 2026, 10:00-12:00 in Lochem (09:00 UTC)."""
    starts = dt.datetime(2026, 12, 5, 9, 0, tzinfo=dt.UTC)
    return SessionScheduled(
        session_id=uuid.uuid4(),
        initiative_id=of.initiative_id,
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=2),
        place="Bibliotheek Laren, Dorpsstraat 1",
        home_area="laren",
        capacity=12,
    )
