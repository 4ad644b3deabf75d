"""The helper's capacity over all their offers, and recent load that spreads the help."""

from __future__ import annotations

from dataclasses import replace

from dorp_matching.domain.connector import pairing_problem
from dorp_matching.domain.matching import choose_offer, propose
from tests.unit.matching.builders import T0, candidate, lochem, member, offer, request

REGION = lochem()


def test_a_helper_at_the_regions_capacity_over_small_offers_gets_no_more() -> None:
    asker, busy = member(), member()
    cap = REGION.matching.helper_capacity
    small = offer(busy, capacity=1)  # free itself, but the helper is busy through others
    at_capacity = candidate(small, busy, offer_load=0, helper_load=cap)
    assert choose_offer(request(asker), asker, [at_capacity], REGION, T0) is None
    one_below = candidate(small, busy, offer_load=0, helper_load=cap - 1)
    assert choose_offer(request(asker), asker, [one_below], REGION, T0) is not None
    # a connector's hand-made pairing keeps the same limit
    problem = pairing_problem(request(asker), asker, at_capacity, T0, helper_capacity=cap)
    assert problem is not None and problem.field == "offer_id"
    # an offer that says it helps more raises the helper's limit to what it says
    roomy = offer(busy, capacity=cap + 5)
    willing = candidate(roomy, busy, offer_load=cap, helper_load=cap)
    assert choose_offer(request(asker), asker, [willing], REGION, T0) is not None
    full = candidate(roomy, busy, offer_load=cap + 5, helper_load=cap + 5)
    assert choose_offer(request(asker), asker, [full], REGION, T0) is None


def test_recent_proposals_lower_the_score_and_the_sentence_says_so() -> None:
    asker, lately, rested = member(), member(), member()
    ask = request(asker)
    asked_lately = replace(candidate(offer(lately), lately), helper_recent=3)
    fresh = candidate(offer(rested, minutes=5), rested)  # a younger offer: loses ties
    chosen = choose_offer(ask, asker, [asked_lately, fresh], REGION, T0)
    assert chosen is not None and chosen.helper_id == rested.member_id
    spread = propose(ask, asker, asked_lately, REGION)
    recent = next(r for r in spread.reasons if r.code == "recent_load")
    assert recent.detail == "3" and recent.weight < 0
    assert spread.explanation.endswith("de helper werd onlangs al 3 keer gevraagd.")
    assert spread.explanation_en.endswith("the helper was asked 3 times lately.")
    assert "recent_load" not in {r.code for r in propose(ask, asker, fresh, REGION).reasons}
