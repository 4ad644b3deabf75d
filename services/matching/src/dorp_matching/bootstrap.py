"""Wiring of the matching service."""

from __future__ import annotations

from dorp_matching.entrypoints.subscribers import SERVICE, wire_subscribers
from dorp_shared.contracts.events import MatchProposed
from dorp_shared.service import Runtime, ServiceDefinition


def wire(runtime: Runtime) -> None:
    wire_subscribers(runtime)


DEFINITION = ServiceDefinition(
    name=SERVICE,
    description="Proposes matches between help requests (vraag) and offers (aanbod).",
    migrations="dorp_matching.migrations",
    wire=wire,
    publishes=(MatchProposed,),
)
