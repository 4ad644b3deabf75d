"""The candidate pool of a run of requests: the slices of all their candidate searches,
read once, and each request's candidates taken from them in memory.

A search (``CandidateSearch``) reads, per area, at most ``per_area`` open offers that can
take one more, oldest first, in a shared language and in any (``SliceKey``). A run reads
each slice once with a higher limit: one more offer for every request of the run that
uses it, and for every offer a requester cannot have (their own, a declined member's, one
tried before). Each request then takes, per slice, the first ``per_area`` offers it may
have that the run has not filled yet (``Taken``), with the run's loads: what its own search
would have returned after the earlier requests' proposals were stored. When a slice read
in full runs out before that, the pool cannot tell (``view`` gives None) and the caller
stores the run so far and searches for that request alone.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from dorp_matching.domain.matching import helper_limit
from dorp_matching.domain.model import (
    Candidate,
    CandidateSearch,
    PoolRead,
    Proposal,
    SliceKey,
)
from dorp_shared.regions import Region


@dataclass
class Taken:
    """Slots taken by the run's proposals, which the pool's loads do not count yet."""

    offers: Counter[uuid.UUID] = field(default_factory=Counter)
    helpers: Counter[uuid.UUID] = field(default_factory=Counter)

    def add(self, proposal: Proposal) -> None:
        self.offers[proposal.offer_id] += 1
        self.helpers[proposal.helper_id] += 1


def slice_keys(wanted: CandidateSearch) -> list[SliceKey]:
    waiting = wanted.waiting
    kind = waiting.request.kind
    languages = tuple(sorted(set(waiting.request.languages or waiting.requester.languages)))
    shared = (languages, ()) if wanted.language_slice else ((),)
    return [SliceKey(kind, area, spoken) for area in wanted.areas for spoken in shared]


def _left_out(wanted: CandidateSearch) -> int:
    history = wanted.waiting.history
    return 1 + len(history.declined_with) + len(history.tried_offers)


def pool_read(searches: Sequence[CandidateSearch]) -> PoolRead:
    """One read for all these searches (they share ``since`` and capacity up to seconds:
    the earliest moment is used)."""
    users: Counter[SliceKey] = Counter()
    most: dict[SliceKey, int] = {}
    first = min(searches, key=lambda s: s.at)
    for wanted in searches:
        for key in slice_keys(wanted):
            users[key] += 1
            most[key] = max(most.get(key, 0), wanted.per_area + _left_out(wanted))
    limits = {key: most[key] + users[key] for key in most}
    return PoolRead(limits, first.at, first.since, first.helper_capacity)


def view(
    pool: dict[SliceKey, list[Candidate]],
    read: PoolRead,
    wanted: CandidateSearch,
    taken: Taken,
    region: Region,
) -> list[Candidate] | None:
    """The request's candidates from the pool, with the run's loads (see the module)."""
    request, history = wanted.waiting.request, wanted.waiting.history
    own, declined, tried = request.member_id, history.declined_with, history.tried_offers
    at, per_area = wanted.at, wanted.per_area
    more_offers, more_helpers = taken.offers, taken.helpers
    capacity = region.matching.helper_capacity
    found: dict[uuid.UUID, Candidate] = {}
    for key in slice_keys(wanted):
        part, kept = pool.get(key, []), 0
        for candidate in part:
            offer = candidate.offer
            helper_id, offer_id = offer.member_id, offer.offer_id
            if (
                helper_id == own
                or helper_id in declined
                or offer_id in tried
                or (offer.expires_at is not None and offer.expires_at <= at)
            ):
                continue
            more_offer, more_helper = more_offers[offer_id], more_helpers[helper_id]
            if more_offer or more_helper:  # the run took slots of it
                offer_load = candidate.offer_load + more_offer
                helper_load = candidate.helper_load + more_helper
                if offer_load >= offer.capacity or helper_load >= helper_limit(offer, capacity):
                    continue
                candidate = replace(candidate, offer_load=offer_load, helper_load=helper_load)
            found.setdefault(offer_id, candidate)
            kept += 1
            if kept == per_area:
                break
        else:
            if len(part) >= read.limits[key]:
                return None
    return list(found.values())
