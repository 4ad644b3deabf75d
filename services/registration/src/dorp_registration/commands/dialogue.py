"""Dialogue tables (seed 004, Ouderklap): parents meet in parent groups (bonding), groups
meet at dialogue tables (bridging), name shared concerns, propose solutions, vote and decide
by Deep Democracy, and organisations take decisions up (linking)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from dorp_registration.commands import checks
from dorp_registration.commands.members import require_member
from dorp_registration.domain import dialogue
from dorp_registration.ports import RegistrationUnitOfWork
from dorp_shared.commands import (
    CONFLICT,
    Command,
    CommandContext,
    CommandInput,
    CommandRejected,
    invalid,
    not_found,
)
from dorp_shared.contracts.events import (
    ConcernNamed,
    DecisionRecorded,
    DecisionTakenUp,
    DialogueProposalMade,
    DialogueTableOpened,
    ParentGroupFormed,
    ParentGroupJoined,
    VoteCast,
    VoteChoice,
)
from dorp_shared.contracts.partner import FieldError
from dorp_shared.regions import Region

TAG = "dialogue"
Text = Field(min_length=1, max_length=1000)


class FormParentGroup(CommandInput):
    name: str = Field(min_length=1, max_length=120)
    home_area: str = Field(description="kern, wijk or district id from the region file")
    organisation_id: uuid.UUID | None = Field(
        default=None, description="the organisation that hosts or guides the group"
    )
    languages: tuple[str, ...] = Field(default=(), max_length=10)


class JoinParentGroup(CommandInput):
    group_id: uuid.UUID
    member_id: uuid.UUID


class OpenDialogueTable(CommandInput):
    topic: str = Field(min_length=1, max_length=200)
    group_ids: tuple[uuid.UUID, ...] = Field(min_length=1, max_length=20)
    home_area: str
    held_on: dt.date


class NameConcern(CommandInput):
    table_id: uuid.UUID
    group_id: uuid.UUID | None = Field(default=None, description="one of the table's groups")
    text: str = Text


class MakeProposal(CommandInput):
    table_id: uuid.UUID
    concern_id: uuid.UUID | None = Field(default=None, description="a concern of this table")
    text: str = Text
    addressed_to: tuple[uuid.UUID, ...] = Field(
        default=(), max_length=20, description="organisation ids"
    )


class CastVote(CommandInput):
    proposal_id: uuid.UUID
    member_id: uuid.UUID = Field(description="a member of one of the table's parent groups")
    choice: VoteChoice


class RecordDecision(CommandInput):
    proposal_id: uuid.UUID
    majority_view: str = Field(min_length=1, max_length=2000)
    minority_view: str = Field(
        default="",
        max_length=2000,
        description="what those who did not go along think; required when there are any",
    )
    adopted: bool | None = Field(
        default=None, description="left out: adopted when more voted for than against"
    )


class TakeUpDecision(CommandInput):
    decision_id: uuid.UUID
    organisation_id: uuid.UUID
    note: str = Field(default="", max_length=1000)


class TableRef(CommandInput):
    table_id: uuid.UUID


class _View(BaseModel):
    model_config = ConfigDict(frozen=True)


class GroupAccepted(_View):
    group_id: uuid.UUID


class Membership(_View):
    group_id: uuid.UUID
    member_id: uuid.UUID


class TableAccepted(_View):
    table_id: uuid.UUID


class ConcernAccepted(_View):
    concern_id: uuid.UUID


class ProposalAccepted(_View):
    proposal_id: uuid.UUID


class VoteView(_View):
    proposal_id: uuid.UUID
    member_id: uuid.UUID
    choice: VoteChoice


class TallyView(_View):
    votes_for: int
    votes_against: int
    votes_abstain: int


class UptakeView(_View):
    decision_id: uuid.UUID
    organisation_id: uuid.UUID
    note: str


class DecisionView(TallyView):
    decision_id: uuid.UUID
    adopted: bool
    majority_view: str
    minority_view: str
    taken_up_by: tuple[UptakeView, ...] = ()


class GroupView(_View):
    group_id: uuid.UUID
    name: str
    home_area: str
    organisation_id: uuid.UUID | None
    languages: tuple[str, ...]
    members: int


class ConcernView(_View):
    concern_id: uuid.UUID
    group_id: uuid.UUID | None
    text: str


class ProposalView(_View):
    proposal_id: uuid.UUID
    concern_id: uuid.UUID | None
    text: str
    addressed_to: tuple[uuid.UUID, ...]
    tally: TallyView = Field(description="the votes as they stand now")
    decision: DecisionView | None


class TableView(_View):
    table_id: uuid.UUID
    topic: str
    home_area: str
    held_on: dt.date
    groups: tuple[GroupView, ...]
    concerns: tuple[ConcernView, ...]
    proposals: tuple[ProposalView, ...]


def check_group(item: FormParentGroup, region: Region) -> list[FieldError]:
    return [
        *checks.area("home_area", item.home_area, region),
        *checks.languages("languages", item.languages, region),
    ]


def check_table(item: OpenDialogueTable, region: Region) -> list[FieldError]:
    return checks.area("home_area", item.home_area, region)


async def require_organisation(
    uow: RegistrationUnitOfWork, organisation_id: uuid.UUID, field: str
) -> None:
    if not await uow.organisations.exists(organisation_id):
        raise invalid(field, f"no organisation with id {organisation_id}")


async def require_organisations(
    uow: RegistrationUnitOfWork, field: str, organisation_ids: Iterable[uuid.UUID]
) -> None:
    for index, organisation_id in enumerate(organisation_ids):
        await require_organisation(uow, organisation_id, f"{field}.{index}")


async def form_parent_group(
    uow: RegistrationUnitOfWork, ctx: CommandContext, item: FormParentGroup
) -> GroupAccepted:
    if item.organisation_id is not None:
        await require_organisation(uow, item.organisation_id, "organisation_id")
    group = ParentGroupFormed(
        group_id=uuid.uuid4(),
        group_name=item.name,
        home_area=item.home_area,
        organisation_id=item.organisation_id,
        languages=tuple(dict.fromkeys(item.languages)),
    )
    await uow.dialogue.add_group(group, ctx.now)
    await uow.emit(group)
    return GroupAccepted(group_id=group.group_id)


async def join_parent_group(
    uow: RegistrationUnitOfWork, ctx: CommandContext, item: JoinParentGroup
) -> Membership:
    """Joining a group one is in already changes nothing."""
    if not await uow.dialogue.known_groups([item.group_id]):
        raise not_found("parent group", item.group_id)
    member = await require_member(uow, item.member_id)
    if await uow.dialogue.join_group(item.group_id, member.member_id, ctx.now):
        await uow.emit(ParentGroupJoined(member_id=member.member_id, group_id=item.group_id))
    await uow.members.touch(member.member_id, ctx.now)
    return Membership(group_id=item.group_id, member_id=member.member_id)


async def open_dialogue_table(
    uow: RegistrationUnitOfWork, ctx: CommandContext, item: OpenDialogueTable
) -> TableAccepted:
    group_ids = tuple(dict.fromkeys(item.group_ids))
    known = await uow.dialogue.known_groups(group_ids)
    for index, group_id in enumerate(item.group_ids):
        if group_id not in known:
            raise invalid(f"group_ids.{index}", f"no parent group with id {group_id}")
    table = DialogueTableOpened(
        table_id=uuid.uuid4(),
        topic=item.topic,
        group_ids=group_ids,
        home_area=item.home_area,
        held_on=item.held_on,
    )
    await uow.dialogue.add_table(table, ctx.now)
    await uow.emit(table)
    return TableAccepted(table_id=table.table_id)


async def name_concern(
    uow: RegistrationUnitOfWork, ctx: CommandContext, item: NameConcern
) -> ConcernAccepted:
    table = await _table(uow, item.table_id)
    if item.group_id is not None and item.group_id not in table.group_ids:
        raise invalid(
            "group_id",
            "not one of the table's parent groups",
            [str(group_id) for group_id in table.group_ids],
        )
    concern = ConcernNamed(
        concern_id=uuid.uuid4(), table_id=table.table_id, group_id=item.group_id, text=item.text
    )
    await uow.dialogue.add_concern(concern, ctx.now)
    await uow.emit(concern)
    return ConcernAccepted(concern_id=concern.concern_id)


async def make_proposal(
    uow: RegistrationUnitOfWork, ctx: CommandContext, item: MakeProposal
) -> ProposalAccepted:
    table = await _table(uow, item.table_id)
    if item.concern_id is not None:
        concern = await uow.dialogue.get_concern(item.concern_id)
        if concern is None or concern.table_id != table.table_id:
            raise invalid("concern_id", f"no concern with id {item.concern_id} at this table")
    await require_organisations(uow, "addressed_to", item.addressed_to)
    proposal = DialogueProposalMade(
        proposal_id=uuid.uuid4(),
        table_id=table.table_id,
        concern_id=item.concern_id,
        text=item.text,
        addressed_to=tuple(dict.fromkeys(item.addressed_to)),
    )
    await uow.dialogue.add_proposal(proposal, ctx.now)
    await uow.emit(proposal)
    return ProposalAccepted(proposal_id=proposal.proposal_id)


async def cast_vote(uow: RegistrationUnitOfWork, ctx: CommandContext, item: CastVote) -> VoteView:
    """A later vote of the same member replaces the earlier one; the same vote again
    changes nothing. Once the proposal is decided, voting is closed."""
    proposal = await _open_proposal(uow, item.proposal_id)
    member = await require_member(uow, item.member_id)
    if not await uow.dialogue.seated(proposal.table_id, member.member_id):
        raise invalid("member_id", "the member is in none of the table's parent groups")
    if await uow.dialogue.cast_vote(proposal.proposal_id, member.member_id, item.choice, ctx.now):
        await uow.emit(
            VoteCast(
                member_id=member.member_id,
                proposal_id=proposal.proposal_id,
                table_id=proposal.table_id,
                choice=item.choice,
            )
        )
    await uow.members.touch(member.member_id, ctx.now)
    return VoteView(
        proposal_id=proposal.proposal_id, member_id=member.member_id, choice=item.choice
    )


async def record_decision(
    uow: RegistrationUnitOfWork, ctx: CommandContext, item: RecordDecision
) -> DecisionView:
    """The tally comes from the votes cast; the minority's view is required when some
    voters did not go along with the decision (Deep Democracy)."""
    proposal = await _open_proposal(uow, item.proposal_id)
    ballots = await uow.dialogue.ballots(proposal.table_id)
    counted = dialogue.tally(ballots.get(proposal.proposal_id, []))
    adopted = dialogue.adopted(counted, item.adopted)
    if dialogue.minority_view_missing(counted, adopted, item.minority_view):
        raise invalid(
            "minority_view",
            f"{dialogue.dissenting(counted, adopted)} voter(s) did not go along with this"
            " decision: Deep Democracy adds the minority's view to it; say what they think",
        )
    decision = DecisionRecorded(
        decision_id=uuid.uuid4(),
        table_id=proposal.table_id,
        proposal_id=proposal.proposal_id,
        adopted=adopted,
        majority_view=item.majority_view,
        minority_view=item.minority_view,
        votes_for=counted.votes_for,
        votes_against=counted.votes_against,
        votes_abstain=counted.votes_abstain,
    )
    if not await uow.dialogue.add_decision(decision, ctx.now):
        raise _decided(proposal.proposal_id)
    await uow.emit(decision)
    return decision_view(decision, ())


async def take_up_decision(
    uow: RegistrationUnitOfWork, ctx: CommandContext, item: TakeUpDecision
) -> UptakeView:
    """An organisation that took the decision up before keeps its first note."""
    decision = await uow.dialogue.get_decision(item.decision_id)
    if decision is None:
        raise not_found("decision", item.decision_id)
    await require_organisation(uow, item.organisation_id, "organisation_id")
    taken = DecisionTakenUp(
        decision_id=decision.decision_id, organisation_id=item.organisation_id, note=item.note
    )
    if await uow.dialogue.take_up(taken, ctx.now):
        await uow.emit(taken)
    return UptakeView(**taken.model_dump())


async def get_dialogue_table(
    uow: RegistrationUnitOfWork, ctx: CommandContext, item: TableRef
) -> TableView:
    table = await _table(uow, item.table_id)
    groups = await uow.dialogue.groups(table.group_ids)
    return TableView(
        table_id=table.table_id,
        topic=table.topic,
        home_area=table.home_area,
        held_on=table.held_on,
        groups=tuple(group_view(group, members) for group, members in groups),
        concerns=tuple(
            ConcernView(concern_id=c.concern_id, group_id=c.group_id, text=c.text)
            for c in await uow.dialogue.concerns(table.table_id)
        ),
        proposals=await _proposal_views(uow, table.table_id),
    )


async def _proposal_views(
    uow: RegistrationUnitOfWork, table_id: uuid.UUID
) -> tuple[ProposalView, ...]:
    """Each proposal with its votes as they stand, and its decision if it has one."""
    ballots = await uow.dialogue.ballots(table_id)
    uptakes = await uow.dialogue.uptakes(table_id)
    decisions = {
        decision.proposal_id: decision_view(
            decision, [u for u in uptakes if u.decision_id == decision.decision_id]
        )
        for decision in await uow.dialogue.decisions(table_id)
    }
    return tuple(
        ProposalView(
            proposal_id=p.proposal_id,
            concern_id=p.concern_id,
            text=p.text,
            addressed_to=p.addressed_to,
            tally=tally_view(dialogue.tally(ballots.get(p.proposal_id, []))),
            decision=decisions.get(p.proposal_id),
        )
        for p in await uow.dialogue.proposals(table_id)
    )


def group_view(group: ParentGroupFormed, members: int) -> GroupView:
    return GroupView(
        group_id=group.group_id,
        name=group.group_name,
        home_area=group.home_area,
        organisation_id=group.organisation_id,
        languages=group.languages,
        members=members,
    )


def tally_view(counted: dialogue.Tally) -> TallyView:
    return TallyView(
        votes_for=counted.votes_for,
        votes_against=counted.votes_against,
        votes_abstain=counted.votes_abstain,
    )


def decision_view(decision: DecisionRecorded, uptakes: Iterable[DecisionTakenUp]) -> DecisionView:
    return DecisionView(
        decision_id=decision.decision_id,
        adopted=decision.adopted,
        majority_view=decision.majority_view,
        minority_view=decision.minority_view,
        votes_for=decision.votes_for,
        votes_against=decision.votes_against,
        votes_abstain=decision.votes_abstain,
        taken_up_by=tuple(UptakeView(**uptake.model_dump()) for uptake in uptakes),
    )


async def _table(uow: RegistrationUnitOfWork, table_id: uuid.UUID) -> DialogueTableOpened:
    table = await uow.dialogue.get_table(table_id)
    if table is None:
        raise not_found("dialogue table", table_id)
    return table


async def _open_proposal(
    uow: RegistrationUnitOfWork, proposal_id: uuid.UUID
) -> DialogueProposalMade:
    """The proposal, if it exists and is not decided yet; locked, so that no vote slips in
    while a decision counts the votes."""
    proposal = await uow.dialogue.get_proposal(proposal_id, for_update=True)
    if proposal is None:
        raise not_found("proposal", proposal_id)
    if await uow.dialogue.decision_on(proposal_id) is not None:
        raise _decided(proposal_id)
    return proposal


def _decided(proposal_id: uuid.UUID) -> CommandRejected:
    return CommandRejected(CONFLICT, f"proposal {proposal_id} is decided already")


COMMANDS: tuple[Command[RegistrationUnitOfWork, Any, Any], ...] = (
    Command(
        name="form_parent_group",
        input=FormParentGroup,
        output=GroupAccepted,
        handle=form_parent_group,
        summary="Form a parent group (bonding), optionally guided by an organisation.",
        tag=TAG,
        check=check_group,
    ),
    Command(
        name="join_parent_group",
        input=JoinParentGroup,
        output=Membership,
        handle=join_parent_group,
        summary="A member joins a parent group (joining twice counts once).",
        tag=TAG,
    ),
    Command(
        name="open_dialogue_table",
        input=OpenDialogueTable,
        output=TableAccepted,
        handle=open_dialogue_table,
        summary="Open a dialogue table between parent groups (bridging) on a topic and date.",
        tag=TAG,
        check=check_table,
    ),
    Command(
        name="name_concern",
        input=NameConcern,
        output=ConcernAccepted,
        handle=name_concern,
        summary="A shared concern brought to a dialogue table.",
        tag=TAG,
    ),
    Command(
        name="make_proposal",
        input=MakeProposal,
        output=ProposalAccepted,
        handle=make_proposal,
        summary="Propose a solution at a dialogue table, to each other or to organisations.",
        tag=TAG,
    ),
    Command(
        name="cast_vote",
        input=CastVote,
        output=VoteView,
        handle=cast_vote,
        summary="Vote on a proposal (for, against, abstain); a later vote replaces it.",
        tag=TAG,
    ),
    Command(
        name="record_decision",
        input=RecordDecision,
        output=DecisionView,
        handle=record_decision,
        summary="Decide on a proposal by Deep Democracy: the majority's choice with the "
        "minority's view.",
        tag=TAG,
    ),
    Command(
        name="take_up_decision",
        input=TakeUpDecision,
        output=UptakeView,
        handle=take_up_decision,
        summary="An organisation takes up a decision (linking).",
        tag=TAG,
    ),
    Command(
        name="get_dialogue_table",
        input=TableRef,
        output=TableView,
        handle=get_dialogue_table,
        summary="A dialogue table: its groups, concerns, proposals with votes, decisions.",
        tag=TAG,
        query=True,
    ),
)
