"""Turning a partner's raw message body into a partner input model, or a clear rejection.

The body is handled as bytes so that nothing a partner sends can crash the subscriber:
size, JSON, event type and fields are checked in that order, each with its own reason.
"""

from __future__ import annotations

import json
from typing import Any, Literal, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

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
)

PartnerInput = PartnerMember | PartnerHelpRequest | PartnerHelpOffer
MAX_FIELD_ERRORS = 20


def parse(event_name: str, body: bytes) -> PartnerInput | Rejection:
    if len(body) > MAX_PARTNER_PAYLOAD_BYTES:
        return Rejection(
            PAYLOAD_TOO_LARGE, f"{len(body)} bytes; at most {MAX_PARTNER_PAYLOAD_BYTES} allowed"
        )
    model = PARTNER_EVENTS.get(event_name)
    if model is None:
        allowed = tuple(PARTNER_EVENTS)
        return Rejection(
            UNKNOWN_EVENT_TYPE,
            f"unknown event type; allowed: {', '.join(allowed)}",
            (FieldError(field="event", message="unknown event type", allowed=allowed),),
        )
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
    return parsed


def field_errors(model: type[BaseModel], exc: ValidationError) -> tuple[FieldError, ...]:
    """One FieldError per pydantic error, listing the allowed values where the set is closed."""
    return tuple(_field_error(model, err) for err in exc.errors()[:MAX_FIELD_ERRORS])


def _field_error(model: type[BaseModel], err: ErrorDetails) -> FieldError:
    field = ".".join(str(part) for part in err["loc"]) or "(body)"
    allowed: tuple[str, ...] | None = None
    top = str(err["loc"][0]) if err["loc"] else ""
    if err["type"] == "extra_forbidden":
        allowed = tuple(model.model_fields)
    elif err["type"] == "literal_error" and top in model.model_fields:
        allowed = literal_values(model.model_fields[top].annotation) or None
    return FieldError(field=field, message=err["msg"], allowed=allowed)


def literal_values(annotation: Any) -> tuple[str, ...]:
    """Every Literal value inside an annotation such as ``tuple[AgeBand, ...] | None``."""
    if get_origin(annotation) is Literal:
        return tuple(str(value) for value in get_args(annotation))
    found: list[str] = []
    for arg in get_args(annotation):
        found.extend(value for value in literal_values(arg) if value not in found)
    return tuple(found)
