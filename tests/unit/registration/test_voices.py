"""Voices: when a quote may be published, and summaries that never show a small group."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from dorp_registration.domain.voices import (
    GroupTally,
    Tally,
    hidden,
    may_publish_anonymously,
    summarise,
)
from dorp_shared.contracts.events import Consents

THRESHOLD = 5


def group(respondents: int, **totals: int) -> GroupTally:
    """Every respondent answered every question; ``totals`` are the sums of the answers."""
    return GroupTally(respondents, {q: Tally(respondents, total) for q, total in totals.items()})


def test_a_quote_may_be_published_only_with_consent_for_quotes() -> None:
    assert may_publish_anonymously(Consents(quotes=True))
    assert not may_publish_anonymously(Consents(matching=True, research=True))


def test_groups_at_the_threshold_are_shown_with_their_means() -> None:
    summary = summarise({"laren": group(5, calm=17), "almen": group(8, calm=32)}, [], THRESHOLD)
    assert summary.overall.respondents == 13
    assert summary.overall.means == {"calm": round(49 / 13, 2)}
    assert summary.groups["laren"].means == {"calm": 3.4}
    assert summary.groups["almen"].respondents == 8


def test_a_hidden_group_is_not_recoverable_from_the_overall_figure() -> None:
    groups = {"laren": group(6, calm=18), "almen": group(9, calm=27), "epse": group(2, calm=10)}
    summary = summarise(groups, [], THRESHOLD)
    assert summary.overall.respondents == 17
    assert summary.groups["epse"].suppressed and summary.groups["epse"].means == {"calm": None}
    # overall minus almen would give epse back if laren were shown too: laren goes as well
    assert summary.groups["laren"].suppressed
    assert summary.groups["almen"].means == {"calm": 3.0}


def test_below_the_threshold_nothing_is_shown_not_even_the_overall() -> None:
    summary = summarise({"laren": group(3, calm=9), "almen": group(1, calm=5)}, [], THRESHOLD)
    assert summary.overall.respondents is None and summary.overall.means == {"calm": None}
    assert all(figures.suppressed for figures in summary.groups.values())


def test_a_question_few_answered_is_hidden_even_in_a_shown_group() -> None:
    laren = GroupTally(6, {"calm": Tally(6, 24), "sleep": Tally(2, 9)})
    summary = summarise({"laren": laren}, ["help"], THRESHOLD)
    assert summary.groups["laren"].means == {"calm": 4.0, "sleep": None, "help": None}
    assert summary.overall.means == {"calm": 4.0, "sleep": None, "help": None}


counts = st.dictionaries(st.sampled_from("abcdefgh"), st.integers(0, 12), max_size=8)


@given(counts, st.integers(1, 8))
def test_hidden_groups_hold_no_one_or_at_least_the_threshold(
    groups: dict[str, int], threshold: int
) -> None:
    hide = hidden(groups, threshold)
    shown = [key for key in groups if key not in hide]
    assert all(groups[key] >= threshold for key in shown)
    hidden_people = sum(groups[key] for key in hide)
    assert hidden_people == 0 or hidden_people >= threshold or not shown


tallies = st.builds(
    lambda n, answered, total: GroupTally(n, {"q": Tally(min(answered, n), total)}),
    st.integers(1, 12),
    st.integers(0, 12),
    st.integers(0, 60),
)


@given(st.dictionaries(st.sampled_from("abcdef"), tallies, min_size=1), st.integers(1, 8))
def test_no_shown_mean_rests_on_fewer_than_the_threshold(
    groups: dict[str, GroupTally], threshold: int
) -> None:
    summary = summarise(groups, [], threshold)
    for key, figures in summary.groups.items():
        if figures.means["q"] is not None:
            assert groups[key].tally("q").count >= threshold
    hidden_answers = sum(
        groups[key].tally("q").count
        for key, figures in summary.groups.items()
        if figures.means["q"] is None
    )
    overall_shown = summary.overall.means["q"] is not None
    assert not overall_shown or hidden_answers == 0 or hidden_answers >= threshold
