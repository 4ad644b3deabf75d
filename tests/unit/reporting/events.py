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


# --- the rest of a programme year (synthetic) -------------------------------------------

from datetime import date  # noqa: E402

from dorp_shared.contracts.events import (  # noqa: E402
    AttendanceRecorded,
    BufferScores,
    DecisionRecorded,
    DialogueTableOpened,
    InitiativeRegistered,
    InquiryPhase,
    LearningCommunityUpdated,
    MatchCompleted,
    MatchConfirmed,
    MemberErased,
    OrganisationRegistered,
    OrganisationType,
    QuoteRecorded,
    SelfCheckRecorded,
    SessionScheduled,
    SignedUp,
    SurveyResponseRecorded,
)


def organisation(kind: OrganisationType, partner: bool = True) -> OrganisationRegistered:
    return OrganisationRegistered(
        organisation_id=uuid.uuid4(),
        organisation_name="Testschool De Linde",
        type=kind,
        is_partner=partner,
    )


def initiative(name: str = "Ouderkamer Lochem") -> InitiativeRegistered:
    return InitiativeRegistered(
        initiative_id=uuid.uuid4(), initiative_name=name, kind="parent_cafe"
    )


def session(initiative_id: uuid.UUID, at: datetime = WHEN) -> SessionScheduled:
    return SessionScheduled(
        session_id=uuid.uuid4(),
        initiative_id=initiative_id,
        starts_at=at,
        ends_at=at.replace(hour=at.hour + 2),
        place="Bibliotheek, Kerkstraat 1",
        home_area="lochem",
    )


def attendance(s: SessionScheduled, headcount: int, members: list[uuid.UUID]) -> AttendanceRecorded:
    return AttendanceRecorded(
        session_id=s.session_id,
        initiative_id=s.initiative_id,
        headcount=headcount,
        member_ids=tuple(members),
        recorded_by="staff",
    )


def signed_up(s: SessionScheduled, member_id: uuid.UUID) -> SignedUp:
    return SignedUp(member_id=member_id, session_id=s.session_id, status="confirmed")


def quote(text: str, member_id: uuid.UUID, publish: bool = True) -> QuoteRecorded:
    return QuoteRecorded(
        member_id=member_id,
        quote_id=uuid.uuid4(),
        text=text,
        language="nl",
        home_area="lochem",
        publish_anonymously=publish,
    )


def self_check(member_id: uuid.UUID, score: int) -> SelfCheckRecorded:
    return SelfCheckRecorded(
        member_id=member_id,
        check_id=uuid.uuid4(),
        home_area="lochem",
        scores=BufferScores(
            solidarity=score, division_of_tasks=score, meta_position=score, positive_experiences=5
        ),
    )


def confirmed(m: MatchProposed) -> MatchConfirmed:
    return MatchConfirmed(
        proposal_id=m.proposal_id,
        request_id=m.request_id,
        offer_id=m.offer_id,
        requester_id=m.requester_id,
        helper_id=m.helper_id,
        kind=m.kind,
    )


def completed(m: MatchProposed, step: str, contact: bool = True) -> MatchCompleted:
    return MatchCompleted(
        proposal_id=m.proposal_id,
        member_id=m.requester_id,
        side="request",
        helped=True,
        became_contact=contact,
        ladder_step=step,
    )


def dialogue_table() -> DialogueTableOpened:
    return DialogueTableOpened(
        table_id=uuid.uuid4(),
        topic="Veilig naar school",
        group_ids=(uuid.uuid4(), uuid.uuid4()),
        home_area="lochem",
        held_on=date(2026, 3, 10),
    )


def decision(table: DialogueTableOpened, majority: str, minority: str) -> DecisionRecorded:
    return DecisionRecorded(
        decision_id=uuid.uuid4(),
        table_id=table.table_id,
        proposal_id=uuid.uuid4(),
        adopted=True,
        majority_view=majority,
        minority_view=minority,
        votes_for=9,
        votes_against=3,
        votes_abstain=1,
    )


def erased(member_id: uuid.UUID, at: datetime = WHEN) -> MemberErased:
    return MemberErased(member_id=member_id, reason="request", erased_at=at)


def community(
    home_area: str, theme: str, phase: InquiryPhase, leads: tuple[uuid.UUID, ...] = ()
) -> LearningCommunityUpdated:
    return LearningCommunityUpdated(
        home_area=home_area, core_theme=theme, phase=phase, lead_member_ids=leads
    )


def survey_response(home_area: str, answers: dict[str, int]) -> SurveyResponseRecorded:
    return SurveyResponseRecorded(
        response_id=uuid.uuid4(),
        survey_id="start",
        home_area=home_area,
        respondent_role="parent",
        answers=answers,
    )
