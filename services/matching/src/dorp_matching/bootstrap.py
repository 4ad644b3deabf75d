"""Wiring of the matching service."""

from __future__ import annotations

from faststream import FastStream

from dorp_matching.adapters.uow import PgMatchingUnitOfWork
from dorp_matching.coffee_dates import COMMANDS as COFFEE_COMMANDS
from dorp_matching.commands import COMMANDS
from dorp_matching.connector import COMMANDS as CONNECTOR_COMMANDS
from dorp_matching.entrypoints.jobs import PeriodicJobs
from dorp_matching.entrypoints.subscribers import SERVICE, wire_subscribers
from dorp_matching.recommendations import COMMANDS as RECOMMEND_COMMANDS
from dorp_shared.contracts.events import MATCHING_EVENTS
from dorp_shared.service import Api, Runtime, ServiceDefinition, create_app


def wire(runtime: Runtime) -> None:
    wire_subscribers(runtime)


async def start_jobs(runtime: Runtime) -> None:
    job = PeriodicJobs(runtime)
    job.start()
    runtime.extras["expiry"] = job


async def stop_jobs(runtime: Runtime) -> None:
    job = runtime.extras.pop("expiry", None)
    if isinstance(job, PeriodicJobs):
        await job.stop()


DEFINITION = ServiceDefinition(
    name=SERVICE,
    description=(
        "Proposes matches between help requests (vraag) and offers (aanbod), and follows "
        "each proposal through answers, confirmation, feedback and expiry; pairs parents "
        "into coffee and tea dates; recommends sessions of existing initiatives."
    ),
    migrations="dorp_matching.migrations",
    wire=wire,
    publishes=MATCHING_EVENTS,
    api=Api(
        commands=(*COMMANDS, *CONNECTOR_COMMANDS, *COFFEE_COMMANDS, *RECOMMEND_COMMANDS),
        uow=PgMatchingUnitOfWork,
    ),
    on_started=start_jobs,
    on_stopping=stop_jobs,
)


def app() -> FastStream:
    """App factory (settings from DORP_*):

    ``faststream run dorp_matching.bootstrap:app --factory``
    """
    return create_app(DEFINITION)
