"""The in-process half of ``dorp bench matching``: pairing opted-in parents into coffee
dates (the optimum beside the greedy baseline), and the online matcher's quality beside an
offline optimum (linear assignment) over the same synthetic day.

Synthetic data only, from a fixed seed, so every run measures the same thing.
"""

from __future__ import annotations

import random
import time
import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import numpy as np
from scipy.optimize import linear_sum_assignment  # type: ignore[import-untyped]

from dorp_matching.domain.coffee import Pairing, Parent, pair_greedy, pair_optimal
from dorp_matching.domain.matching import choose_offer, is_candidate, propose
from dorp_matching.domain.model import Candidate, Member, Offer, Request
from dorp_shared.regions import Region

SEED = 20260401
LANGUAGES = ("nl", "en", "ar", "tr", "pl")
AGE_BANDS = ("0-1", "1-4", "4-12", "12-18")
INTERESTS = ("sport", "koken", "muziek", "lezen", "natuur", "spel", "taal", "kunst")
WINDOWS = ("mon-evening", "tue-evening", "wed-afternoon", "sat-morning", "sun-afternoon")
DAY = datetime(2026, 4, 1, 8, 0, tzinfo=UTC)


@dataclass(frozen=True)
class PairingResult:
    groups: int
    parents: int
    optimal: Pairing
    optimal_seconds: float
    greedy: Pairing
    greedy_seconds: float
    optimal_cpu_seconds: float
    """CPU time of the optimum: moves much less than the wall time with other load."""


def synthetic_parents(count: int, rng: random.Random) -> list[Parent]:
    """Parents as a school's opt-ins look: mostly Dutch, some with another language."""
    parents = []
    for _ in range(count):
        languages = ("nl",) if rng.random() < 0.7 else ("nl", rng.choice(LANGUAGES[1:]))
        if rng.random() < 0.1:
            languages = (rng.choice(LANGUAGES[1:]),)
        bands = tuple(rng.sample(AGE_BANDS, rng.choice((1, 1, 2))))
        interests = tuple(rng.sample(INTERESTS, rng.choice((0, 1, 2, 3))))
        parents.append(Parent(uuid.UUID(int=rng.getrandbits(128)), languages, bands, interests))
    return parents


def pair_parents(total: int, groups: int) -> PairingResult:
    """``total`` parents in ``groups`` schools/kernen of about equal size, paired per group
    as a round does, timed for the optimum and the greedy baseline."""
    rng = random.Random(SEED)
    everyone = synthetic_parents(total, rng)
    size = -(-total // groups)
    split = [everyone[i : i + size] for i in range(0, total, size)]
    results: dict[str, tuple[Pairing, float]] = {}
    cpu: dict[str, float] = {}
    for name, pair in (("optimal", pair_optimal), ("greedy", pair_greedy)):
        started, cpu_started = time.perf_counter(), time.process_time()
        found = [pair(group) for group in split]
        elapsed = time.perf_counter() - started
        cpu[name] = time.process_time() - cpu_started
        merged = Pairing(
            dates=tuple(d for p in found for d in p.dates),
            unpaired=tuple(m for p in found for m in p.unpaired),
        )
        results[name] = (merged, elapsed)
    return PairingResult(
        len(split),
        total,
        results["optimal"][0],
        results["optimal"][1],
        results["greedy"][0],
        results["greedy"][1],
        cpu["optimal"],
    )


@dataclass(frozen=True)
class QualityResult:
    requests: int
    offers: int
    online: float
    offline: float
    online_matched: int
    offline_matched: int

    @property
    def ratio(self) -> float:
        return self.online / self.offline if self.offline else 1.0


def _member(rng: random.Random, region: Region) -> Member:
    languages = ("nl",) if rng.random() < 0.75 else ("nl", rng.choice(LANGUAGES[1:]))
    return Member(
        member_id=uuid.UUID(int=rng.getrandbits(128)),
        home_area=rng.choice(region.areas).id,
        languages=languages,
        age_bands=(rng.choice(AGE_BANDS),),
        consents_matching=True,
    )


def synthetic_day(
    region: Region, requests: int, offers: int, kinds: int = 3
) -> tuple[list[tuple[Request, Member]], list[Candidate]]:
    """Offers open in the morning; requests arrive through the day in random order."""
    rng = random.Random(SEED)
    chosen = region.help_kinds[:kinds]
    candidates = []
    for i in range(offers):
        helper = _member(rng, region)
        offer = Offer(
            offer_id=uuid.UUID(int=rng.getrandbits(128)),
            member_id=helper.member_id,
            kind=rng.choice(chosen),
            home_area=helper.home_area,
            languages=helper.languages,
            age_bands=tuple(rng.sample(AGE_BANDS, 2)),
            capacity=rng.choice((1, 1, 2, 3)),
            expires_at=None,
            offered_at=DAY + timedelta(seconds=i),
            time_windows=tuple(rng.sample(WINDOWS, rng.choice((0, 1, 2)))),
        )
        candidates.append(Candidate(offer, helper, offer_load=0, helper_load=0))
    asks = []
    for i in range(requests):
        asker = _member(rng, region)
        asks.append(
            (
                Request(
                    request_id=uuid.UUID(int=rng.getrandbits(128)),
                    member_id=asker.member_id,
                    kind=rng.choice(chosen),
                    home_area=asker.home_area,
                    languages=asker.languages,
                    age_band=asker.age_bands[0],
                    expires_at=None,
                    requested_at=DAY + timedelta(hours=1, seconds=30 * i),
                    time_windows=tuple(rng.sample(WINDOWS, rng.choice((0, 1, 2)))),
                ),
                asker,
            )
        )
    return asks, candidates


def online_vs_offline(region: Region, requests: int, offers: int) -> QualityResult:
    """The same day twice: the online matcher answering each request as it arrives (the
    service's choose_offer, loads growing), and the offline optimum knowing the whole day
    (linear assignment over offer slots). Both valued with the same pair score."""
    asks, candidates = synthetic_day(region, requests, offers)
    capacity = region.matching.helper_capacity
    slots = [c for c in candidates for _ in range(min(c.offer.capacity, capacity))]
    at = DAY + timedelta(days=1)
    value = np.zeros((len(asks), len(slots)))
    for i, (request, asker) in enumerate(asks):
        for j, slot in enumerate(slots):
            if is_candidate(request, asker, slot, region, at):
                value[i, j] = propose(request, asker, slot, region).score
    rows, cols = linear_sum_assignment(value, maximize=True)
    chosen = value[rows, cols]
    offline = float(chosen.sum())
    offline_matched = int((chosen > 0).sum())

    current = {c.offer.offer_id: c for c in candidates}
    base = {c.offer.offer_id: c for c in candidates}
    online = 0.0
    matched = 0
    for request, asker in asks:
        found = choose_offer(request, asker, current.values(), region, at)
        if found is None:
            continue
        online += propose(request, asker, base[found.offer_id], region).score
        matched += 1
        used = current[found.offer_id]
        current[found.offer_id] = replace(
            used, offer_load=used.offer_load + 1, helper_load=used.helper_load + 1
        )
    return QualityResult(requests, offers, online, offline, matched, offline_matched)
