"""Dialogue tables (seed 004, Ouderklap): parent groups name concerns, propose, vote and
decide; a decision keeps the minority's view beside the majority's choice."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Literal

from pydantic import Field

from dorp_shared.contracts.envelope import Event
from dorp_shared.contracts.events.common import MemberScoped

VoteChoice = Literal["for", "against", "abstain"]


class ParentGroupFormed(Event):
    area = "registration"
    name = "parent_group_formed"
    version = 1

    group_id: uuid.UUID
    group_name: str = Field(max_length=120)
    home_area: str
    organisation_id: uuid.UUID | None = None
    languages: tuple[str, ...] = ()


class ParentGroupJoined(MemberScoped):
    area = "registration"
    name = "parent_group_joined"
    version = 1

    group_id: uuid.UUID


class DialogueTableOpened(Event):
    """A dialogue table between parent groups (bridging), on a topic, on a date."""

    area = "registration"
    name = "dialogue_table_opened"
    version = 1

    table_id: uuid.UUID
    topic: str = Field(max_length=200)
    group_ids: tuple[uuid.UUID, ...]
    home_area: str
    held_on: dt.date


class ConcernNamed(Event):
    """A shared concern a group brings to the table, in the group's words."""

    area = "registration"
    name = "concern_named"
    version = 1

    concern_id: uuid.UUID
    table_id: uuid.UUID
    group_id: uuid.UUID | None = None
    text: str = Field(max_length=1000)


class DialogueProposalMade(Event):
    area = "registration"
    name = "dialogue_proposal_made"
    version = 1

    proposal_id: uuid.UUID
    table_id: uuid.UUID
    concern_id: uuid.UUID | None = None
    text: str = Field(max_length=1000)
    addressed_to: tuple[uuid.UUID, ...] = Field(default=(), description="organisation ids")


class VoteCast(MemberScoped):
    """One member's vote on a proposal; a later vote of the same member replaces it."""

    area = "registration"
    name = "vote_cast"
    version = 1

    proposal_id: uuid.UUID
    table_id: uuid.UUID
    choice: VoteChoice


class DecisionRecorded(Event):
    """Deep Democracy: the majority's choice, with the minority's view added to it."""

    area = "registration"
    name = "decision_recorded"
    version = 1

    decision_id: uuid.UUID
    table_id: uuid.UUID
    proposal_id: uuid.UUID
    adopted: bool
    majority_view: str = Field(max_length=2000)
    minority_view: str = Field(default="", max_length=2000)
    votes_for: int = Field(ge=0)
    votes_against: int = Field(ge=0)
    votes_abstain: int = Field(ge=0)


class DecisionTakenUp(Event):
    """An organisation takes up a decision (linking)."""

    area = "registration"
    name = "decision_taken_up"
    version = 1

    decision_id: uuid.UUID
    organisation_id: uuid.UUID
    note: str = Field(default="", max_length=1000)
