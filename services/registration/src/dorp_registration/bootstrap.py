"""Wires registration into the shared service skeleton."""

from __future__ import annotations

from faststream import FastStream

from dorp_registration.adapters.uow import RegistrationPgUnitOfWork
from dorp_registration.commands import COMMANDS
from dorp_registration.entrypoints.jobs import BackgroundJobs
from dorp_registration.entrypoints.subscribers import INTAKE, PartnerIntake, wire_partner_intake
from dorp_shared.contracts.events import REGISTRATION_EVENTS
from dorp_shared.service import Api, Runtime, ServiceDefinition, create_app


def wire(runtime: Runtime) -> None:
    wire_partner_intake(runtime)


async def started(runtime: Runtime) -> None:
    intake = runtime.extras.get(INTAKE)
    if isinstance(intake, PartnerIntake):
        await intake.start()
    jobs = BackgroundJobs(runtime)
    jobs.start()
    runtime.extras["jobs"] = jobs


async def stopping(runtime: Runtime) -> None:
    intake = runtime.extras.get(INTAKE)
    if isinstance(intake, PartnerIntake):
        await intake.stop()
    jobs = runtime.extras.pop("jobs", None)
    if isinstance(jobs, BackgroundJobs):
        await jobs.stop()


DEFINITION = ServiceDefinition(
    name="registration",
    description=(
        "Registration, the front door of a region: members, organisations, help requests "
        "and offers, initiatives and sessions, voices, dialogue tables and learning "
        "communities. Validated against the region file; every change is published as a "
        "canonical event."
    ),
    migrations="dorp_registration.migrations",
    wire=wire,
    publishes=REGISTRATION_EVENTS,
    api=Api(commands=COMMANDS, uow=RegistrationPgUnitOfWork),
    on_started=started,
    on_stopping=stopping,
)


def app() -> FastStream:
    """App factory (settings from DORP_*):

    ``faststream run dorp_registration.bootstrap:app --factory``
    """
    return create_app(DEFINITION)
