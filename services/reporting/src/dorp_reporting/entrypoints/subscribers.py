"""FastStream subscribers: validate the contract, call one handler, return.

Durable consumers on the registration, matching and notifications areas project the events
the report counts and acknowledge every other event type. The report query is a core
request/reply subscriber in the ``reporting`` queue group.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import structlog
from faststream.nats.annotations import NatsMessage
from faststream.nats.subscriber.usecases.basic import LogicSubscriber
from pydantic import ValidationError

from dorp_reporting import handlers
from dorp_reporting.contracts import ReportRequest, error_reply
from dorp_reporting.domain.render import render_markdown
from dorp_reporting.ports import ReportingUnitOfWork
from dorp_shared.contracts import (
    Envelope,
    HelpOffered,
    HelpRequested,
    MatchProposed,
    MemberRegistered,
    NotificationSent,
)
from dorp_shared.contracts.subjects import command_subject
from dorp_shared.messaging import area_subscriber, is_event
from dorp_shared.service import Runtime

log = structlog.get_logger(__name__)

UowFactory = Callable[[], ReportingUnitOfWork]


def _area(runtime: Runtime, area: str) -> LogicSubscriber[Any]:
    return area_subscriber(
        runtime.broker,
        region=runtime.region.id,
        service=handlers.CONSUMER,
        area=area,
        max_deliver=runtime.settings.max_deliver,
    )


def wire_registration(runtime: Runtime, uow: UowFactory) -> None:
    sub = _area(runtime, "registration")

    @sub(filter=is_event(MemberRegistered))
    async def member_registered(event: Envelope[MemberRegistered]) -> None:
        await handlers.on_member_registered(uow(), event)

    @sub(filter=is_event(HelpRequested))
    async def help_requested(event: Envelope[HelpRequested]) -> None:
        await handlers.on_help_requested(uow(), event)

    @sub(filter=is_event(HelpOffered))
    async def help_offered(event: Envelope[HelpOffered]) -> None:
        await handlers.on_help_offered(uow(), event)

    @sub()
    async def other_registration_event() -> None:
        """Not counted (yet): acknowledged so it is not redelivered."""


def wire_matching(runtime: Runtime, uow: UowFactory) -> None:
    sub = _area(runtime, "matching")

    @sub(filter=is_event(MatchProposed))
    async def match_proposed(event: Envelope[MatchProposed]) -> None:
        await handlers.on_match_proposed(uow(), event)

    @sub()
    async def other_matching_event() -> None:
        """Not counted (yet): acknowledged so it is not redelivered."""


def wire_notifications(runtime: Runtime, uow: UowFactory) -> None:
    sub = _area(runtime, "notifications")

    @sub(filter=is_event(NotificationSent))
    async def notification_sent(event: Envelope[NotificationSent]) -> None:
        await handlers.on_notification_sent(uow(), event)

    @sub()
    async def other_notifications_event() -> None:
        """Not counted (yet): acknowledged so it is not redelivered."""


def wire_report_query(runtime: Runtime, uow: UowFactory, clock: Callable[[], datetime]) -> None:
    @runtime.broker.subscriber(
        command_subject(runtime.region.id, "reporting", "report"),
        queue="reporting",
        title="reporting: report",
    )
    async def report(msg: NatsMessage) -> dict[str, Any]:
        try:
            request = ReportRequest.from_body(msg.body)
        except ValidationError as exc:
            log.info("report.rejected", errors=exc.error_count())
            return error_reply(exc)
        made = await handlers.make_report(uow(), runtime.region, request.as_period(), clock())
        log.info("report.generated", period=made.period)
        return {"report": made.model_dump(mode="json"), "markdown": render_markdown(made)}
