"""Dialogue tables: counting votes and Deep Democracy's minority view."""

from __future__ import annotations

import random
import uuid

from hypothesis import given
from hypothesis import strategies as st

from dorp_registration.domain.dialogue import (
    Tally,
    adopted,
    dissenting,
    minority_view_missing,
    tally,
)
from dorp_registration.ports.dialogue import Ballot
from dorp_shared.contracts.events import VoteChoice

MEMBERS = [uuid.UUID(int=n) for n in range(6)]
choices: st.SearchStrategy[VoteChoice] = st.sampled_from(["for", "against", "abstain"])
ballots = st.lists(st.tuples(st.sampled_from(MEMBERS), choices), max_size=30)


@given(ballots)
def test_each_member_counts_once_with_their_last_vote(cast: list[Ballot]) -> None:
    counted = tally(cast)
    last = {member: choice for member, choice in cast}
    assert counted.total == len(last)
    assert counted.votes_for == sum(choice == "for" for choice in last.values())
    assert counted.votes_against == sum(choice == "against" for choice in last.values())


@given(ballots, st.randoms())
def test_the_order_of_different_members_votes_does_not_matter(
    cast: list[Ballot], rng: random.Random
) -> None:
    last = list({member: choice for member, choice in cast}.items())
    shuffled = list(last)
    rng.shuffle(shuffled)
    assert tally(shuffled) == tally(cast)


def test_adopted_when_more_for_than_against_unless_the_table_says_otherwise() -> None:
    assert adopted(Tally(votes_for=3, votes_against=2, votes_abstain=4))
    assert not adopted(Tally(votes_for=2, votes_against=2))
    assert not adopted(Tally())
    assert not adopted(Tally(votes_for=5), given=False)
    assert adopted(Tally(votes_against=1), given=True)


def test_a_decision_with_a_minority_must_carry_its_view() -> None:
    split = Tally(votes_for=4, votes_against=1)
    assert minority_view_missing(split, True, "")
    assert minority_view_missing(split, True, "   ")
    assert not minority_view_missing(split, True, "One parent fears the cost")
    assert minority_view_missing(Tally(votes_for=4, votes_abstain=1), True, "")
    assert not minority_view_missing(Tally(votes_for=4), True, "")
    # rejected: those who voted for it are the minority
    assert minority_view_missing(Tally(votes_for=1, votes_against=3), False, "")
    assert not minority_view_missing(Tally(votes_against=3), False, "")


@given(st.integers(0, 20), st.integers(0, 20), st.integers(0, 20), st.booleans())
def test_the_minority_and_those_with_the_decision_are_all_voters(
    for_: int, against: int, abstain: int, is_adopted: bool
) -> None:
    counted = Tally(votes_for=for_, votes_against=against, votes_abstain=abstain)
    with_decision = for_ if is_adopted else against
    assert dissenting(counted, is_adopted) + with_decision == counted.total
