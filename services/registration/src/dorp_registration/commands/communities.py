"""Learning communities (seeds 001, 002): per neighbourhood a core theme, the phase of
appreciative inquiry and its leads; and the resident survey, anonymous and shown only in
aggregate."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from dorp_registration.commands import checks
from dorp_registration.commands.members import require_member
from dorp_registration.commands.voices import AreaFigures, Figures, NoInput, SummaryView
from dorp_registration.domain.communities import (
    LearningCommunity,
    phase_step_error,
    reachable_phases,
)
from dorp_registration.domain.voices import summarise
from dorp_registration.ports import RegistrationUnitOfWork
from dorp_shared.commands import Command, CommandContext, CommandInput, invalid, not_found
from dorp_shared.contracts.events import InquiryPhase, Role, SurveyResponseRecorded
from dorp_shared.contracts.partner import FieldError
from dorp_shared.regions import Region

TAG = "communities"
TOKEN = r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$"
QuestionId = Annotated[str, StringConstraints(min_length=1, max_length=60, pattern=TOKEN)]
Answer = Annotated[int, Field(ge=1, le=5)]


class UpdateLearningCommunity(CommandInput):
    """Create or change the area's learning community; what is given replaces what was."""

    home_area: str = Field(description="kern, wijk or district id from the region file")
    core_theme: str = Field(min_length=1, max_length=200)
    phase: InquiryPhase = Field(
        description="back to any earlier phase, or forward one phase at a time"
    )
    lead_member_ids: tuple[uuid.UUID, ...] = Field(
        default=(), max_length=10, description="the parent, professional and researcher"
    )


class AreaRef(CommandInput):
    home_area: str


class RecordSurveyResponse(CommandInput):
    """One resident's answers; anonymous: no member id on purpose."""

    survey_id: str = Field(min_length=1, max_length=60, pattern=TOKEN)
    home_area: str
    respondent_role: Role | None = None
    answers: dict[QuestionId, Answer] = Field(
        min_length=1, max_length=50, description="question id to an answer from 1 to 5"
    )


class SurveyRef(CommandInput):
    survey_id: str | None = Field(default=None, max_length=60, description="all if left out")


class CommunityView(BaseModel):
    model_config = ConfigDict(frozen=True)

    home_area: str
    core_theme: str
    phase: InquiryPhase
    next_phase: InquiryPhase | None
    lead_member_ids: tuple[uuid.UUID, ...]
    updated_at: dt.datetime

    @classmethod
    def of(cls, community: LearningCommunity) -> CommunityView:
        return cls(
            home_area=community.home_area,
            core_theme=community.core_theme,
            phase=community.phase,
            next_phase=_next_phase(community.phase),
            lead_member_ids=community.lead_member_ids,
            updated_at=community.updated_at,
        )


class CommunityList(BaseModel):
    model_config = ConfigDict(frozen=True)

    communities: tuple[CommunityView, ...]


class ResponseAccepted(BaseModel):
    model_config = ConfigDict(frozen=True)

    response_id: uuid.UUID


class SurveySummary(BaseModel):
    model_config = ConfigDict(frozen=True)

    survey_id: str
    overall: Figures
    by_area: tuple[AreaFigures, ...]


class SurveySummaries(BaseModel):
    model_config = ConfigDict(frozen=True)

    threshold: int = Field(description="the region's smallest group that is shown")
    surveys: tuple[SurveySummary, ...]


def check_community(item: UpdateLearningCommunity, region: Region) -> list[FieldError]:
    return checks.area("home_area", item.home_area, region)


def check_area(item: AreaRef | RecordSurveyResponse, region: Region) -> list[FieldError]:
    return checks.area("home_area", item.home_area, region)


