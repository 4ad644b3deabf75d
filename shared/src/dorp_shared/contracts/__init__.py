"""Event contracts: the envelope, the canonical events, partner input and dead letters.

The names below are imported on first use (PEP 562), so that a module needing only
``dorp_shared.contracts.subjects`` (the command line's help, its NATS configuration) does not
load every pydantic model first."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dorp_shared.contracts.deadletter import DeadLetter
    from dorp_shared.contracts.envelope import Envelope, Event, wrap
    from dorp_shared.contracts.events import (
        ALL_EVENTS,
        Consents,
        ContactDetails,
        HelpOffered,
        HelpRequested,
        MatchProposed,
        MatchReason,
        MemberRegistered,
        NotificationSent,
    )
    from dorp_shared.contracts.partner import FieldError, PartnerReply

_MODULE_OF = {
    "DeadLetter": "deadletter",
    "Envelope": "envelope",
    "Event": "envelope",
    "wrap": "envelope",
    "ALL_EVENTS": "events",
    "Consents": "events",
    "ContactDetails": "events",
    "HelpOffered": "events",
    "HelpRequested": "events",
    "MatchProposed": "events",
    "MatchReason": "events",
    "MemberRegistered": "events",
    "NotificationSent": "events",
    "FieldError": "partner",
    "PartnerReply": "partner",
}

__all__ = [
    "ALL_EVENTS",
    "Consents",
    "ContactDetails",
    "DeadLetter",
    "Envelope",
    "Event",
    "FieldError",
    "HelpOffered",
    "HelpRequested",
    "MatchProposed",
    "MatchReason",
    "MemberRegistered",
    "NotificationSent",
    "PartnerReply",
    "wrap",
]


def __getattr__(name: str) -> Any:
    if name not in _MODULE_OF:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_MODULE_OF[name]}"), name)
    globals()[name] = value
    return value
