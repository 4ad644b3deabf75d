"""What already exists: keep matching's projection of initiatives, sessions and sign-ups
up to date, and recommend sessions to new members and to requests an activity serves
better than one helper (``SessionsRecommended``).

Projection events are stored whatever their order (upserts keyed by natural ids); a
recommendation is made once per member (and request), only with matching consent.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import structlog
from pydantic import BaseModel, ConfigDict, Field

from dorp_matching.domain.model import Member
from dorp_matching.domain.recommend import (
    Recommendation,
    SessionOffer,
    recommend,
    recommendation_id,
)
from dorp_matching.ports import MatchingUnitOfWork
from dorp_shared.commands import Command, CommandContext, CommandInput, invalid
from dorp_shared.contracts import Envelope
from dorp_shared.contracts.events import (
    InitiativeRegistered,
    RecommendedSession,
    SessionCancelled,
    SessionScheduled,
    SessionsRecommended,
    SignedUp,
    SignUpCancelled,
    WaitlistPromoted,
)
from dorp_shared.regions import Region

CONSUMER = "matching"

log = structlog.get_logger(__name__)


async def initiative_registered(
    event: Envelope[InitiativeRegistered], uow: MatchingUnitOfWork
) -> None:
    async with uow:
        if await uow.first_time(CONSUMER, event.event_id):
            await uow.activities.save_initiative(event.payload, event.occurred_at)


async def session_scheduled(event: Envelope[SessionScheduled], uow: MatchingUnitOfWork) -> None:
    async with uow:
        if await uow.first_time(CONSUMER, event.event_id):
            await uow.activities.save_session(event.payload)


async def session_cancelled(event: Envelope[SessionCancelled], uow: MatchingUnitOfWork) -> None:
    async with uow:
        if await uow.first_time(CONSUMER, event.event_id):
            await uow.activities.cancel_session(event.payload.session_id)


async def signed_up(
    event: Envelope[SignedUp] | Envelope[WaitlistPromoted], uow: MatchingUnitOfWork
) -> None:
    data = event.payload
    status = data.status if isinstance(data, SignedUp) else "confirmed"
    async with uow:
        if not await uow.first_time(CONSUMER, event.event_id):
            return
        if await uow.members.is_erased(data.member_id):
            return
        await uow.activities.sign_up(data.session_id, data.member_id, status)


async def sign_up_cancelled(event: Envelope[SignUpCancelled], uow: MatchingUnitOfWork) -> None:
    async with uow:
        if await uow.first_time(CONSUMER, event.event_id):
            await uow.activities.cancel_sign_up(event.payload.session_id, event.payload.member_id)


def _part(found: Recommendation) -> RecommendedSession:
    session = found.session
    return RecommendedSession(
        session_id=session.session_id,
        initiative_id=session.initiative_id,
        initiative_name=session.initiative_name,
        initiative_kind=session.initiative_kind,
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        place=session.place,
        home_area=session.home_area,
        places_left=session.places_left,
        score=found.score,
        reasons=found.reasons,
        explanation=found.explanation,
        explanation_en=found.explanation_en,
    )


def wants_sessions(member: Member, region: Region, kind: str | None) -> bool:
    """A consented member, for a request only of a kind the region maps to activities."""
    if not member.consents_matching:
        return False
    return kind is None or kind in region.matching.activity_kinds_for_help


@dataclass(frozen=True)
class KnownSessions:
    sessions: list[SessionOffer]
    """Sessions ahead anywhere in the region (``recommend`` keeps those that fit)."""
    signed: dict[uuid.UUID, set[uuid.UUID]]


async def known_sessions(
    uow: MatchingUnitOfWork, region: Region, member_ids: Iterable[uuid.UUID], since: datetime
) -> KnownSessions:
    """The sessions after ``since`` in every area and these members' sign-ups: two reads
    for a whole run of recommendations."""
    areas = [area.id for area in region.areas]
    sessions = await uow.activities.upcoming(areas, since)
    return KnownSessions(sessions, await uow.activities.signed_sessions_of(member_ids))


async def recommend_sessions(
    uow: MatchingUnitOfWork,
    member: Member,
    region: Region,
    at: datetime,
    cause: Envelope[Any] | None,
    *,
    request: tuple[Any, str] | None = None,
    known: KnownSessions | None = None,
) -> SessionsRecommended | None:
    """Recommend sessions to a consented member (for a request: ``(request_id, kind)`` of
    a kind the region maps to activities). Inside the caller's unit of work; once only.
    ``known``: the sessions and sign-ups read once for many members (``known_sessions``)."""
    request_id, kind = request if request else (None, None)
    if not wants_sessions(member, region, kind):
        return None
    if known is None:
        areas = [member.home_area, *sorted(region.neighbours_of(member.home_area))]
        sessions = await uow.activities.upcoming(areas, at)
        signed = await uow.activities.signed_sessions(member.member_id)
    else:
        sessions, signed = known.sessions, known.signed.get(member.member_id, set())
    found = recommend(member, sessions, region, at, signed=signed, request_kind=kind)
    if not found:
        return None
    rid = recommendation_id(member.member_id, request_id)
    ids = [r.session.session_id for r in found]
    if not await uow.activities.add_recommendation(rid, member.member_id, request_id, ids, at):
        return None
    event = SessionsRecommended(
        member_id=member.member_id,
        recommendation_id=rid,
        trigger="request" if request_id else "new_member",
        request_id=request_id,
        sessions=tuple(_part(r) for r in found),
    )
    await uow.emit(event, cause=cause, event_id=rid)
    log.info("sessions.recommended", count=len(found), trigger=event.trigger)
    return event


class RecommendFor(CommandInput):
    member_id: uuid.UUID


class Recommended(BaseModel):
    model_config = ConfigDict(frozen=True)

    member_id: uuid.UUID
    sessions: tuple[RecommendedSession, ...] = Field(
        description="best first; empty without matching consent or when nothing fits"
    )
    new: bool = Field(description="true when this was recommended (and told) now")


async def recommend_for(
    uow: MatchingUnitOfWork, ctx: CommandContext, item: RecommendFor
) -> Recommended:
    """Sessions that fit a member now; the member is told the first time (a new member
    who registered before the sessions existed, or on a connector's request)."""
    member = await uow.members.get(item.member_id)
    if member is None:
        raise invalid("member_id", "is not a known member of this region")
    event = await recommend_sessions(uow, member, ctx.region, ctx.now, None)
    if event is not None:
        return Recommended(member_id=member.member_id, sessions=event.sessions, new=True)
    current = await _current(uow, member, ctx.region, ctx.now)
    return Recommended(member_id=member.member_id, sessions=current, new=False)


async def _current(
    uow: MatchingUnitOfWork, member: Member, region: Region, at: datetime
) -> tuple[RecommendedSession, ...]:
    if not member.consents_matching:
        return ()
    areas = [member.home_area, *sorted(region.neighbours_of(member.home_area))]
    sessions = await uow.activities.upcoming(areas, at)
    signed = await uow.activities.signed_sessions(member.member_id)
    return tuple(_part(r) for r in recommend(member, sessions, region, at, signed=signed))


COMMANDS: tuple[Command[Any, Any, Any], ...] = (
    Command(
        name="recommend_sessions",
        input=RecommendFor,
        output=Recommended,
        handle=recommend_for,
        summary="Sessions of existing initiatives that fit a member (area and neighbours, "
        "theme, age band, language, places left); the member is told the first time.",
        tag="what already exists",
    ),
)
