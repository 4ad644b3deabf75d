"""Wiring of the matching service."""

from __future__ import annotations

import gc

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


GC_THRESHOLDS = (20_000, 20, 20)
"""Python's collector runs by default every 700 net allocations, and its full collections
walk every object alive: in ``dorp bench matching`` at 500 requests/s it took 1.6 s of the
process's 11.8 s of CPU (16 full collections of ~45 ms). With the young generation collected
every 20,000 allocations, and what lives from the start frozen out of every collection:
1.0 s, 0.2 s of it the collection at start-up (see docs/benchmarks.md)."""


def collect_garbage_less_often() -> None:
    """Once per process, after start-up: freeze what is alive now (no collection walks it
    again) and collect the young generation less often. Objects die by reference count as
    before; only reference cycles wait longer."""
    if gc.get_threshold() == GC_THRESHOLDS:
        return
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


async def start_jobs(runtime: Runtime) -> None:
    collect_garbage_less_often()
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
