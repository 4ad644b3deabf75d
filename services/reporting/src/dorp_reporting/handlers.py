"""Use cases: project each event once, and build the report for a period."""

from __future__ import annotations

import uuid
from datetime import datetime

from dorp_reporting.domain.facts import ActivityFact, MemberFact, NotificationFact
from dorp_reporting.domain.period import Period
from dorp_reporting.domain.report import Report, build_report
from dorp_reporting.ports import ReportingUnitOfWork
from dorp_shared.contracts import (
    Envelope,
    HelpOffered,
    HelpRequested,
    MatchProposed,
    MemberRegistered,
    NotificationSent,
)
from dorp_shared.regions import Region

CONSUMER = "reporting"
Fact = MemberFact | ActivityFact | NotificationFact


async def project(uow: ReportingUnitOfWork, event_id: uuid.UUID, fact: Fact) -> bool:
    """Store one fact unless this event was handled before; True if it was new."""
    async with uow:
        if not await uow.first_time(CONSUMER, event_id):
            return False
        if isinstance(fact, MemberFact):
            await uow.projections.add_member(fact)
        elif isinstance(fact, ActivityFact):
            await uow.projections.add_activity(fact)
        else:
            await uow.projections.add_notification(fact)
    return True


async def on_member_registered(uow: ReportingUnitOfWork, event: Envelope[MemberRegistered]) -> bool:
    p = event.payload
    return await project(
        uow, event.event_id, MemberFact(p.member_id, p.role, p.home_area, event.occurred_at)
    )


async def on_help_requested(uow: ReportingUnitOfWork, event: Envelope[HelpRequested]) -> bool:
    p = event.payload
    fact = ActivityFact("request", p.request_id, p.kind, p.home_area, event.occurred_at)
    return await project(uow, event.event_id, fact)


async def on_help_offered(uow: ReportingUnitOfWork, event: Envelope[HelpOffered]) -> bool:
    p = event.payload
    fact = ActivityFact("offer", p.offer_id, p.kind, p.home_area, event.occurred_at)
    return await project(uow, event.event_id, fact)


async def on_match_proposed(uow: ReportingUnitOfWork, event: Envelope[MatchProposed]) -> bool:
    p = event.payload
    fact = ActivityFact("match", p.proposal_id, p.kind, p.home_area, event.occurred_at)
    return await project(uow, event.event_id, fact)


async def on_notification_sent(uow: ReportingUnitOfWork, event: Envelope[NotificationSent]) -> bool:
    """Only messages really sent count; failed and suppressed outcomes are not messages."""
    p = event.payload
    if p.status != "sent":
        return False
    fact = NotificationFact(p.notification_id, p.channel, event.occurred_at)
    return await project(uow, event.event_id, fact)


async def make_report(
    uow: ReportingUnitOfWork, region: Region, period: Period, generated_at: datetime
) -> Report:
    async with uow:
        tallies = await uow.projections.tallies(period.window(region.time_zone))
    return build_report(region, period, tallies, generated_at)
