"""Who hears what about a proposal: the parents (each in their own language, the other
named by first name only until both said yes), or first a connector when the region wants
proposals reviewed (the parents hear nothing until it is approved)."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import structlog

from dorp_notifications.domain import match_letters as letters
from dorp_notifications.domain.letters import Head, Letter
from dorp_notifications.domain.match_letters import About, Role
from dorp_notifications.domain.model import Proposal, Recipient
from dorp_notifications.sending import Notifier, People, UowFactory, Wanted, notify
from dorp_shared.contracts import Envelope, MatchProposed
from dorp_shared.contracts.events import (
    MatchCompleted,
    MatchConfirmed,
    ProposalAccepted,
    ProposalApproved,
    ProposalCancelled,
    ProposalChanged,
    ProposalDeclined,
    ProposalExpired,
    ProposalRejected,
)

log = structlog.get_logger(__name__)

SideLetter = Callable[[Head, About, Role, Recipient], Letter]
"""A letter for one side: its letterhead, the proposal, its role and the other side."""


def _proposal_of(match: MatchProposed) -> Proposal:
    return Proposal(
        match.proposal_id,
        match.requester_id,
        match.helper_id,
        match.kind,
        match.home_area,
        explanation=match.explanation,
        explanation_en=match.explanation_en,
        awaiting_review=match.needs_connector_review and match.connector_id is None,
    )


def _both_sides(
    proposal: Proposal,
    template: str,
    compose: SideLetter,
    notifier: Notifier,
    *,
    about_other: bool = True,
) -> list[Wanted]:
    """One message per side; with ``about_other`` it is not sent once the other was erased."""
    sides: tuple[tuple[uuid.UUID, uuid.UUID, Role], ...] = (
        (proposal.requester_id, proposal.helper_id, "requester"),
        (proposal.helper_id, proposal.requester_id, "helper"),
    )

    def side(me: uuid.UUID, other: uuid.UUID, role: Role) -> Wanted:
        def content(people: People, head: Head) -> Letter:
            what = letters.about(proposal, head, notifier.region)
            return compose(head, what, role, people[other])

        return Wanted(me, template, content, about=(other,) if about_other else ())

    return [side(me, other, role) for me, other, role in sides]


def _pair(proposal: Proposal) -> tuple[uuid.UUID, uuid.UUID]:
    return proposal.requester_id, proposal.helper_id


async def _proposal(uow: UowFactory, proposal_id: uuid.UUID) -> Proposal | None:
    async with uow() as lookup:
        proposal = await lookup.proposals.get(proposal_id)
    if proposal is None:
        log.info("proposal.unknown", proposal_id=str(proposal_id))
    return proposal


async def notify_match(
    event: Envelope[MatchProposed], *, uow: UowFactory, notifier: Notifier
) -> None:
    """Ask both parents, or, when a connector reviews it first, give connectors the task."""
    proposal = _proposal_of(event.payload)
    async with uow() as first:
        await first.proposals.save(proposal)
    if proposal.awaiting_review:
        await _connector_task(event, proposal, uow=uow, notifier=notifier)
        return

    def ask(head: Head, what: About, role: Role, other: Recipient) -> Letter:
        return letters.match_proposed(head, what, role, other)

    wanted = _both_sides(proposal, letters.MATCH_PROPOSED, ask, notifier)
    await notify(event, wanted, involved=_pair(proposal), uow=uow, notifier=notifier)


async def _connector_task(
    event: Envelope[MatchProposed], proposal: Proposal, *, uow: UowFactory, notifier: Notifier
) -> None:
    async with uow() as lookup:
        connectors = [c.member_id for c in await lookup.recipients.connectors()]
    reviewer = event.payload.reviewer_id
    if reviewer in connectors:  # in one connector's own queue: only they hear of it
        connectors = [reviewer]
    elif reviewer is not None:
        log.warning("connector_task.reviewer_unknown", reviewer_id=str(reviewer))
    if not connectors:
        log.warning("connector_task.no_connector", proposal_id=str(proposal.proposal_id))

    def task(people: People, head: Head) -> Letter:
        what = letters.about(proposal, head, notifier.region)
        return letters.connector_task(head, what, proposal)

    wanted = [Wanted(member_id, letters.CONNECTOR_TASK, task) for member_id in connectors]
    await notify(event, wanted, involved=connectors, uow=uow, notifier=notifier)


async def notify_approved(
    event: Envelope[ProposalApproved], *, uow: UowFactory, notifier: Notifier
) -> None:
    """The connector approved it: now the parents are asked."""
    async with uow() as work:
        await work.proposals.reviewed(event.payload.proposal_id)
    proposal = await _proposal(uow, event.payload.proposal_id)
    if proposal is None:
        return

    def ask(head: Head, what: About, role: Role, other: Recipient) -> Letter:
        return letters.match_proposed(head, what, role, other)

    wanted = _both_sides(proposal, letters.MATCH_PROPOSED, ask, notifier)
    await notify(event, wanted, involved=_pair(proposal), uow=uow, notifier=notifier)


async def close_review(
    event: Envelope[ProposalRejected] | Envelope[ProposalChanged], uow: UowFactory
) -> None:
    """Rejected or changed in review: the parents never heard of it, so nothing is sent,
    now or when it is cancelled later (a changed pairing arrives as its own MatchProposed,
    straight to the parents). The proposal stays marked as not shown to them."""
    log.info("proposal.review_closed", proposal_id=str(event.payload.proposal_id))


async def notify_accepted(
    event: Envelope[ProposalAccepted], *, uow: UowFactory, notifier: Notifier
) -> None:
    """Tell the other side this one said yes, unless the other already did (then the
    confirmation with contact details follows)."""
    answer = event.payload
    async with uow() as work:
        sides = await work.proposals.accept(answer.proposal_id, answer.side)
    proposal = await _proposal(uow, answer.proposal_id)
    if proposal is None or len(set(sides)) > 1:
        return
    me, other = _other_side(proposal, answer.member_id)

    def content(people: People, head: Head) -> Letter:
        what = letters.about(proposal, head, notifier.region)
        return letters.proposal_accepted(head, what, people[me])

    wanted = [Wanted(other, letters.PROPOSAL_ACCEPTED, content, about=(me,))]
    await notify(event, wanted, involved=(me, other), uow=uow, notifier=notifier)


async def notify_declined(
    event: Envelope[ProposalDeclined], *, uow: UowFactory, notifier: Notifier
) -> None:
    answer = event.payload
    proposal = await _proposal(uow, answer.proposal_id)
    if proposal is None:
        return
    me, other = _other_side(proposal, answer.member_id)

    def content(people: People, head: Head) -> Letter:
        what = letters.about(proposal, head, notifier.region)
        return letters.proposal_declined(head, what, people[me])

    wanted = [Wanted(other, letters.PROPOSAL_DECLINED, content)]
    await notify(event, wanted, involved=(me, other), uow=uow, notifier=notifier)


def _other_side(proposal: Proposal, member_id: uuid.UUID) -> tuple[uuid.UUID, uuid.UUID]:
    if member_id == proposal.requester_id:
        return proposal.requester_id, proposal.helper_id
    return proposal.helper_id, proposal.requester_id


async def notify_confirmed(
    event: Envelope[MatchConfirmed], *, uow: UowFactory, notifier: Notifier
) -> None:
    """Both said yes: each gets the other's first name and contact details."""
    match = event.payload
    proposal = await _proposal(uow, match.proposal_id) or Proposal(
        match.proposal_id, match.requester_id, match.helper_id, match.kind, ""
    )

    def confirm(head: Head, what: About, role: Role, other: Recipient) -> Letter:
        return letters.match_confirmed(head, what, other)

    wanted = _both_sides(proposal, letters.MATCH_CONFIRMED, confirm, notifier)
    await notify(event, wanted, involved=_pair(proposal), uow=uow, notifier=notifier)


