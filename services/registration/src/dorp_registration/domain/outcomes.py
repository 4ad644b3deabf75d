"""What can come of one partner message: accepted (maybe as a duplicate) or rejected."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from dorp_shared.contracts.partner import FieldError, PartnerReply

PAYLOAD_TOO_LARGE = "payload_too_large"
INVALID_JSON = "invalid_json"
UNKNOWN_EVENT_TYPE = "unknown_event_type"
INVALID_FIELDS = "invalid_fields"
UNKNOWN_MEMBER = "unknown_member"
ERASED_MEMBER = "erased_member"


@dataclass(frozen=True)
class Accepted:
    dorp_id: uuid.UUID
    duplicate: bool = False


@dataclass(frozen=True)
class Rejection:
    """``reason`` is machine-readable; ``detail`` is one English line for people."""

    reason: str
    detail: str
    errors: tuple[FieldError, ...] = ()


Outcome = Accepted | Rejection


def reply_for(outcome: Outcome) -> PartnerReply:
    if isinstance(outcome, Rejection):
        return PartnerReply(status="rejected", reason=outcome.reason, errors=outcome.errors)
    return PartnerReply(
        status="accepted", dorp_id=str(outcome.dorp_id), duplicate=outcome.duplicate
    )
