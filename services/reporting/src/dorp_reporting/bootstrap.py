"""Wires the reporting service: its schema, durable consumers and the report query."""

from __future__ import annotations

from faststream import FastStream

from dorp_reporting.adapters.uow import PgReportingUnitOfWork
from dorp_reporting.commands import COMMANDS
from dorp_reporting.entrypoints import subscribers
from dorp_reporting.portal.wiring import portal_mounts, start_portal, stop_portal
from dorp_shared.service import Api, Runtime, ServiceDefinition, create_app


def wire(runtime: Runtime) -> None:
    def uow() -> PgReportingUnitOfWork:
        return runtime.uow(PgReportingUnitOfWork)

    subscribers.wire_projections(runtime, uow)


DEFINITION = ServiceDefinition(
    name="reporting",
    description=(
        "Projects registration, matching and notification events into anonymous counts and "
        "answers report queries (HTML with charts, PDF, Markdown, CSV, JSON; Dutch, then "
        "English) whose small counts of people are suppressed; publishes anonymised "
        "aggregates for the cross-region overview."
    ),
    migrations="dorp_reporting.migrations",
    wire=wire,
    api=Api(commands=COMMANDS, uow=PgReportingUnitOfWork),
    http_mounts=portal_mounts,
    on_started=start_portal,
    on_stopping=stop_portal,
)


def app() -> FastStream:
    """App factory (settings from DORP_*):

    ``faststream run dorp_reporting.bootstrap:app --factory``
    """
    return create_app(DEFINITION)
