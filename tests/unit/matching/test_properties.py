"""Invariants of matching, for any mix of members, requests and offers (hypothesis)."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta
from typing import Any

from hypothesis import event as note
from hypothesis import given, settings
from hypothesis import strategies as st

from dorp_matching import commands, handlers
from dorp_matching.commands import RespondToProposal
from dorp_matching.domain.lifecycle import Answer
from dorp_matching.domain.model import ACTIVE_STATUSES, PENDING_STATUSES
from dorp_shared.commands import CommandContext, CommandRejected
from dorp_shared.contracts import MatchProposed
from dorp_shared.contracts.envelope import Envelope
from dorp_shared.contracts.events import ProposalDeclined
from tests.unit.matching.builders import T0, lochem, offered, registered, requested
from tests.unit.matching.fakes import FakeMatchingUnitOfWork

REGION = lochem()
AREAS = ("lochem", "laren", "barchem", "almen", "gorssel")  # distances 0, 1 and 2
KINDS = ("babysitting", "walk_and_talk")
LANGUAGES = ("nl", "en", "ar", "tr")
BANDS = ("0-1", "1-4", "4-12", "12-18")

members = st.builds(
    registered,
    st.sampled_from(AREAS),
    consent=st.sampled_from((True, True, True, False)),
    languages=st.lists(st.sampled_from(LANGUAGES), min_size=1, max_size=2, unique=True).map(tuple),
)
# (is_offer, member index, kind, age bands / band, capacity)
actions = st.tuples(
    st.booleans(),
    st.integers(min_value=0, max_value=50),
    st.sampled_from(KINDS),
    st.lists(st.sampled_from(BANDS), max_size=2, unique=True).map(tuple),
    st.integers(min_value=1, max_value=3),
)


async def _run(uow: FakeMatchingUnitOfWork, events: list[Envelope[Any]]) -> None:
    for event in events:
        if event.type == "registration.member_registered":
            await handlers.member_registered(event, uow, REGION)
        elif event.type == "registration.help_requested":
            await handlers.help_requested(event, uow, REGION)
        else:
            await handlers.help_offered(event, uow, REGION)


def _scenario(people: list[Envelope[Any]], steps: list[Any]) -> list[Envelope[Any]]:
    events: list[Envelope[Any]] = list(people)
    for minute, (is_offer, index, kind, bands, capacity) in enumerate(steps, start=1):
        who = people[index % len(people)]
        if is_offer:
            events.append(offered(who, kind, bands, capacity, minutes=minute))
        else:
            events.append(requested(who, kind, bands[0] if bands else None, minutes=minute))
    return events


@settings(max_examples=150, deadline=None)
@given(st.lists(members, min_size=2, max_size=4), st.lists(actions, min_size=2, max_size=14))
def test_every_proposal_respects_the_rules_and_replay_changes_nothing(
    people: list[Any], steps: list[Any]
) -> None:
    events = _scenario(people, steps)
    uow = FakeMatchingUnitOfWork()
    asyncio.run(_run(uow, events))
    proposed = [MatchProposed.model_validate(e.payload.model_dump()) for e in uow.emitted]
    note("proposals made" if proposed else "no proposal")

    consent = {p.payload.member_id: p.payload.consents.matching for p in people}
    requests = {e.payload.request_id: e.payload for e in events if e.type.endswith("requested")}
    offers = {e.payload.offer_id: e.payload for e in events if e.type.endswith("offered")}
    for match in proposed:
        asked, given_ = requests[match.request_id], offers[match.offer_id]
        assert match.requester_id != match.helper_id
        assert asked.kind == given_.kind == match.kind
        assert consent[match.requester_id] and consent[match.helper_id]
        assert REGION.area_distance(asked.home_area, given_.home_area) <= 1
        assert match.explanation.endswith(".") and match.explanation_en.endswith(".")
        assert any(reason.code == "same_kind" for reason in match.reasons)
    for offer_id, offer in offers.items():
        assert sum(1 for m in proposed if m.offer_id == offer_id) <= offer.capacity
    for helper in {m.helper_id for m in proposed}:  # over all their offers
        theirs = [o.capacity for o in offers.values() if o.member_id == helper]
        limit = max(REGION.matching.helper_capacity, *theirs)
        assert sum(1 for m in proposed if m.helper_id == helper) <= limit
    assert len({m.request_id for m in proposed}) == len(proposed)

    before = len(uow.emitted)
    asyncio.run(_run(uow, events))
    assert len(uow.emitted) == before


async def _run_with_answers(
    uow: FakeMatchingUnitOfWork, events: list[Envelope[Any]], answers: list[tuple[int, bool]]
) -> None:
    """The events, and after each one maybe an answer to a pending proposal (which side,
    accept or decline)."""
    ctx = CommandContext(region=REGION, now=T0 + timedelta(hours=1))
    for event, (which, accept) in zip(events, answers, strict=False):
        await _run(uow, [event])
        pending = [p for p in uow.state.proposals.values() if p.status in PENDING_STATUSES]
        if not pending:
            continue
        proposal = pending[which % len(pending)]
        member_id = proposal.requester_id if which % 2 else proposal.helper_id
        reply: Answer = "accept" if accept else "decline"
        item = RespondToProposal(
            proposal_id=proposal.proposal_id, member_id=member_id, answer=reply
        )
        with contextlib.suppress(CommandRejected):  # e.g. a side changing its answer
            async with uow:
                await commands.respond_to_proposal(uow, ctx, item)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(members, min_size=3, max_size=5),
    st.lists(actions, min_size=3, max_size=14),
    st.lists(st.tuples(st.integers(0, 5), st.booleans()), min_size=14, max_size=14),
)
def test_answers_never_bring_back_a_declined_pair_nor_overload_an_offer(
    people: list[Any], steps: list[Any], answers: list[tuple[int, bool]]
) -> None:
    events = _scenario(people, steps)
    uow = FakeMatchingUnitOfWork()
    asyncio.run(_run_with_answers(uow, events, answers))

    pairs: dict[Any, frozenset[Any]] = {}
    declined: set[frozenset[Any]] = set()
    for envelope in uow.emitted:
        payload = envelope.payload
        if isinstance(payload, MatchProposed):
            pair = frozenset({payload.requester_id, payload.helper_id})
            assert pair not in declined, "a declined pair was proposed again"
            pairs[payload.proposal_id] = pair
        elif isinstance(payload, ProposalDeclined):
            declined.add(pairs[payload.proposal_id])
    note("declines" if declined else "no decline")
    offers = {e.payload.offer_id: e.payload for e in events if e.type.endswith("offered")}
    active = [p for p in uow.state.proposals.values() if p.status in ACTIVE_STATUSES]
    for offer_id, offer in offers.items():
        assert sum(1 for p in active if p.offer_id == offer_id) <= offer.capacity
    assert len({p.request_id for p in active}) == len(active)