async def notify_completed(
    event: Envelope[MatchCompleted], *, uow: UowFactory, notifier: Notifier
) -> None:
    """Thank the member who gave feedback on a match."""
    feedback = event.payload
    proposal = await _proposal(uow, feedback.proposal_id)
    if proposal is None:
        return

    def thanks(people: People, head: Head) -> Letter:
        what = letters.about(proposal, head, notifier.region)
        return letters.match_completed(head, what, helped=feedback.helped)

    wanted = [Wanted(feedback.member_id, letters.MATCH_COMPLETED, thanks)]
    await notify(event, wanted, involved=(feedback.member_id,), uow=uow, notifier=notifier)


async def notify_proposal_ended(
    event: Envelope[ProposalCancelled] | Envelope[ProposalExpired],
    *,
    uow: UowFactory,
    notifier: Notifier,
) -> None:
    """Tell both who had been asked that the proposal will not lead to a match (not why).
    A proposal still in review was never shown to them: nothing is sent."""
    proposal = await _proposal(uow, event.payload.proposal_id)
    if proposal is None or proposal.awaiting_review:
        return
    expired = isinstance(event.payload, ProposalExpired)

    def ended(head: Head, what: About, role: Role, other: Recipient) -> Letter:
        return letters.proposal_ended(head, what, expired=expired)

    wanted = _both_sides(
        proposal,
        letters.PROPOSAL_ENDED,
        ended,
        notifier,
        about_other=False,  # an erased other side is one reason a proposal ends
    )
    await notify(event, wanted, involved=_pair(proposal), uow=uow, notifier=notifier)
