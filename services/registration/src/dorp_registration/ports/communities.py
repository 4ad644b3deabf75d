"""Port of the learning communities capability: one community per neighbourhood, and the
anonymous resident survey responses."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from dorp_registration.domain.communities import LearningCommunity
from dorp_registration.domain.voices import GroupTally
from dorp_registration.ports.common import MemberData
from dorp_shared.contracts.events import SurveyResponseRecorded


class CommunityRepository(MemberData, Protocol):
    async def get(self, home_area: str) -> LearningCommunity | None: ...

    async def save(self, community: LearningCommunity) -> None:
        """Store the area's community, replacing what was there."""
        ...

    async def all(self) -> list[LearningCommunity]: ...

    async def add_survey_response(self, response: SurveyResponseRecorded, at: datetime) -> None: ...

    async def survey_tallies(self, survey_id: str | None) -> dict[str, dict[str, GroupTally]]:
        """Per survey (one or all) and home area: the responses, tallied per question."""
        ...