async def update_learning_community(
    uow: RegistrationUnitOfWork, ctx: CommandContext, item: UpdateLearningCommunity
) -> CommunityView:
    """Published only when something changed."""
    for index, lead in enumerate(item.lead_member_ids):
        await require_member(uow, lead, f"lead_member_ids.{index}")
    current = await uow.communities.get(item.home_area)
    now_in = current.phase if current else None
    error = phase_step_error(now_in, item.phase)
    if error:
        raise invalid("phase", error, reachable_phases(now_in))
    community = LearningCommunity(
        home_area=item.home_area,
        core_theme=item.core_theme,
        phase=item.phase,
        lead_member_ids=tuple(dict.fromkeys(item.lead_member_ids)),
        updated_at=ctx.now,
    )
    if current is not None and current.event() == community.event():
        return CommunityView.of(current)
    await uow.communities.save(community)
    await uow.emit(community.event())
    return CommunityView.of(community)


async def get_learning_community(
    uow: RegistrationUnitOfWork, ctx: CommandContext, item: AreaRef
) -> CommunityView:
    community = await uow.communities.get(item.home_area)
    if community is None:
        raise not_found("learning community in area", item.home_area)
    return CommunityView.of(community)


async def list_learning_communities(
    uow: RegistrationUnitOfWork, ctx: CommandContext, item: NoInput
) -> CommunityList:
    return CommunityList(
        communities=tuple(CommunityView.of(c) for c in await uow.communities.all())
    )


async def record_survey_response(
    uow: RegistrationUnitOfWork, ctx: CommandContext, item: RecordSurveyResponse
) -> ResponseAccepted:
    response = SurveyResponseRecorded(
        response_id=uuid.uuid4(),
        survey_id=item.survey_id,
        home_area=item.home_area,
        respondent_role=item.respondent_role,
        answers=dict(item.answers),
    )
    await uow.communities.add_survey_response(response, ctx.now)
    await uow.emit(response)
    return ResponseAccepted(response_id=response.response_id)


async def survey_summary(
    uow: RegistrationUnitOfWork, ctx: CommandContext, item: SurveyRef
) -> SurveySummaries:
    threshold = ctx.region.report_small_count_threshold
    surveys = []
    for survey_id, by_area in sorted(
        (await uow.communities.survey_tallies(item.survey_id)).items()
    ):
        summary = SummaryView.of(summarise(by_area, (), threshold), threshold)
        surveys.append(
            SurveySummary(survey_id=survey_id, overall=summary.overall, by_area=summary.by_area)
        )
    return SurveySummaries(threshold=threshold, surveys=tuple(surveys))


def _next_phase(phase: InquiryPhase) -> InquiryPhase | None:
    ahead = reachable_phases(phase)
    return ahead[-1] if ahead[-1] != phase else None


COMMANDS: tuple[Command[RegistrationUnitOfWork, Any, Any], ...] = (
    Command(
        name="update_learning_community",
        input=UpdateLearningCommunity,
        output=CommunityView,
        handle=update_learning_community,
        summary="Set an area's learning community: core theme, inquiry phase and leads.",
        tag=TAG,
        check=check_community,
    ),
    Command(
        name="get_learning_community",
        input=AreaRef,
        output=CommunityView,
        handle=get_learning_community,
        summary="The learning community of one area.",
        tag=TAG,
        query=True,
        check=check_area,
    ),
    Command(
        name="list_learning_communities",
        input=NoInput,
        output=CommunityList,
        handle=list_learning_communities,
        summary="Every area's learning community.",
        tag=TAG,
        query=True,
    ),
    Command(
        name="record_survey_response",
        input=RecordSurveyResponse,
        output=ResponseAccepted,
        handle=record_survey_response,
        summary="Record one resident's anonymous survey answers (each 1 to 5).",
        tag=TAG,
        check=check_area,
    ),
    Command(
        name="survey_summary",
        input=SurveyRef,
        output=SurveySummaries,
        handle=survey_summary,
        summary="Survey means per question, per area and overall; small groups hidden.",
        tag=TAG,
        query=True,
    ),
)
