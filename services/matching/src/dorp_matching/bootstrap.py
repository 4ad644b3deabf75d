"""Wiring of the matching service."""

from __future__ import annotations

from faststream import FastStream

from dorp_matching.entrypoints.subscribers import SERVICE, wire_subscribers
from dorp_shared.contracts.events import MatchProposed
from dorp_shared.service import Runtime, ServiceDefinition, create_app


def wire(runtime: Runtime) -> None:
    wire_subscribers(runtime)


DEFINITION = ServiceDefinition(
    name=SERVICE,
    description="Proposes matches between help requests (vraag) and offers (aanbod).",
    migrations="dorp_matching.migrations",
    wire=wire,
    publishes=(MatchProposed,),
)


def app() -> FastStream:
    """App factory (settings from DORP_*):

    ``faststream run dorp_matching.bootstrap:app --factory``
    """
    return create_app(DEFINITION)
