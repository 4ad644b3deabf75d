"""Learning communities (seeds 001, 002): a core theme and an appreciative-inquiry phase per
neighbourhood, and anonymous resident survey responses (registration)."""

from __future__ import annotations

import uuid
from typing import Literal

from pydantic import Field

from dorp_shared.contracts.envelope import Event
from dorp_shared.contracts.events.common import Role

InquiryPhase = Literal["define", "discover", "dream", "design", "destiny", "dissemination"]
INQUIRY_PHASES: tuple[InquiryPhase, ...] = (
    "define",
    "discover",
    "dream",
    "design",
    "destiny",
    "dissemination",
)


class LearningCommunityUpdated(Event):
    """The state of one neighbourhood's learning community (the latest event wins)."""

    area = "registration"
    name = "learning_community_updated"
    version = 1

    home_area: str
    core_theme: str = Field(max_length=200)
    phase: InquiryPhase
    lead_member_ids: tuple[uuid.UUID, ...] = Field(
        default=(), description="the parent, professional and researcher who lead it"
    )


class SurveyResponseRecorded(Event):
    """One resident's anonymous answers (question id → 1..5). No member id on purpose."""

    area = "registration"
    name = "survey_response_recorded"
    version = 1

    response_id: uuid.UUID
    survey_id: str = Field(max_length=60)
    home_area: str
    respondent_role: Role | None = None
    answers: dict[str, int]
