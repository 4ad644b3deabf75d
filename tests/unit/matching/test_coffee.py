"""Coffee and tea dates: everyone paired (one date of three when the count is odd), never a
pair that dated before, and the optimum at least as good as the greedy baseline."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from dorp_matching.coffee_dates import round_due
from dorp_matching.domain import coffee
from dorp_matching.domain.coffee import History, Pairing, Parent, pair_greedy, pair_optimal
from tests.unit.matching.builders import lochem

REGION = lochem()
LANGUAGES = ("nl", "en", "ar", "tr")
BANDS = ("0-1", "1-4", "4-12", "12-18")
INTERESTS = ("sport", "koken", "muziek", "lezen")


def parent(
    languages: tuple[str, ...] = ("nl",),
    bands: tuple[str, ...] = ("4-12",),
    interests: tuple[str, ...] = (),
) -> Parent:
    return Parent(uuid.uuid4(), languages, bands, interests)


def members(pairing: Pairing) -> list[uuid.UUID]:
    return [m for date in pairing.dates for m in date.member_ids]


def test_an_even_group_is_paired_into_dates_of_two_that_share_the_most() -> None:
    dutch = [parent(("nl",), ("1-4",)) for _ in range(2)]
    arabic = [parent(("ar",), ("4-12",)) for _ in range(2)]
    found = pair_optimal([dutch[0], arabic[0], dutch[1], arabic[1]])
    assert sorted(len(d.member_ids) for d in found.dates) == [2, 2]
    together = {frozenset(d.member_ids) for d in found.dates}
    assert together == {
        frozenset(p.member_id for p in dutch),
        frozenset(p.member_id for p in arabic),
    }
    assert found.unpaired == ()


def test_an_odd_group_has_one_date_of_three_and_nobody_is_left_out() -> None:
    group = [parent() for _ in range(7)]
    found = pair_optimal(group)
    assert sorted(len(d.member_ids) for d in found.dates) == [2, 2, 3]
    assert sorted(members(found)) == sorted(p.member_id for p in group)


def test_a_pair_that_dated_before_is_never_paired_again() -> None:
    a, b, c, d = (parent() for _ in range(4))
    dated = History(dated=frozenset({frozenset((a.member_id, b.member_id))}))
    found = pair_optimal([a, b, c, d], dated)
    assert frozenset((a.member_id, b.member_id)) not in {
        frozenset(x.member_ids) for x in found.dates
    }
    # three parents who all dated each other: nobody can be paired
    everyone = coffee.pairs_of([a.member_id, b.member_id, c.member_id])
    alone = pair_optimal([a, b, c], History(dated=frozenset(everyone)))
    assert alone.dates == () and sorted(alone.unpaired) == sorted(
        [a.member_id, b.member_id, c.member_id]
    )


def test_the_optimum_beats_the_greedy_baseline_on_a_crafted_group() -> None:
    """a-b is the single best pair, but taking it leaves c and d, who dated before, to a
    poor date of three; the optimum pairs a-c and b-d instead."""
    a = parent(("nl", "ar"), ("1-4", "4-12"), ("sport", "koken"))
    b = parent(("nl", "tr"), ("1-4", "12-18"), ("sport", "koken"))
    c = parent(("ar",), ("4-12",), ("lezen",))
    d = parent(("tr",), ("12-18",), ("muziek",))
    history = History(dated=frozenset({frozenset((c.member_id, d.member_id))}))
    optimal = pair_optimal([a, b, c, d], history)
    greedy = pair_greedy([a, b, c, d], history)
    assert {frozenset(x.member_ids) for x in optimal.dates} == {
        frozenset((a.member_id, c.member_id)),
        frozenset((b.member_id, d.member_id)),
    }
    assert optimal.quality > greedy.quality


def test_parents_who_met_through_a_match_score_lower_than_new_contacts() -> None:
    a, b, c, d = (parent() for _ in range(4))
    met = History(met=frozenset({frozenset((a.member_id, b.member_id))}))
    found = pair_optimal([a, b, c, d], met)
    assert frozenset((a.member_id, b.member_id)) not in {
        frozenset(x.member_ids) for x in found.dates
    }


def test_each_date_is_explained_in_dutch_and_english() -> None:
    a = parent(("nl", "en"), ("1-4",), ("sport",))
    b = parent(("en",), ("1-4", "4-12"), ("sport", "koken"))
    reasons, nl, en = coffee.explain([a, b], History())
    assert {r.code for r in reasons} == {
        "coffee_date",
        "shared_language",
        "age_band",
        "shared_interest",
        "new_contact",
    }
    assert nl == (
        "Een koffie- of theedate op school of in de buurt; jullie spreken allebei Engels; "
        "jullie hebben allemaal kinderen van 1-4 jaar; jullie delen een interesse in sport; "
        "jullie hebben elkaar via Dorp nog niet ontmoet."
    )
    assert en.startswith("A coffee or tea date at your school or in your neighbourhood;")


def test_a_scheduled_round_is_due_every_so_many_days() -> None:
    t0 = datetime(2026, 3, 1, tzinfo=UTC)
    days = REGION.matching.coffee_date_round_days
    assert days > 0
    assert not round_due(REGION, t0, None, None)  # nobody opted in
    assert not round_due(REGION, t0 + timedelta(days=days - 1), None, t0)
    assert round_due(REGION, t0 + timedelta(days=days), None, t0)
    assert not round_due(REGION, t0 + timedelta(days=days + 1), t0 + timedelta(days=days), t0)
    never = REGION.model_copy(
        update={"matching": REGION.matching.model_copy(update={"coffee_date_round_days": 0})}
    )
    assert not round_due(never, t0 + timedelta(days=365), None, t0)


profiles = st.builds(
    lambda ls, bs, ins: Parent(uuid.uuid4(), tuple(ls), tuple(bs), tuple(ins)),
    st.lists(st.sampled_from(LANGUAGES), min_size=1, max_size=2, unique=True),
    st.lists(st.sampled_from(BANDS), max_size=2, unique=True),
    st.lists(st.sampled_from(INTERESTS), max_size=2, unique=True),
)


@settings(max_examples=60, deadline=None)
@given(group=st.lists(profiles, min_size=2, max_size=40), dated_share=st.integers(0, 3))
def test_pairing_invariants(group: list[Parent], dated_share: int) -> None:
    """Dates of two or three; nobody twice; no past pair; nobody left out when any
    allowed pairing exists for them; the optimum at least the greedy within a block."""
    ids = [p.member_id for p in group]
    past = frozenset(
        pair for i, pair in enumerate(coffee.pairs_of(ids)) if dated_share and i % 7 < dated_share
    )
    history = History(dated=past)
    for pairing in (pair_optimal(group, history), pair_greedy(group, history)):
        seen = members(pairing)
        assert len(seen) == len(set(seen))
        assert set(seen) | set(pairing.unpaired) == set(ids)
        assert all(len(d.member_ids) in (2, 3) for d in pairing.dates)
        for date in pairing.dates:
            assert not set(coffee.pairs_of(list(date.member_ids))) & past
    if not past:
        optimal = pair_optimal(group, history)
        assert optimal.unpaired == ()
        assert sum(len(d.member_ids) == 3 for d in optimal.dates) == len(group) % 2
