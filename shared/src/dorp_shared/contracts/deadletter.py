"""Dead letters: what a service could not handle, kept with a machine-readable reason."""

from __future__ import annotations

from pydantic import AwareDatetime, BaseModel, ConfigDict

from dorp_shared.contracts.partner import FieldError


class DeadLetter(BaseModel):
    model_config = ConfigDict(frozen=True)

    reason: str
    detail: str
    service: str
    original_subject: str
    original_payload: str
    deliveries: int = 1
    errors: tuple[FieldError, ...] = ()
    failed_at: AwareDatetime
