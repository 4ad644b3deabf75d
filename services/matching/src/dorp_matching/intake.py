"""Batched intake: a run of ``HelpRequested`` events matched in one unit of work.

Per run: one read of the requesters, one inbox insert, the kinds' locks (sorted), one
insert of the requests, one waiting check (with history) for them all, one read of the
candidate slices of all their searches (:mod:`dorp_matching.domain.pool`), then per
request, in stream order, its choice in memory, a proposal chosen earlier in the run
counting in the loads of the later ones, as if each request had had its own transaction
after the one before (who gets which offer is as one at a time); the run's proposals in one
insert, their events in one outbox insert, and sessions recommended from one read.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from dorp_matching.domain.matching import choose_offer
from dorp_matching.domain.model import Member, Proposal, Request
from dorp_matching.domain.pool import Taken, pool_read, view
from dorp_matching.handlers import CONSUMER, new_request, not_known
from dorp_matching.matchmaker import announce, lock_kinds, prepare, search
from dorp_matching.ports import MatchingUnitOfWork
from dorp_matching.recommendations import known_sessions, recommend_sessions, wants_sessions
from dorp_shared.contracts import Envelope, HelpRequested
from dorp_shared.errors import NotReadyYet
from dorp_shared.regions import Region

Outcome = BaseException | None
"""Per event: None when handled (or a duplicate), else what its handler would have raised."""


@dataclass(frozen=True)
class Chosen:
    proposal: Proposal
    at: datetime
    cause: Envelope[HelpRequested]


async def help_requested_many(
    events: Sequence[Envelope[HelpRequested]], uow: MatchingUnitOfWork, region: Region
) -> list[Outcome]:
    """``handlers.help_requested`` for a run of events (their place already checked), in
    one unit of work; an event about a member not known yet gets its ``NotReadyYet``."""
    outcomes: list[Outcome] = [None] * len(events)
    async with uow:
        todo, members = await _fresh(uow, events, outcomes)
        if not todo:
            return outcomes
        await lock_kinds(uow, {event.payload.kind for event in todo})
        requests = await uow.requests.add_many([new_request(event) for event in todo])
        await _propose_all(uow, list(zip(requests, todo, strict=True)), region, members)
        await _recommend(uow, list(zip(requests, todo, strict=True)), region, members)
    return outcomes


async def _recommend(
    uow: MatchingUnitOfWork,
    items: list[tuple[Request, Envelope[HelpRequested]]],
    region: Region,
    members: dict[uuid.UUID, Member],
) -> None:
    """Sessions for the requests an activity may serve better, from one read of them."""
    wanted = [
        (request, event)
        for request, event in items
        if wants_sessions(members[request.member_id], region, request.kind)
    ]
    if not wanted:
        return
    since = min(event.occurred_at for _, event in wanted)
    known = await known_sessions(uow, region, [r.member_id for r, _ in wanted], since)
    for request, event in wanted:
        requester, at = members[request.member_id], event.occurred_at
        of = (request.request_id, request.kind)
        await recommend_sessions(uow, requester, region, at, event, request=of, known=known)


async def _fresh(
    uow: MatchingUnitOfWork, events: Sequence[Envelope[HelpRequested]], outcomes: list[Outcome]
) -> tuple[list[Envelope[HelpRequested]], dict[uuid.UUID, Member]]:
    """The events to handle now (first time, member known), each once, and the members."""
    members = await uow.members.get_many(event.payload.member_id for event in events)
    marked = []
    for index, event in enumerate(events):
        data = event.payload
        if data.member_id not in members:
            try:
                await not_known(uow, data.member_id, f"request {data.request_id}")
            except NotReadyYet as exc:
                outcomes[index] = exc
                continue
        marked.append(event)  # an erased member's event is marked handled, as one at a time
    fresh = await uow.first_times(CONSUMER, [event.event_id for event in marked])
    todo = []
    for event in marked:
        if event.event_id in fresh and event.payload.member_id in members:
            fresh.discard(event.event_id)  # a second copy in the run is a duplicate
            todo.append(event)
    return todo, members


async def _propose_all(
    uow: MatchingUnitOfWork,
    items: list[tuple[Request, Envelope[HelpRequested]]],
    region: Region,
    members: dict[uuid.UUID, Member],
) -> list[Proposal]:
    """Each waiting request's best offer from the run's pool, in order (see
    :mod:`dorp_matching.domain.pool`); stored and announced in one go."""
    waiting = await uow.requests.waiting_many([request.request_id for request, _ in items])
    searches = [
        (search(found, region, event.occurred_at), event)
        for request, event in items
        if (found := waiting.get(request.request_id)) is not None
    ]
    if not searches:
        return []
    read = pool_read([wanted for wanted, _ in searches])
    pool = await uow.offers.candidate_pool(read)
    taken, chosen, stored = Taken(), list[Chosen](), list[Proposal]()
    for wanted, event in searches:
        candidates = view(pool, read, wanted, taken, region)
        if candidates is None:  # the pool cannot tell: store the run so far, search alone
            stored += await _store(uow, chosen, region, members)
            chosen = []
            candidates = await uow.offers.candidates_for(wanted)
        w = wanted.waiting
        best = choose_offer(w.request, w.requester, candidates, region, wanted.at, w.history)
        if best is not None:
            chosen.append(Chosen(best, wanted.at, event))
            taken.add(best)
    return stored + await _store(uow, chosen, region, members)


async def _store(
    uow: MatchingUnitOfWork,
    chosen: list[Chosen],
    region: Region,
    members: dict[uuid.UUID, Member],
) -> list[Proposal]:
    """Store the chosen proposals in one statement and emit an event for each stored."""
    if not chosen:
        return []
    prepared = [
        prepare(c.proposal, region, c.at, members.get(c.proposal.requester_id)) for c in chosen
    ]
    stored_ids = await uow.proposals.add_many(prepared)
    stored = []
    for proposal, item in zip(prepared, chosen, strict=True):
        if proposal.proposal_id in stored_ids:
            await announce(uow, proposal, item.cause)
            stored.append(proposal)
    return stored
