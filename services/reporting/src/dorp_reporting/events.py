"""Which events reporting keeps, and how a raw stream message becomes one of them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dorp_reporting.adapters.projections import PROJECTORS
from dorp_shared.contracts import Envelope
from dorp_shared.contracts.envelope import EVENT_TYPE_HEADER, SCHEMA_VERSION_HEADER, Event

KEPT: dict[tuple[str, str], type[Event]] = {
    (event.event_type(), str(event.version)): event for event in PROJECTORS
}


def decode_event(headers: Mapping[str, str], body: bytes) -> Envelope[Any] | None:
    """The event in a stream message, or None for a type (or version) reporting does not
    keep. A kept type that does not match its contract raises ``ValidationError``."""
    event = KEPT.get((headers.get(EVENT_TYPE_HEADER, ""), headers.get(SCHEMA_VERSION_HEADER, "")))
    if event is None:
        return None
    return Envelope[event].model_validate_json(body)  # type: ignore[valid-type]
