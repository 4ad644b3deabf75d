"""FastStream subscribers: decode the event, call one handler, return.

One durable consumer per area (registration, matching, notifications), fetched one at a
time so events are projected in stream order. Every event type reporting keeps is
projected; other types are acknowledged and skipped.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from faststream.nats.subscriber.usecases.basic import LogicSubscriber

from dorp_reporting import handlers
from dorp_reporting.events import decode_event
from dorp_reporting.ports import ReportingUnitOfWork
from dorp_shared.messaging import area_subscriber
from dorp_shared.service import Runtime, raw_body

UowFactory = Callable[[], ReportingUnitOfWork]
AREAS = ("registration", "matching", "notifications")


def _area(runtime: Runtime, area: str) -> LogicSubscriber[Any]:
    return area_subscriber(
        runtime.broker,
        region=runtime.region.id,
        service=handlers.CONSUMER,
        area=area,
        max_deliver=runtime.settings.max_deliver,
    )


def wire_area(runtime: Runtime, uow: UowFactory, area: str) -> None:
    sub = _area(runtime, area)

    @sub(decoder=raw_body)
    async def project_event(body: bytes) -> None:
        """Project what the report needs; acknowledge event types it does not keep."""
        headers = runtime.broker.context.get_local("message").headers or {}
        event = decode_event(headers, body)
        if event is not None:
            await handlers.project(uow(), event)


def wire_projections(runtime: Runtime, uow: UowFactory) -> None:
    for area in AREAS:
        wire_area(runtime, uow, area)
