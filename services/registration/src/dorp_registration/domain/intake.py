"""Turning a partner's raw message body into a partner input model, or a clear rejection.

The body is handled as bytes so that nothing a partner sends can crash the subscriber:
size, JSON, event type and fields are checked in that order, each with its own reason.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError

from dorp_registration.domain.outcomes import (
    INVALID_FIELDS,
    INVALID_JSON,
    PAYLOAD_TOO_LARGE,
    UNKNOWN_EVENT_TYPE,
    Rejection,
)
from dorp_shared.contracts.partner import (
    MAX_PARTNER_PAYLOAD_BYTES,
    PARTNER_EVENTS,
    FieldError,
    PartnerHelpOffer,
    PartnerHelpRequest,
    PartnerMember,
    PartnerOrganisation,
)
from dorp_shared.validation import field_errors, unstorable_text

PartnerInput = PartnerMember | PartnerHelpRequest | PartnerHelpOffer | PartnerOrganisation


def parse(
    event_name: str,
    body: bytes,
    other_events: tuple[str, ...] = (),
    data: dict[str, Any] | None = None,
) -> PartnerInput | Rejection:
    """``other_events`` are further event names a partner may send (named when one is
    unknown); ``data`` is ``body`` as a JSON object if the caller parsed it already."""
    if len(body) > MAX_PARTNER_PAYLOAD_BYTES:
        return Rejection(
            PAYLOAD_TOO_LARGE, f"{len(body)} bytes; at most {MAX_PARTNER_PAYLOAD_BYTES} allowed"
        )
    model = PARTNER_EVENTS.get(event_name)
    if model is None:
        allowed = (*PARTNER_EVENTS, *other_events)
        return Rejection(
            UNKNOWN_EVENT_TYPE,
            f"unknown event type; allowed: {', '.join(allowed)}",
            (FieldError(field="event", message="unknown event type", allowed=allowed),),
        )
    if data is None:
        try:
            data = json.loads(body)
        except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError alike
            return Rejection(INVALID_JSON, f"the body is not valid UTF-8 JSON: {exc}")
        if not isinstance(data, dict):
            return Rejection(INVALID_JSON, "the body must be a JSON object")
    try:
        parsed: PartnerInput = model.model_validate(data)  # type: ignore[assignment]
    except ValidationError as exc:
        errors = field_errors(model, exc)
        return Rejection(INVALID_FIELDS, f"{exc.error_count()} invalid field(s)", errors)
    unstorable = unstorable_text(data) if _may_hold_nul(body) else ()
    if unstorable:
        return Rejection(INVALID_FIELDS, f"{len(unstorable)} invalid field(s)", unstorable)
    return parsed


def _may_hold_nul(body: bytes) -> bool:
    """UTF-8 JSON holds a NUL character only as the escape ``\\u0000`` (a raw one is not
    valid JSON); a body in UTF-16 or UTF-32 (``json.loads`` takes those too) has zero bytes
    and is always looked through."""
    return b"\\u0000" in body or b"\x00" in body
