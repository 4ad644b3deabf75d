"""Matching's events."""

from __future__ import annotations

import uuid

from pydantic import Field

from dorp_shared.contracts.envelope import Event
from dorp_shared.contracts.events.common import Part


class MatchReason(Part):
    code: str
    detail: str
    weight: float


class MatchProposed(Event):
    area = "matching"
    name = "match_proposed"
    version = 1

    proposal_id: uuid.UUID
    request_id: uuid.UUID
    offer_id: uuid.UUID
    requester_id: uuid.UUID
    helper_id: uuid.UUID
    kind: str
    home_area: str
    score: float
    reasons: tuple[MatchReason, ...]
    explanation: str = Field(description="One human sentence, Dutch")
    explanation_en: str
    needs_connector_review: bool = False
