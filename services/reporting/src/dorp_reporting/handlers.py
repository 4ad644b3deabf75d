"""Use cases: project each event once, build the report of a period, list the periods."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from dorp_reporting.domain.period import Period
from dorp_reporting.domain.report import Report, build_report
from dorp_reporting.ports import ReportingUnitOfWork
from dorp_shared.contracts import Envelope
from dorp_shared.regions import Region

CONSUMER = "reporting"


async def project(uow: ReportingUnitOfWork, event: Envelope[Any]) -> bool:
    """Apply one event unless it was handled before; True if it changed the projections."""
    async with uow:
        if not await uow.first_time(CONSUMER, event.event_id):
            return False
        return await uow.projections.apply(event.payload, event.occurred_at, event.event_id)


async def make_report(
    uow: ReportingUnitOfWork, region: Region, period: Period, generated_at: datetime
) -> Report:
    async with uow:
        data = await uow.projections.report_data(
            period, period.window(region.time_zone), region.time_zone
        )
    return build_report(region, period, data, generated_at)


async def periods_with_data(uow: ReportingUnitOfWork, region: Region) -> list[Period]:
    """ "all", then every year and month with events, newest first (for the portal)."""
    async with uow:
        return await uow.projections.periods_with_data(region.time_zone)


async def project_batch(uow: ReportingUnitOfWork, events: list[Envelope[Any]]) -> int:
    """Apply several events in one transaction with set-based writes (a rebuild); the same
    result as :func:`project` one event at a time. Returns how many were new."""
    distinct = list({event.event_id: event for event in events}.values())  # twice counts once
    async with uow:
        return await uow.project_unseen(CONSUMER, distinct)
