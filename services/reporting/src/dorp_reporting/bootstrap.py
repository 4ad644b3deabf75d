"""Wires the reporting service: its schema, durable consumers and the report query."""

from __future__ import annotations

from datetime import UTC, datetime

from faststream import FastStream

from dorp_reporting.adapters.uow import PgReportingUnitOfWork
from dorp_reporting.entrypoints import subscribers
from dorp_shared.service import Runtime, ServiceDefinition, create_app


def wire(runtime: Runtime) -> None:
    def uow() -> PgReportingUnitOfWork:
        return runtime.uow(PgReportingUnitOfWork)

    subscribers.wire_registration(runtime, uow)
    subscribers.wire_matching(runtime, uow)
    subscribers.wire_notifications(runtime, uow)
    subscribers.wire_report_query(runtime, uow, lambda: datetime.now(UTC))


DEFINITION = ServiceDefinition(
    name="reporting",
    description=(
        "Projects registration, matching and notification events into counts and answers "
        "report queries with a Markdown (Dutch, then English) and a JSON report whose small "
        "counts of people are suppressed."
    ),
    migrations="dorp_reporting.migrations",
    wire=wire,
)


def app() -> FastStream:
    """App factory (settings from DORP_*):

    ``faststream run dorp_reporting.bootstrap:app --factory``
    """
    return create_app(DEFINITION)
