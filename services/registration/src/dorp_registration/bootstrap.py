"""Wires registration into the shared service skeleton."""

from __future__ import annotations

from faststream import FastStream

from dorp_registration.entrypoints.subscribers import wire_partner_intake
from dorp_shared.contracts.events import HelpOffered, HelpRequested, MemberRegistered
from dorp_shared.service import Runtime, ServiceDefinition, create_app


def wire(runtime: Runtime) -> None:
    wire_partner_intake(runtime)


DEFINITION = ServiceDefinition(
    name="registration",
    description=(
        "Registration: partner systems register members, requests and offers of help; "
        "registration validates them against the region and publishes canonical events."
    ),
    migrations="dorp_registration.migrations",
    wire=wire,
    publishes=(
        MemberRegistered,
        HelpRequested,
        HelpOffered,
    ),
)


def app() -> FastStream:
    """App factory (settings from DORP_*):

    ``faststream run dorp_registration.bootstrap:app --factory``
    """
    return create_app(DEFINITION)
