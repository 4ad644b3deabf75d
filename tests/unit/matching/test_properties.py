"""Invariants of matching, for any mix of members, requests and offers (hypothesis)."""

from __future__ import annotations

import asyncio
from typing import Any

from hypothesis import event as note
from hypothesis import given, settings
from hypothesis import strategies as st

from dorp_matching import handlers
from dorp_shared.contracts import MatchProposed
from dorp_shared.contracts.envelope import Envelope
from tests.unit.matching.builders import lochem, offered, registered, requested
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
            await handlers.member_registered(event, uow)
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
    assert len({m.request_id for m in proposed}) == len(proposed)

    before = len(uow.emitted)
    asyncio.run(_run(uow, events))
    assert len(uow.emitted) == before
