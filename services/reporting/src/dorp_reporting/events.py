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
_ENVELOPES: dict[tuple[str, str], type[Envelope[Any]]] = {
    key: Envelope[event]  # type: ignore[valid-type]
    for key, event in KEPT.items()
}
"""The parametrised envelope of each kept type, made once (pydantic's own cache of
``Envelope[X]`` costs more than the validation of a small event)."""


def decode_event(headers: Mapping[str, str], body: bytes) -> Envelope[Any] | None:
    """The event in a stream message, or None for a type (or version) reporting does not
    keep. A kept type that does not match its contract raises ``ValidationError``."""
    envelope = _ENVELOPES.get(
        (headers.get(EVENT_TYPE_HEADER, ""), headers.get(SCHEMA_VERSION_HEADER, ""))
    )
    return None if envelope is None else envelope.model_validate_json(body)
