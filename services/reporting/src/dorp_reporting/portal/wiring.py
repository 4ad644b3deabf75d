"""How the reporting service runs the portal: its pages on the service's HTTP server under
``/portal``, and the report schedule as a task of the service's event loop."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

from nats.errors import Error as NatsError
from starlette.types import ASGIApp

from dorp_reporting import handlers
from dorp_reporting.adapters.uow import PgReportingUnitOfWork
from dorp_reporting.domain.period import Period
from dorp_reporting.domain.report import Report
from dorp_reporting.entrypoints.subscribers import AREAS
from dorp_reporting.portal.domain import LockoutPolicy, SessionPolicy
from dorp_reporting.portal.schedule import ReportSchedule
from dorp_reporting.portal.store import PortalStore
from dorp_reporting.portal.use_cases import Portal
from dorp_reporting.portal.web import PREFIX, build_portal
from dorp_shared.contracts.subjects import stream_name
from dorp_shared.service import Runtime

PORTAL = "portal"
SCHEDULE = "portal_schedule"


def portal_of(runtime: Runtime) -> Portal:
    """The portal of a started service (made once, kept in the runtime's extras)."""
    found = runtime.extras.get(PORTAL)
    if isinstance(found, Portal):
        return found
    settings = runtime.settings

    async def make_report(period: str, at: datetime) -> Report:
        uow = runtime.uow(PgReportingUnitOfWork)
        return await handlers.make_report(uow, runtime.region, Period.parse(period), at)

    portal = Portal(
        store=PortalStore(runtime.pool),
        time_zone=runtime.region.time_zone,
        sessions=SessionPolicy(
            idle=timedelta(minutes=settings.portal_session_idle_minutes),
            absolute=timedelta(hours=settings.portal_session_max_hours),
        ),
        lockout=LockoutPolicy(
            attempts=settings.portal_lockout_attempts,
            window=timedelta(minutes=settings.portal_lockout_minutes),
        ),
        make_report=make_report,
        clock=lambda: datetime.now(UTC),
    )
    runtime.extras[PORTAL] = portal
    return portal


def schedule_of(runtime: Runtime) -> ReportSchedule:
    found = runtime.extras.get(SCHEDULE)
    if isinstance(found, ReportSchedule):
        return found
    settings = runtime.settings
    schedule = ReportSchedule(
        portal_of(runtime),
        every=timedelta(minutes=settings.portal_schedule_minutes),
        forget_idle=timedelta(minutes=settings.portal_session_idle_minutes),
        caught_up=lambda: projections_caught_up(runtime),
    )
    runtime.extras[SCHEDULE] = schedule
    return schedule


async def projections_caught_up(runtime: Runtime) -> bool:
    """True when reporting's durable consumers have nothing pending."""
    js = runtime.broker.connection.jetstream()
    for area in AREAS:
        try:
            info = await js.consumer_info(
                stream_name(runtime.region.id, area), f"{handlers.CONSUMER}-{area}"
            )
        except NatsError:
            return False
        if info.num_pending or info.num_ack_pending:
            return False
    return True


def portal_mounts(runtime: Runtime) -> Mapping[str, ASGIApp]:
    return {PREFIX: build_portal(portal_of(runtime), runtime.region.name)}


async def start_portal(runtime: Runtime) -> None:
    """Start the schedule, unless ``DORP_PORTAL_SCHEDULE_MINUTES`` is 0."""
    if runtime.settings.portal_schedule_minutes > 0:
        schedule_of(runtime).start()


async def stop_portal(runtime: Runtime) -> None:
    await schedule_of(runtime).stop()
