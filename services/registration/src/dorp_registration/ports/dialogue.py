"""Port of the dialogue capability: parent groups, dialogue tables, concerns, proposals,
votes, decisions and the organisations that take them up. Records are the events that
describe them."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Protocol

from dorp_registration.ports.common import MemberData
from dorp_shared.contracts.events import (
    ConcernNamed,
    DecisionRecorded,
    DecisionTakenUp,
    DialogueProposalMade,
    DialogueTableOpened,
    ParentGroupFormed,
    VoteChoice,
)

Ballot = tuple[uuid.UUID, VoteChoice]


class DialogueRepository(MemberData, Protocol):
    async def add_group(self, group: ParentGroupFormed, at: datetime) -> None: ...

    async def known_groups(self, group_ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
        """Those of the ids that are parent groups."""
        ...

    async def join_group(self, group_id: uuid.UUID, member_id: uuid.UUID, at: datetime) -> bool:
        """Add the member to the group; False (and no change) if they are in it already."""
        ...

    async def groups(self, group_ids: Iterable[uuid.UUID]) -> list[tuple[ParentGroupFormed, int]]:
        """The groups with their number of members, in the order of ``group_ids``."""
        ...

    async def add_table(self, table: DialogueTableOpened, at: datetime) -> None: ...

    async def get_table(self, table_id: uuid.UUID) -> DialogueTableOpened | None: ...

    async def add_concern(self, concern: ConcernNamed, at: datetime) -> None: ...

    async def get_concern(self, concern_id: uuid.UUID) -> ConcernNamed | None: ...

    async def concerns(self, table_id: uuid.UUID) -> list[ConcernNamed]: ...

    async def add_proposal(self, proposal: DialogueProposalMade, at: datetime) -> None: ...

    async def get_proposal(
        self, proposal_id: uuid.UUID, *, for_update: bool = False
    ) -> DialogueProposalMade | None:
        """``for_update`` holds votes and decisions on the proposal until this commits."""
        ...

    async def proposals(self, table_id: uuid.UUID) -> list[DialogueProposalMade]: ...

    async def seated(self, table_id: uuid.UUID, member_id: uuid.UUID) -> bool:
        """True if the member belongs to one of the table's parent groups."""
        ...

    async def cast_vote(
        self, proposal_id: uuid.UUID, member_id: uuid.UUID, choice: VoteChoice, at: datetime
    ) -> bool:
        """Store the member's vote, replacing an earlier one; False if it was the same."""
        ...

    async def ballots(self, table_id: uuid.UUID) -> dict[uuid.UUID, list[Ballot]]:
        """Per proposal of the table, its ballots in the order cast."""
        ...

    async def add_decision(self, decision: DecisionRecorded, at: datetime) -> bool:
        """Store the decision; False (and no change) if the proposal was decided already."""
        ...

    async def decision_on(self, proposal_id: uuid.UUID) -> DecisionRecorded | None: ...

    async def get_decision(self, decision_id: uuid.UUID) -> DecisionRecorded | None: ...

    async def decisions(self, table_id: uuid.UUID) -> list[DecisionRecorded]: ...

    async def take_up(self, taken: DecisionTakenUp, at: datetime) -> bool:
        """Link the organisation to the decision; False if it took it up before."""
        ...

    async def uptakes(self, table_id: uuid.UUID) -> list[DecisionTakenUp]: ...
