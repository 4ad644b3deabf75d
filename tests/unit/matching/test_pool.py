"""The candidate pool of a run of requests: each request sees what its own search would
have seen after the earlier requests' proposals were stored, or the pool says it cannot
tell (and the request is searched for alone)."""

from __future__ import annotations

from dataclasses import replace

from dorp_matching.domain.matching import choose_offer, propose
from dorp_matching.domain.model import (
    Candidate,
    CandidateSearch,
    History,
    Proposal,
    SliceKey,
    Waiting,
)
from dorp_matching.domain.pool import Taken, pool_read, slice_keys, view
from dorp_matching.matchmaker import search
from tests.unit.matching.builders import T0, candidate, lochem, member, offer, request

REGION = lochem()


def _search() -> CandidateSearch:
    asker = member("laren")
    return search(Waiting(request(asker), asker), REGION, T0)


def _slice(wanted: CandidateSearch, count: int, capacity: int = 1) -> list[Candidate]:
    """``count`` offers in the asker's own area, oldest first."""
    helpers = [member(wanted.waiting.request.home_area) for _ in range(count)]
    return [candidate(offer(h, capacity=capacity, minutes=i), h) for i, h in enumerate(helpers)]


def test_a_run_never_proposes_an_offer_beyond_its_slots() -> None:
    searches = [_search() for _ in range(5)]
    read = pool_read(searches)
    own = slice_keys(searches[0])[0]
    scarce = _slice(searches[0], 2, capacity=2)
    pool: dict[SliceKey, list[Candidate]] = {key: [] for key in read.limits}
    pool[own] = scarce
    taken, chosen = Taken(), []
    for wanted in searches:
        candidates = view(pool, read, wanted, taken, REGION)
        assert candidates is not None  # the slice was not read in full: it is all there is
        w = wanted.waiting
        best = choose_offer(w.request, w.requester, candidates, REGION, T0, w.history)
        if best is not None:
            taken.add(best)
            chosen.append(best.offer_id)
    assert sorted(chosen) == sorted([scarce[0].offer.offer_id] * 2 + [scarce[1].offer.offer_id] * 2)


def test_the_requesters_own_declined_and_tried_offers_are_left_out_and_loads_count() -> None:
    wanted = _search()
    part = _slice(wanted, 4, capacity=2)
    declined, tried = part[0].offer.member_id, part[1].offer.offer_id
    history = History(declined_with=frozenset({declined}), tried_offers=frozenset({tried}))
    wanted = replace(wanted, waiting=replace(wanted.waiting, history=history))
    read = pool_read([wanted])
    pool = {key: [] for key in read.limits} | {slice_keys(wanted)[0]: part}
    taken = Taken()
    taken.add(choose_offer_for(part[2]))
    found = view(pool, read, wanted, taken, REGION)
    assert found is not None
    by_id = {c.offer.offer_id: c for c in found}
    assert set(by_id) == {part[2].offer.offer_id, part[3].offer.offer_id}
    assert by_id[part[2].offer.offer_id].offer_load == 1  # the run's proposal counts


def choose_offer_for(c: Candidate) -> Proposal:
    """A proposal of the run for candidate ``c`` (another asker's)."""
    asker = member(c.offer.home_area)
    return propose(request(asker), asker, c, REGION)


def test_a_slice_read_in_full_that_the_run_used_up_cannot_tell() -> None:
    wanted = replace(_search(), per_area=2)
    read = pool_read([wanted])
    own = slice_keys(wanted)[0]
    limit = read.limits[own]
    part = _slice(wanted, limit)  # read in full: more may be behind it
    pool = {key: [] for key in read.limits} | {own: part}
    taken = Taken()
    for c in part[: limit - 1]:
        taken.add(choose_offer_for(c))
    assert view(pool, read, wanted, taken, REGION) is None
    shorter = {key: [] for key in read.limits} | {own: part[:-1]}  # all there is
    assert view(shorter, read, wanted, taken, REGION) == []
