"""The envelope every Dorp event travels in, and the base class of event payloads.

Rules (tolerant reader): within a schema version fields are only added, never removed or
retyped; consumers ignore fields they do not know; a breaking change is a new class with
``version = 2`` published beside the old one for a while.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, ClassVar, Generic, TypeVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

SCHEMA_VERSION_HEADER = "Dorp-Schema-Version"
EVENT_TYPE_HEADER = "Dorp-Event-Type"
CORRELATION_HEADER = "Dorp-Correlation-Id"
MSG_ID_HEADER = "Nats-Msg-Id"


class Event(BaseModel):
    """Base of every event payload: frozen, and tolerant of fields added later."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    area: ClassVar[str]
    name: ClassVar[str]
    version: ClassVar[int] = 1

    @classmethod
    def event_type(cls) -> str:
        return f"{cls.area}.{cls.name}"

    def subject_key(self) -> str | None:
        """A last subject token that groups events (a member id), or None."""
        return None


P = TypeVar("P", bound=BaseModel)


class Envelope(BaseModel, Generic[P]):
    """Metadata around a payload. ``event_id`` doubles as the ``Nats-Msg-Id``."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    event_id: uuid.UUID = Field(default_factory=uuid.uuid4)
    type: str
    schema_version: int = Field(ge=1)
    region: str
    occurred_at: AwareDatetime
    source: str
    correlation_id: str
    causation_id: uuid.UUID | None = None
    payload: P

    def headers(self) -> dict[str, str]:
        return {
            MSG_ID_HEADER: str(self.event_id),
            EVENT_TYPE_HEADER: self.type,
            SCHEMA_VERSION_HEADER: str(self.schema_version),
            CORRELATION_HEADER: self.correlation_id,
        }


ANY_ENVELOPE = Envelope[Any]
"""Held here: pydantic keeps parametrized models only weakly, and rebuilt ``Envelope[Any]``
after each garbage collection (6 % of matching's CPU per proposal, measured)."""


def wrap(
    payload: Event,
    *,
    region: str,
    source: str,
    correlation_id: str | None = None,
    causation_id: uuid.UUID | None = None,
    event_id: uuid.UUID | None = None,
    occurred_at: datetime | None = None,
) -> Envelope[Any]:
    """Put a payload in a fresh envelope. Pass ``event_id`` to derive it deterministically."""
    new_id = event_id or uuid.uuid4()
    return ANY_ENVELOPE(
        event_id=new_id,
        type=payload.event_type(),
        schema_version=payload.version,
        region=region,
        occurred_at=occurred_at or datetime.now(UTC),
        source=source,
        correlation_id=correlation_id or str(new_id),
        causation_id=causation_id,
        payload=payload,
    )
