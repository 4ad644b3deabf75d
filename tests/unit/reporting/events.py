"""Synthetic events for reporting tests (no real people: made-up names and addresses)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, Literal

from dorp_shared.contracts import (
    Consents,
    ContactDetails,
    Envelope,
    Event,
    HelpOffered,
    HelpRequested,
    MatchProposed,
    MemberRegistered,
    NotificationSent,
    wrap,
)
from dorp_shared.contracts.events import Role

WHEN = datetime(2026, 3, 14, 10, 0, tzinfo=UTC)


def envelope(payload: Event, region: str = "lochem", at: datetime = WHEN) -> Envelope[Any]:
    return wrap(payload, region=region, source="test", occurred_at=at)


def member(role: Role = "parent", home_area: str = "lochem") -> MemberRegistered:
    return MemberRegistered(
        member_id=uuid.uuid4(),
        role=role,
        home_area=home_area,
        languages=("nl",),
        preferred_language="nl",
        registered_by="partner",
        consents=Consents(matching=True, notifications=True),
        contact=ContactDetails(display_name="Testouder", email="testouder@example.org"),
    )


def request(kind: str = "babysitting", home_area: str = "lochem") -> HelpRequested:
    return HelpRequested(
        request_id=uuid.uuid4(),
        member_id=uuid.uuid4(),
        kind=kind,
        home_area=home_area,
        languages=("nl",),
        text="Wie kan op woensdagmiddag oppassen?",
    )


def offer(kind: str = "babysitting", home_area: str = "lochem") -> HelpOffered:
    return HelpOffered(
        offer_id=uuid.uuid4(),
        member_id=uuid.uuid4(),
        kind=kind,
        home_area=home_area,
        languages=("nl",),
    )


def match(kind: str = "babysitting", home_area: str = "lochem") -> MatchProposed:
    return MatchProposed(
        proposal_id=uuid.uuid4(),
        request_id=uuid.uuid4(),
        offer_id=uuid.uuid4(),
        requester_id=uuid.uuid4(),
        helper_id=uuid.uuid4(),
        kind=kind,
        home_area=home_area,
        score=0.9,
        reasons=(),
        explanation="Jullie wonen allebei in Lochem.",
        explanation_en="You both live in Lochem.",
    )


def notification(status: Literal["sent", "failed", "suppressed"] = "sent") -> NotificationSent:
    return NotificationSent(
        notification_id=uuid.uuid4(),
        cause_event_id=uuid.uuid4(),
        recipient_id=uuid.uuid4(),
        channel="email",
        template="match_proposed",
        language="nl",
        status=status,
    )
