"""Voices of members: quotes and the four-buffer self-check of seed 003 (registration)."""

from __future__ import annotations

import uuid

from pydantic import Field

from dorp_shared.contracts.events.common import MemberScoped, Part

Score = int


class QuoteRecorded(MemberScoped):
    """Something a member said. Reports may show it, never with a name, and only while
    ``publish_anonymously`` is true and the member's consent for quotes stands.

    The latest event per ``quote_id`` wins: when the member withdraws the quote it is
    published again with ``withdrawn`` true, an empty text and ``publish_anonymously`` false.
    """

    area = "registration"
    name = "quote_recorded"
    version = 1

    quote_id: uuid.UUID
    text: str = Field(max_length=1000)
    language: str
    home_area: str
    publish_anonymously: bool
    initiative_id: uuid.UUID | None = None
    withdrawn: bool = Field(default=False, description="the author withdrew it: drop it")


class BufferScores(Part):
    """The four buffers of parental resilience (seed 003), each on a scale of 1 to 5."""

    solidarity: Score = Field(ge=1, le=5, description="solidariteit in de omgeving")
    division_of_tasks: Score = Field(ge=1, le=5, description="goede taakverdeling")
    meta_position: Score = Field(ge=1, le=5, description="metapositie")
    positive_experiences: Score = Field(ge=1, le=5, description="positieve opvoedervaringen")


class SelfCheckRecorded(MemberScoped):
    """A four-buffer self-check: reported only in aggregate, never per person."""

    area = "registration"
    name = "self_check_recorded"
    version = 1

    check_id: uuid.UUID
    home_area: str
    scores: BufferScores
