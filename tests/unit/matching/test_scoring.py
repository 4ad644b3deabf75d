"""Scoring additions: time windows, load spread and history, each with a reason code and
a part of the sentence in Dutch and English."""

from __future__ import annotations

from dataclasses import replace

from dorp_matching.domain.matching import choose_offer, propose
from dorp_matching.domain.model import History
from dorp_shared.contracts import MatchReason
from tests.unit.matching.builders import T0, candidate, lochem, member, offer, request

REGION = lochem()


def codes(reasons: tuple[MatchReason, ...]) -> list[str]:
    return [reason.code for reason in reasons]


def test_overlapping_time_windows_score_higher_and_are_named() -> None:
    asker, evening, morning = member(), member(), member()
    ask = replace(request(asker), time_windows=("tue-evening", "sat-morning"))
    fits = candidate(replace(offer(evening), time_windows=("sat-morning", "tue-evening")), evening)
    clashes = candidate(replace(offer(morning), time_windows=("mon-morning",)), morning)

    both = propose(ask, asker, fits, REGION)
    assert "time_overlap" in codes(both.reasons)
    assert both.explanation.endswith("jullie kunnen allebei op dinsdagavond en zaterdagochtend.")
    assert both.explanation_en.endswith(
        "you are both free on Tuesday evening and Saturday morning."
    )
    never = propose(ask, asker, clashes, REGION)
    assert "time_overlap" not in codes(never.reasons) and never.score < both.score
    best = choose_offer(ask, asker, [clashes, fits], REGION, T0)
    assert best is not None and best.helper_id == evening.member_id

    # no windows named: any time, between the two
    open_ended = propose(request(asker), asker, fits, REGION)
    assert "time_open" in codes(open_ended.reasons)
    assert never.score < open_ended.score < both.score


def test_a_busy_helper_scores_lower_and_the_sentence_says_so() -> None:
    asker, busy, free = member(), member(), member()
    ask = request(asker)
    loaded = candidate(offer(busy, capacity=3), busy, offer_load=2, helper_load=2)
    idle = candidate(offer(free), free)
    chosen = choose_offer(ask, asker, [loaded, idle], REGION, T0)
    assert chosen is not None and chosen.helper_id == free.member_id
    spread = propose(ask, asker, loaded, REGION)
    assert ("helper_load", "2") in [(r.code, r.detail) for r in spread.reasons]
    assert spread.explanation.endswith("de helper helpt al 2 anderen.")
    assert spread.explanation_en.endswith("the helper already helps 2 others.")
    full = candidate(offer(busy, capacity=2), busy, offer_load=2, helper_load=2)
    assert choose_offer(ask, asker, [full], REGION, T0) is None  # never above capacity


def test_someone_met_before_is_preferred_only_when_the_request_asks_for_it() -> None:
    asker, known, stranger = member(), member(), member()
    met = History(met_with=frozenset({known.member_id}))
    # the stranger's offer is older, so it wins a tie
    offers = [
        candidate(offer(stranger, minutes=0), stranger),
        candidate(offer(known, minutes=5), known),
    ]
    plain = choose_offer(request(asker), asker, offers, REGION, T0, met)
    assert plain is not None and plain.helper_id == stranger.member_id

    wants_known = replace(request(asker), prefers_known_people=True)
    chosen = choose_offer(wants_known, asker, offers, REGION, T0, met)
    assert chosen is not None and chosen.helper_id == known.member_id
    assert "met_before" in codes(chosen.reasons)
    assert chosen.explanation.startswith("Jullie kennen elkaar al; beide in Laren")
    assert chosen.explanation_en.startswith("You have met before; both in Laren")
