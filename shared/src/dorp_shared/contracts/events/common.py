"""Types shared by the event contracts of every area."""

from __future__ import annotations

import uuid
from typing import Literal

from pydantic import BaseModel, ConfigDict

from dorp_shared.contracts.envelope import Event

Role = Literal["parent", "volunteer", "professional", "connector"]
Channel = Literal["email", "sms", "app"]
AgeBand = Literal["0-1", "1-4", "4-12", "12-18"]
RegisteredBy = Literal["self", "partner", "connector", "staff"]
Purpose = Literal["matching", "notifications", "quotes", "research"]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
DayPart = Literal["morning", "afternoon", "evening"]
Side = Literal["request", "offer"]

AGE_BANDS: tuple[AgeBand, ...] = ("0-1", "1-4", "4-12", "12-18")
PURPOSES: tuple[Purpose, ...] = ("matching", "notifications", "quotes", "research")


class Part(BaseModel):
    """A value inside an event: frozen, and tolerant of fields added later."""

    model_config = ConfigDict(frozen=True, extra="ignore")


class MemberScoped(Event):
    """An event about one member. It is published on a subject that ends in the member id
    (``dorp.<region>.registration.<event>.v<N>.<member_id>``), so that erasing the member
    can purge every such event from the stream (see ``MemberErased``)."""

    member_id: uuid.UUID

    def subject_key(self) -> str | None:
        return str(self.member_id)


class TimeWindow(Part):
    """A part of a weekday when someone is available or needs help."""

    day: Weekday
    part: DayPart
