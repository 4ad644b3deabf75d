"""Choosing and explaining an offer for a request (pure domain, Lochem's kernen)."""

from __future__ import annotations

from dorp_matching.domain.matching import choose_offer, proposal_id, serve_waiting
from dorp_matching.domain.model import Waiting
from tests.unit.matching.builders import T0, candidate, lochem, member, offer, request

REGION = lochem()


def test_same_kern_babysitting_is_proposed_with_a_natural_sentence() -> None:
    asker, helper = member("laren"), member("laren")
    chosen = choose_offer(request(asker), asker, [candidate(offer(helper), helper)], REGION, T0)
    assert chosen is not None
    assert chosen.requester_id == asker.member_id and chosen.helper_id == helper.member_id
    assert chosen.explanation == (
        "Beide in Laren; jullie spreken allebei Nederlands; oppas voor 1-4 jaar."
    )
    assert chosen.explanation_en == "Both in Laren; you both speak Dutch; babysitting for ages 1-4."
    codes = {reason.code for reason in chosen.reasons}
    assert {"same_kind", "same_area", "shared_language", "age_band"} <= codes
    assert chosen.score == sum(reason.weight for reason in chosen.reasons)


def test_neighbouring_kernen_are_named_in_the_sentence() -> None:
    asker, helper = member("laren", languages=("ar", "nl")), member("almen", languages=("nl", "ar"))
    chosen = choose_offer(request(asker), asker, [candidate(offer(helper), helper)], REGION, T0)
    assert chosen is not None
    assert chosen.explanation.startswith(
        "Laren en Almen liggen naast elkaar; jullie spreken allebei Arabisch en Nederlands;"
    )
    assert chosen.explanation_en.startswith("Laren and Almen are next to each other;")


def test_kernen_further_apart_are_not_matched() -> None:
    asker, helper = member("barchem"), member("gorssel")
    assert REGION.area_distance("barchem", "gorssel") == 2
    offers = [candidate(offer(helper), helper)]
    assert choose_offer(request(asker), asker, offers, REGION, T0) is None


def test_same_kern_beats_neighbouring_kern() -> None:
    asker, near, next_door = member("lochem"), member("lochem"), member("laren")
    offers = [candidate(offer(next_door), next_door), candidate(offer(near, minutes=5), near)]
    chosen = choose_offer(request(asker), asker, offers, REGION, T0)
    assert chosen is not None and chosen.helper_id == near.member_id


def test_least_loaded_helper_is_preferred() -> None:
    asker, busy, free = member("epse"), member("epse"), member("epse")
    offers = [
        candidate(offer(busy, capacity=3), busy, offer_load=1, helper_load=1),
        candidate(offer(free, capacity=3, minutes=5), free),
    ]
    chosen = choose_offer(request(asker), asker, offers, REGION, T0)
    assert chosen is not None and chosen.helper_id == free.member_id


def test_no_consent_no_kind_match_no_capacity_means_no_proposal() -> None:
    asker = member()
    shy, other_kind, full = member(consent=False), member(), member()
    offers = [
        candidate(offer(shy), shy),
        candidate(offer(other_kind, kind="walk_and_talk"), other_kind),
        candidate(offer(full), full, offer_load=1, helper_load=1),
    ]
    assert choose_offer(request(asker), asker, offers, REGION, T0) is None
    unwilling = member(consent=False)
    helper = member()
    alone = [candidate(offer(helper), helper)]
    assert choose_offer(request(unwilling), unwilling, alone, REGION, T0) is None


def test_age_mismatch_is_matched_but_said_out_loud() -> None:
    asker, helper = member(), member()
    o = offer(helper, age_bands=("4-12",))
    chosen = choose_offer(request(asker, age_band="0-1"), asker, [candidate(o, helper)], REGION, T0)
    assert chosen is not None
    assert "gevraagd voor 0-1 jaar, aangeboden voor 4-12 jaar" in chosen.explanation


def test_new_offer_serves_oldest_waiting_requests_within_capacity() -> None:
    helper = member("gorssel")
    askers = [member("gorssel") for _ in range(3)]
    waiting = [Waiting(request(a, minutes=10 - i), a) for i, a in enumerate(askers)]
    o = offer(helper, capacity=2)
    proposals = serve_waiting(candidate(o, helper), waiting, REGION, T0)
    assert [p.requester_id for p in proposals] == [askers[2].member_id, askers[1].member_id]
    assert proposals[0].proposal_id == proposal_id(waiting[2].request.request_id, o.offer_id)
