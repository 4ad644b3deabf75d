"""Coffee and tea dates: opting in and out, and pairing rounds (on request or on the
region's schedule), each round in one transaction with a ``CoffeeDatePaired`` per
participant through the outbox.

Served over NATS request/reply and HTTP by the shared command framework.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import structlog
from pydantic import BaseModel, ConfigDict, Field, model_validator

from dorp_matching.domain.coffee import (
    CoffeeRound,
    History,
    OptIn,
    Parent,
    StoredDate,
    explain,
    pair_optimal,
)
from dorp_matching.ports import MatchingUnitOfWork
from dorp_shared.commands import Command, CommandContext, CommandInput, invalid
from dorp_shared.contracts.events import CoffeeDatePaired
from dorp_shared.contracts.partner import FieldError
from dorp_shared.regions import Region

TAG = "coffee dates"
_NAMESPACE = uuid.UUID("c0ffee00-7ea0-4d47-9a8e-6461746573aa")

log = structlog.get_logger(__name__)


class CoffeeOptIn(CommandInput):
    """Opt in to coffee and tea dates with the parents of a school, or of an area."""

    member_id: uuid.UUID
    school_organisation_id: uuid.UUID | None = Field(
        default=None, description="the school whose parents to meet"
    )
    home_area: str | None = Field(
        default=None, description="or the kern/wijk, when not through a school"
    )

    @model_validator(mode="after")
    def _school_or_area(self) -> CoffeeOptIn:
        if self.school_organisation_id is None and self.home_area is None:
            raise ValueError("give school_organisation_id or home_area")
        return self


class CoffeeOptOut(CommandInput):
    member_id: uuid.UUID


class PairCoffeeDates(CommandInput):
    """Run a pairing round now, for every school and area with opted-in parents."""


class OptInView(BaseModel):
    model_config = ConfigDict(frozen=True)

    member_id: uuid.UUID
    opted_in: bool
    school_organisation_id: uuid.UUID | None = None
    home_area: str | None = None


class RoundView(BaseModel):
    model_config = ConfigDict(frozen=True)

    round_id: uuid.UUID
    dates: int = Field(description="dates made (of two, one of three per odd group)")
    paired: int = Field(description="parents in a date")
    unpaired: tuple[uuid.UUID, ...] = Field(
        description="parents left out: every other parent of their group dated them before"
    )
    quality: float = Field(description="the sum of the dates' scores")


def check_area(item: CoffeeOptIn, region: Region) -> list[FieldError]:
    if item.home_area is None or item.home_area in region.area_ids:
        return []
    allowed = tuple(sorted(region.area_ids))
    return [FieldError(field="home_area", message="not an area of this region", allowed=allowed)]


async def coffee_dates_opt_in(
    uow: MatchingUnitOfWork, ctx: CommandContext, item: CoffeeOptIn
) -> OptInView:
    member = await uow.members.get(item.member_id)
    if member is None:
        raise invalid("member_id", "is not a known member of this region")
    if not member.consents_matching:
        raise invalid("member_id", "has not consented to matching")
    existing = await uow.coffee.get_opt_in(item.member_id)
    at = existing.opted_in_at if existing else ctx.now
    await uow.coffee.opt_in(OptIn(item.member_id, item.school_organisation_id, item.home_area, at))
    return OptInView(
        member_id=item.member_id,
        opted_in=True,
        school_organisation_id=item.school_organisation_id,
        home_area=item.home_area,
    )


async def coffee_dates_opt_out(
    uow: MatchingUnitOfWork, ctx: CommandContext, item: CoffeeOptOut
) -> OptInView:
    """Opting out twice, or without having opted in, is fine."""
    await uow.coffee.opt_out(item.member_id)
    return OptInView(member_id=item.member_id, opted_in=False)


async def pair_coffee_dates(
    uow: MatchingUnitOfWork, ctx: CommandContext, item: PairCoffeeDates
) -> RoundView:
    return await run_round(uow, ctx.region, ctx.now, trigger="request")


async def run_round(
    uow: MatchingUnitOfWork, region: Region, at: datetime, *, trigger: str
) -> RoundView:
    """Pair every group (inside the caller's unit of work): store the dates and their
    pairs, and tell each participant."""
    await uow.coffee.lock()
    history = History(dated=await uow.coffee.dated_pairs(), met=await uow.coffee.met_pairs())
    round_id = uuid.uuid4()
    meet_by = (
        at.astimezone(ZoneInfo(region.time_zone))
        + timedelta(days=region.matching.coffee_date_meet_within_days)
    ).date()
    dates = paired = 0
    quality = 0.0
    unpaired: list[uuid.UUID] = []
    for group in await uow.coffee.groups():
        pairing = pair_optimal(group.parents, history)
        profiles = {p.member_id: p for p in group.parents}
        for date in pairing.dates:
            stored = StoredDate(
                date_id=uuid.uuid5(_NAMESPACE, f"{round_id}/{sorted(date.member_ids)}"),
                round_id=round_id,
                school_organisation_id=group.school_organisation_id,
                home_area=group.home_area,
                member_ids=date.member_ids,
                score=date.score,
                meet_by=meet_by,
            )
            await _tell(uow, stored, [profiles[m] for m in date.member_ids], history)
            await uow.coffee.add_date(stored)
        dates += len(pairing.dates)
        paired += sum(len(d.member_ids) for d in pairing.dates)
        quality += pairing.quality
        unpaired += pairing.unpaired
    found = CoffeeRound(round_id, at, trigger, dates, paired, len(unpaired), round(quality, 3))
    await uow.coffee.add_round(found)
    log.info("coffee.round", round_id=str(round_id), dates=dates, paired=paired)
    return RoundView(
        round_id=round_id,
        dates=dates,
        paired=paired,
        unpaired=tuple(unpaired),
        quality=found.quality,
    )


async def _tell(
    uow: MatchingUnitOfWork, date: StoredDate, members: list[Parent], history: History
) -> None:
    reasons, sentence_nl, sentence_en = explain(members, history)
    for member in members:
        event = CoffeeDatePaired(
            member_id=member.member_id,
            date_id=date.date_id,
            round_id=date.round_id,
            partner_ids=tuple(m for m in date.member_ids if m != member.member_id),
            school_organisation_id=date.school_organisation_id,
            home_area=date.home_area,
            meet_by=date.meet_by,
            score=date.score,
            reasons=reasons,
            explanation=sentence_nl,
            explanation_en=sentence_en,
        )
        await uow.emit(event, event_id=uuid.uuid5(date.date_id, str(member.member_id)))


def round_due(
    region: Region, at: datetime, last_round: datetime | None, first_opt_in: datetime | None
) -> bool:
    """A scheduled round is due every ``coffee_date_round_days`` after the last one (the
    first that many days after the first opt-in); never when the schedule is 0."""
    days = region.matching.coffee_date_round_days
    since = last_round or first_opt_in
    return days > 0 and since is not None and at - since >= timedelta(days=days)


COMMANDS: tuple[Command[Any, Any, Any], ...] = (
    Command(
        name="coffee_dates_opt_in",
        input=CoffeeOptIn,
        output=OptInView,
        handle=coffee_dates_opt_in,
        summary="A member opts in to coffee and tea dates with the parents of a school or "
        "an area (needs matching consent); again with another school or area moves them.",
        tag=TAG,
        check=check_area,
    ),
    Command(
        name="coffee_dates_opt_out",
        input=CoffeeOptOut,
        output=OptInView,
        handle=coffee_dates_opt_out,
        summary="A member opts out of coffee and tea dates.",
        tag=TAG,
    ),
    Command(
        name="pair_coffee_dates",
        input=PairCoffeeDates,
        output=RoundView,
        handle=pair_coffee_dates,
        summary="Pair the opted-in parents of each school or area into dates of two (three "
        "when the number is odd), maximising match quality, never repeating a past pair.",
        tag=TAG,
    ),
)
