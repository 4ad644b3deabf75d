"""The report query on ``dorp.<region>.cmd.reporting.report`` (request/reply).

Request: ``{"period": "all" | "2026"}`` (an empty body means "all").
Reply: ``{"report": <Report as JSON>, "markdown": "<text>"}``, or on bad input
``{"error": "<one line naming the field>", "errors": [{"field": ..., "message": ...}]}``.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from dorp_reporting.domain.period import ALL, Period
from dorp_shared.contracts.partner import FieldError


class ReportRequest(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    period: str = ALL

    @field_validator("period")
    @classmethod
    def _known_period(cls, value: str) -> str:
        return Period.parse(value).key

    @classmethod
    def from_body(cls, body: bytes) -> ReportRequest:
        return cls.model_validate_json(body.strip() or b"{}")

    def as_period(self) -> Period:
        return Period.parse(self.period)


def error_reply(exc: ValidationError) -> dict[str, Any]:
    errors = [
        FieldError(field=".".join(str(part) for part in err["loc"]) or "(body)", message=err["msg"])
        for err in exc.errors()[:20]
    ]
    summary = "; ".join(f"{error.field}: {error.message}" for error in errors)
    return {"error": summary, "errors": [error.model_dump() for error in errors]}
