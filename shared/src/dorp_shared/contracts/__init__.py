"""Event contracts: the envelope, the canonical events, partner input and dead letters."""

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
