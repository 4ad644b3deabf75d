"""Coffee and tea dates: pair the opted-in parents of one school or kern into dates of two
(three when the number is odd), maximising the total quality of the dates and never
repeating a pair that had a date before.

The optimum is a maximum weight matching (networkx, Edmonds' blossom algorithm) on a
sparse graph: each parent's ``CANDIDATES_PER_PARENT`` best partners. The blossom algorithm
grows faster than linearly, so a large group is first cut into blocks of at most
``BLOCK_SIZE`` parents that resemble each other (sorted by language, age band and
interests); the parents a block leaves over are paired in a fill-up step. A greedy
baseline (best remaining pair first) uses the same candidate graph, for the benchmark.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

import numpy as np

from dorp_matching.domain import wording
from dorp_shared.contracts import MatchReason

CANDIDATES_PER_PARENT = 4
BLOCK_SIZE = 600
WEIGHT_BASE = 1.0
WEIGHT_LANGUAGE = 3.0
WEIGHT_AGE_BAND = 2.0
WEIGHT_INTEREST = 1.0
MAX_INTERESTS_COUNTED = 2
WEIGHT_NEW_CONTACT = 1.0

Pair = frozenset[uuid.UUID]


@dataclass(frozen=True)
class Parent:
    """An opted-in parent as pairing sees them."""

    member_id: uuid.UUID
    languages: tuple[str, ...]
    age_bands: tuple[str, ...]
    interests: tuple[str, ...] = ()


@dataclass(frozen=True)
class OptIn:
    """A member who wants coffee dates with the parents of a school, or else of an area."""

    member_id: uuid.UUID
    school_organisation_id: uuid.UUID | None
    home_area: str | None
    opted_in_at: datetime


@dataclass(frozen=True)
class CoffeeGroup:
    """The opted-in (and consented) parents of one school or area: paired among themselves."""

    school_organisation_id: uuid.UUID | None
    home_area: str | None
    parents: tuple[Parent, ...]


@dataclass(frozen=True)
class CoffeeRound:
    round_id: uuid.UUID
    started_at: datetime
    trigger: str
    dates: int
    paired: int
    unpaired: int
    quality: float


@dataclass(frozen=True)
class StoredDate:
    date_id: uuid.UUID
    round_id: uuid.UUID
    school_organisation_id: uuid.UUID | None
    home_area: str | None
    member_ids: tuple[uuid.UUID, ...]
    score: float
    meet_by: date


@dataclass(frozen=True)
class History:
    """Pairs that had a coffee date before (never again) and pairs that met through a
    match (they already know each other: a new contact scores higher)."""

    dated: frozenset[Pair] = frozenset()
    met: frozenset[Pair] = frozenset()


@dataclass(frozen=True)
class Date:
    member_ids: tuple[uuid.UUID, ...]
    score: float


@dataclass(frozen=True)
class Pairing:
    dates: tuple[Date, ...]
    unpaired: tuple[uuid.UUID, ...] = ()

    @property
    def quality(self) -> float:
        return round(sum(date.score for date in self.dates), 3)


@dataclass
class _Scorer:
    """Pair weights over one group. Attributes are bit masks in numpy arrays, so a whole
    block's weights are a few vectorised ANDs; history is kept per member (few have any)."""

    ids: list[uuid.UUID]
    languages: np.ndarray
    age_bands: np.ndarray
    interests: np.ndarray
    index: dict[uuid.UUID, int]
    dated: dict[uuid.UUID, set[uuid.UUID]]
    met: dict[uuid.UUID, set[uuid.UUID]]

    def allowed(self, a: uuid.UUID, b: uuid.UUID) -> bool:
        return a != b and b not in self.dated.get(a, ())

    def weight(self, a: uuid.UUID, b: uuid.UUID) -> float:
        i, j = self.index[a], self.index[b]
        return float(self._weights(np.array([i]), np.array([j]))[0, 0])

    def _weights(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """Weights of every (row, col) pair; history not yet applied."""
        lang = (self.languages[rows][:, None] & self.languages[cols][None, :]) != 0
        band = (self.age_bands[rows][:, None] & self.age_bands[cols][None, :]) != 0
        shared = _popcount(self.interests[rows][:, None] & self.interests[cols][None, :])
        weights: np.ndarray = (
            WEIGHT_BASE
            + WEIGHT_NEW_CONTACT
            + WEIGHT_LANGUAGE * lang
            + WEIGHT_AGE_BAND * band
            + WEIGHT_INTEREST * np.minimum(shared, MAX_INTERESTS_COUNTED)
        )
        return weights

    def block_weights(self, block: Sequence[uuid.UUID]) -> np.ndarray:
        """A block's pair weights; a pair that dated before is -inf, one that met loses the
        new-contact bonus, and a parent is never their own partner."""
        rows = np.array([self.index[m] for m in block])
        weights = self._weights(rows, rows)
        np.fill_diagonal(weights, -np.inf)
        position = {m: k for k, m in enumerate(block)}
        for table, value in ((self.met, None), (self.dated, -np.inf)):
            for a in block:
                for b in table.get(a, ()):
                    k = position.get(b)
                    if k is not None:
                        i = position[a]
                        weights[i, k] = (
                            weights[i, k] - WEIGHT_NEW_CONTACT if value is None else value
                        )
        return weights

    def weights_from(self, me: int, others: np.ndarray) -> np.ndarray:
        """Weights from one parent to many (by position), history applied (-inf: dated)."""
        weights: np.ndarray = self._weights(np.array([me]), others)[0]
        member = self.ids[me]
        for table, dated in ((self.met, False), (self.dated, True)):
            for partner in table.get(member, ()):
                where = others == self.index.get(partner, -1)
                weights[where] = -np.inf if dated else weights[where] - WEIGHT_NEW_CONTACT
        return weights

    def score(self, members: Sequence[uuid.UUID]) -> float:
        """A date's quality: the sum of its pair weights over (size - 1), which is the sum
        over its members of their mean weight with the others, halved. So a date of two
        scores its pair's weight, and a parent left out adds nothing to a round's total."""
        pairs = [(a, b) for i, a in enumerate(members) for b in members[i + 1 :]]
        total = 0.0
        for a, b in pairs:
            met = b in self.met.get(a, ())
            total += self.weight(a, b) - (WEIGHT_NEW_CONTACT if met else 0.0)
        return round(total / max(1, len(members) - 1), 3)


def _popcount(values: np.ndarray) -> np.ndarray:
    return np.asarray(np.bitwise_count(values), dtype=np.int64)


def _scorer(parents: Sequence[Parent], history: History) -> _Scorer:
    bits: dict[str, dict[str, int]] = {}

    def mask(words: Iterable[str], prefix: str) -> int:
        """One bit per distinct word of an attribute (63 fit in an int64; a group with
        more distinct interests than that shares bits, which only blurs the score)."""
        known = bits.setdefault(prefix, {})
        value = 0
        for word in words:
            value |= 1 << (known.setdefault(word, len(known)) % 63)
        return value

    def by_member(pairs: Iterable[Pair]) -> dict[uuid.UUID, set[uuid.UUID]]:
        found: dict[uuid.UUID, set[uuid.UUID]] = {}
        for pair in pairs:
            if len(pair) == 2:
                a, b = tuple(pair)
                found.setdefault(a, set()).add(b)
                found.setdefault(b, set()).add(a)
        return found

    def column(name: str, prefix: str) -> np.ndarray:
        return np.array([mask(getattr(p, name), prefix) for p in parents], dtype=np.int64)

    return _Scorer(
        ids=[p.member_id for p in parents],
        languages=column("languages", "l"),
        age_bands=column("age_bands", "a"),
        interests=column("interests", "i"),
        index={p.member_id: i for i, p in enumerate(parents)},
        dated=by_member(history.dated),
        met=by_member(history.met),
    )


def _blocks(parents: Sequence[Parent]) -> list[list[uuid.UUID]]:
    """Similar parents next to each other, cut into blocks of an even size (the last may
    be odd), so the expensive optimum runs on bounded pieces."""
    ordered = sorted(
        parents, key=lambda p: (p.languages[:1], p.age_bands[:1], p.interests[:1], p.member_id)
    )
    ids = [p.member_id for p in ordered]
    count = max(1, -(-len(ids) // BLOCK_SIZE))
    size = -(-len(ids) // count)
    size += size % 2
    return [ids[i : i + size] for i in range(0, len(ids), size)]


Edges = dict[tuple[int, int], float]
"""Candidate pairs of a block by position (lower first), with their weight."""


def _candidate_edges(weights: np.ndarray) -> Edges:
    """The union of every parent's best ``CANDIDATES_PER_PARENT`` allowed partners (ties
    broken by position, so the result is deterministic)."""
    n = weights.shape[0]
    k = min(CANDIDATES_PER_PARENT, n - 1)
    edges: Edges = {}
    if k <= 0:
        return edges
    order = np.argsort(-weights, axis=1, kind="stable")[:, :k]
    for i in range(n):
        for j in order[i]:
            w = weights[i, j]
            if np.isfinite(w):
                edges[(min(i, int(j)), max(i, int(j)))] = float(w)
    return edges


def _optimal(edges: Edges) -> list[tuple[int, int]]:
    """Maximum weight matching among those of maximum size (integer weights: the blossom
    algorithm is exact and faster on them). networkx is imported here, when dates are
    paired: it is a second of the service's start-up otherwise."""
    import networkx as nx

    graph: nx.Graph[int] = nx.Graph()
    for (a, b), w in edges.items():
        graph.add_edge(a, b, weight=round(w * 2))
    found = nx.max_weight_matching(graph, maxcardinality=True)
    return sorted((min(a, b), max(a, b)) for a, b in found)


def _greedy(edges: Edges) -> list[tuple[int, int]]:
    taken: set[int] = set()
    chosen: list[tuple[int, int]] = []
    for (a, b), _ in sorted(edges.items(), key=lambda item: (-item[1], item[0])):
        if a not in taken and b not in taken:
            taken.update((a, b))
            chosen.append((a, b))
    return chosen


Matcher = Callable[[Edges], list[tuple[int, int]]]


def _fill_up(
    dates: list[list[uuid.UUID]], left: list[uuid.UUID], scorer: _Scorer
) -> list[uuid.UUID]:
    """Pair the parents the blocks left over (best allowed partner first), then seat any
    single one as the third at the date where they fit best. Returns who stays unpaired:
    only a parent every other one already had a date with."""
    single: list[uuid.UUID] = []
    positions = np.array(sorted(scorer.index[m] for m in left), dtype=np.int64)
    alive = np.ones(len(positions), dtype=bool)
    for k, me in enumerate(positions):
        if not alive[k]:
            continue
        alive[k] = False
        others = np.nonzero(alive)[0]
        weights = scorer.weights_from(int(me), positions[others]) if others.size else None
        if weights is None or not np.isfinite(weights.max()):
            single.append(scorer.ids[int(me)])
            continue
        best = int(others[int(np.argmax(weights))])  # the first of equals: deterministic
        alive[best] = False
        dates.append([scorer.ids[int(me)], scorer.ids[int(positions[best])]])
    unpaired = []
    for me in single:
        seats = [
            (sum(scorer.weight(me, m) for m in date), -i)
            for i, date in enumerate(dates)
            if len(date) == 2 and all(scorer.allowed(me, m) for m in date)
        ]
        if not seats:
            unpaired.append(me)
            continue
        _, index = max(seats)
        dates[-index].append(me)
    return unpaired


def _pair(parents: Sequence[Parent], history: History, matcher: Matcher) -> Pairing:
    unique = sorted({p.member_id: p for p in parents}.values(), key=lambda p: p.member_id)
    if not unique:
        return Pairing(dates=())
    scorer = _scorer(unique, history)
    dates: list[list[uuid.UUID]] = []
    left: list[uuid.UUID] = []
    for block in _blocks(unique):
        chosen = matcher(_candidate_edges(scorer.block_weights(block)))
        dates += [[block[a], block[b]] for a, b in chosen]
        paired = {i for pair in chosen for i in pair}
        left += [m for i, m in enumerate(block) if i not in paired]
    unpaired = _fill_up(dates, left, scorer)
    made = tuple(Date(tuple(d), scorer.score(d)) for d in dates)
    return Pairing(dates=made, unpaired=tuple(unpaired))


def pair_optimal(parents: Sequence[Parent], history: History = History()) -> Pairing:
    """Dates of two (one of three when the count is odd) with the highest total quality
    (maximum weight matching per block), never a pair that had a date before."""
    return _pair(parents, history, _optimal)


def pair_greedy(parents: Sequence[Parent], history: History = History()) -> Pairing:
    """The baseline: the best remaining pair first, on the same candidate graph."""
    return _pair(parents, history, _greedy)


def pairs_of(member_ids: Sequence[uuid.UUID]) -> list[Pair]:
    return [frozenset((a, b)) for i, a in enumerate(member_ids) for b in member_ids[i + 1 :]]


def explain(
    date_members: Sequence[Parent], history: History
) -> tuple[tuple[MatchReason, ...], str, str]:
    """What the parents of one date share, as reasons and one sentence in nl and en."""
    languages = _common(p.languages for p in date_members)
    bands = _common(p.age_bands for p in date_members)
    interests = _common(p.interests for p in date_members)
    new = not any(pair in history.met for pair in pairs_of([p.member_id for p in date_members]))
    reasons = [MatchReason(code="coffee_date", detail=str(len(date_members)), weight=WEIGHT_BASE)]
    if languages:
        reasons.append(
            MatchReason(code="shared_language", detail=",".join(languages), weight=WEIGHT_LANGUAGE)
        )
    if bands:
        reasons.append(MatchReason(code="age_band", detail=",".join(bands), weight=WEIGHT_AGE_BAND))
    if interests:
        counted = min(len(interests), MAX_INTERESTS_COUNTED) * WEIGHT_INTEREST
        reasons.append(
            MatchReason(code="shared_interest", detail=",".join(interests), weight=counted)
        )
    if new:
        reasons.append(MatchReason(code="new_contact", detail="", weight=WEIGHT_NEW_CONTACT))
    return (
        tuple(reasons),
        wording.coffee_sentence(languages, bands, interests, new, english=False),
        wording.coffee_sentence(languages, bands, interests, new, english=True),
    )


def _common(values: Iterable[tuple[str, ...]]) -> list[str]:
    lists = list(values)
    if not lists:
        return []
    rest = [set(v) for v in lists[1:]]
    return [v for v in lists[0] if all(v in other for other in rest)]
