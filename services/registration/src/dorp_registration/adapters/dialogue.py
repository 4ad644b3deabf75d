"""asyncpg repository of parent groups and dialogue tables."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import asyncpg

from dorp_registration.adapters.rows import jsonable_rows
from dorp_registration.ports.dialogue import Ballot
from dorp_shared.contracts.events import (
    ConcernNamed,
    DecisionRecorded,
    DecisionTakenUp,
    DialogueProposalMade,
    DialogueTableOpened,
    ParentGroupFormed,
    VoteChoice,
)

GROUP_COLUMNS = "group_id, name AS group_name, home_area, organisation_id, languages"
CONCERN_COLUMNS = "concern_id, table_id, group_id, text"
PROPOSAL_COLUMNS = "proposal_id, table_id, concern_id, text, addressed_to"
DECISION_COLUMNS = (
    "decision_id, table_id, proposal_id, adopted, majority_view, minority_view,"
    " votes_for, votes_against, votes_abstain"
)


class PgDialogueRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def add_group(self, group: ParentGroupFormed, at: datetime) -> None:
        await self.conn.execute(
            "INSERT INTO parent_groups (group_id, name, home_area, organisation_id, languages,"
            " formed_at) VALUES ($1, $2, $3, $4, $5, $6)",
            group.group_id,
            group.group_name,
            group.home_area,
            group.organisation_id,
            list(group.languages),
            at,
        )

    async def known_groups(self, group_ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
        rows = await self.conn.fetch(
            "SELECT group_id FROM parent_groups WHERE group_id = ANY($1::uuid[])", list(group_ids)
        )
        return {row["group_id"] for row in rows}

    async def join_group(self, group_id: uuid.UUID, member_id: uuid.UUID, at: datetime) -> bool:
        joined = await self.conn.fetchval(
            "INSERT INTO parent_group_members (group_id, member_id, joined_at)"
            " VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING true",
            group_id,
            member_id,
            at,
        )
        return bool(joined)

    async def groups(self, group_ids: Iterable[uuid.UUID]) -> list[tuple[ParentGroupFormed, int]]:
        rows = await self.conn.fetch(
            f"SELECT {GROUP_COLUMNS}, (SELECT count(*) FROM parent_group_members m"
            " WHERE m.group_id = g.group_id) AS members"
            " FROM unnest($1::uuid[]) WITH ORDINALITY AS wanted (group_id, position)"
            " JOIN parent_groups g USING (group_id) ORDER BY position",
            list(group_ids),
        )
        return [(_group(row), row["members"]) for row in rows]

    async def add_table(self, table: DialogueTableOpened, at: datetime) -> None:
        await self.conn.execute(
            "INSERT INTO dialogue_tables (table_id, topic, home_area, held_on, opened_at)"
            " VALUES ($1, $2, $3, $4, $5)",
            table.table_id,
            table.topic,
            table.home_area,
            table.held_on,
            at,
        )
        await self.conn.executemany(
            "INSERT INTO dialogue_table_groups (table_id, group_id, position) VALUES ($1, $2, $3)",
            [(table.table_id, group_id, i) for i, group_id in enumerate(table.group_ids)],
        )

    async def get_table(self, table_id: uuid.UUID) -> DialogueTableOpened | None:
        row = await self.conn.fetchrow(
            "SELECT table_id, topic, home_area, held_on, ARRAY(SELECT group_id"
            " FROM dialogue_table_groups g WHERE g.table_id = t.table_id ORDER BY position)"
            " AS group_ids FROM dialogue_tables t WHERE table_id = $1",
            table_id,
        )
        return None if row is None else DialogueTableOpened(**dict(row))

    async def add_concern(self, concern: ConcernNamed, at: datetime) -> None:
        await self.conn.execute(
            f"INSERT INTO concerns ({CONCERN_COLUMNS}, named_at) VALUES ($1, $2, $3, $4, $5)",
            concern.concern_id,
            concern.table_id,
            concern.group_id,
            concern.text,
            at,
        )

    async def get_concern(self, concern_id: uuid.UUID) -> ConcernNamed | None:
        row = await self.conn.fetchrow(
            f"SELECT {CONCERN_COLUMNS} FROM concerns WHERE concern_id = $1", concern_id
        )
        return None if row is None else ConcernNamed(**dict(row))

    async def concerns(self, table_id: uuid.UUID) -> list[ConcernNamed]:
        rows = await self.conn.fetch(
            f"SELECT {CONCERN_COLUMNS} FROM concerns WHERE table_id = $1"
            " ORDER BY named_at, concern_id",
            table_id,
        )
        return [ConcernNamed(**dict(row)) for row in rows]

    async def add_proposal(self, proposal: DialogueProposalMade, at: datetime) -> None:
        await self.conn.execute(
            f"INSERT INTO proposals ({PROPOSAL_COLUMNS}, made_at) VALUES ($1, $2, $3, $4, $5, $6)",
            proposal.proposal_id,
            proposal.table_id,
            proposal.concern_id,
            proposal.text,
            list(proposal.addressed_to),
            at,
        )

    async def get_proposal(
        self, proposal_id: uuid.UUID, *, for_update: bool = False
    ) -> DialogueProposalMade | None:
        lock = " FOR UPDATE" if for_update else ""
        row = await self.conn.fetchrow(
            f"SELECT {PROPOSAL_COLUMNS} FROM proposals WHERE proposal_id = $1{lock}", proposal_id
        )
        return None if row is None else DialogueProposalMade(**dict(row))

    async def proposals(self, table_id: uuid.UUID) -> list[DialogueProposalMade]:
        rows = await self.conn.fetch(
            f"SELECT {PROPOSAL_COLUMNS} FROM proposals WHERE table_id = $1"
            " ORDER BY made_at, proposal_id",
            table_id,
        )
        return [DialogueProposalMade(**dict(row)) for row in rows]

    async def seated(self, table_id: uuid.UUID, member_id: uuid.UUID) -> bool:
        found = await self.conn.fetchval(
            "SELECT EXISTS (SELECT 1 FROM dialogue_table_groups t"
            " JOIN parent_group_members m USING (group_id)"
            " WHERE t.table_id = $1 AND m.member_id = $2)",
            table_id,
            member_id,
        )
        return bool(found)

    async def cast_vote(
        self, proposal_id: uuid.UUID, member_id: uuid.UUID, choice: VoteChoice, at: datetime
    ) -> bool:
        changed = await self.conn.fetchval(
            "INSERT INTO votes (proposal_id, member_id, choice, cast_at) VALUES ($1, $2, $3, $4)"
            " ON CONFLICT (proposal_id, member_id) DO UPDATE"
            " SET choice = EXCLUDED.choice, cast_at = EXCLUDED.cast_at"
            " WHERE votes.choice <> EXCLUDED.choice RETURNING true",
            proposal_id,
            member_id,
            choice,
            at,
        )
        return bool(changed)

    async def ballots(self, table_id: uuid.UUID) -> dict[uuid.UUID, list[Ballot]]:
        rows = await self.conn.fetch(
            "SELECT v.proposal_id, v.member_id, v.choice FROM votes v"
            " JOIN proposals p USING (proposal_id) WHERE p.table_id = $1 ORDER BY v.cast_at",
            table_id,
        )
        found: dict[uuid.UUID, list[Ballot]] = {}
        for row in rows:
            found.setdefault(row["proposal_id"], []).append((row["member_id"], row["choice"]))
        return found

    async def add_decision(self, decision: DecisionRecorded, at: datetime) -> bool:
        inserted = await self.conn.fetchval(
            f"INSERT INTO decisions ({DECISION_COLUMNS}, decided_at)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
            " ON CONFLICT (proposal_id) DO NOTHING RETURNING true",
            decision.decision_id,
            decision.table_id,
            decision.proposal_id,
            decision.adopted,
            decision.majority_view,
            decision.minority_view,
            decision.votes_for,
            decision.votes_against,
            decision.votes_abstain,
            at,
        )
        return bool(inserted)

    async def decision_on(self, proposal_id: uuid.UUID) -> DecisionRecorded | None:
        return await self._decision("proposal_id", proposal_id)

    async def get_decision(self, decision_id: uuid.UUID) -> DecisionRecorded | None:
        return await self._decision("decision_id", decision_id)

    async def _decision(self, key: str, value: uuid.UUID) -> DecisionRecorded | None:
        row = await self.conn.fetchrow(
            f"SELECT {DECISION_COLUMNS} FROM decisions WHERE {key} = $1", value
        )
        return None if row is None else DecisionRecorded(**dict(row))

    async def decisions(self, table_id: uuid.UUID) -> list[DecisionRecorded]:
        rows = await self.conn.fetch(
            f"SELECT {DECISION_COLUMNS} FROM decisions WHERE table_id = $1 ORDER BY decided_at",
            table_id,
        )
        return [DecisionRecorded(**dict(row)) for row in rows]

    async def take_up(self, taken: DecisionTakenUp, at: datetime) -> bool:
        inserted = await self.conn.fetchval(
            "INSERT INTO decision_uptakes (decision_id, organisation_id, note, taken_up_at)"
            " VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING true",
            taken.decision_id,
            taken.organisation_id,
            taken.note,
            at,
        )
        return bool(inserted)

    async def uptakes(self, table_id: uuid.UUID) -> list[DecisionTakenUp]:
        rows = await self.conn.fetch(
            "SELECT u.decision_id, u.organisation_id, u.note FROM decision_uptakes u"
            " JOIN decisions d USING (decision_id) WHERE d.table_id = $1"
            " ORDER BY u.taken_up_at, u.organisation_id",
            table_id,
        )
        return [DecisionTakenUp(**dict(row)) for row in rows]

    async def forget(self, member_id: uuid.UUID, at: datetime) -> None:
        """Memberships and votes go; a recorded decision keeps the counts it was taken on."""
        await self.conn.execute("DELETE FROM votes WHERE member_id = $1", member_id)
        await self.conn.execute("DELETE FROM parent_group_members WHERE member_id = $1", member_id)

    async def export(self, member_id: uuid.UUID) -> dict[str, list[dict[str, Any]]]:
        memberships = await self.conn.fetch(
            "SELECT m.group_id, g.name AS group_name, m.joined_at FROM parent_group_members m"
            " JOIN parent_groups g USING (group_id) WHERE m.member_id = $1 ORDER BY m.joined_at",
            member_id,
        )
        votes = await self.conn.fetch(
            "SELECT v.proposal_id, p.table_id, v.choice, v.cast_at FROM votes v"
            " JOIN proposals p USING (proposal_id) WHERE v.member_id = $1 ORDER BY v.cast_at",
            member_id,
        )
        return {
            "parent_group_memberships": jsonable_rows(memberships),
            "votes": jsonable_rows(votes),
        }


def _group(row: asyncpg.Record) -> ParentGroupFormed:
    return ParentGroupFormed(
        group_id=row["group_id"],
        group_name=row["group_name"],
        home_area=row["home_area"],
        organisation_id=row["organisation_id"],
        languages=tuple(row["languages"]),
    )
