"""A connector in the loop: review states of a proposal, and the rules a hand-made
pairing must still keep."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from dorp_matching.domain import lifecycle
from dorp_matching.domain.connector import (
    INTRODUCTION,
    Problem,
    Review,
    hand_made,
    is_connector,
    may_review,
    pairing_problem,
    review_for,
)
from dorp_matching.domain.lifecycle import LifecycleError
from dorp_matching.domain.matching import propose
from dorp_matching.domain.model import History, Proposal
from tests.unit.matching.builders import T0, candidate, lochem, member, offer, request

REGION = lochem()
DAYS = REGION.proposal_expiry_days


def under_review() -> Proposal:
    asker, helper = member(), member()
    found = propose(request(asker), asker, candidate(offer(helper), helper), REGION)
    return lifecycle.offered(found, T0, DAYS, review=True)


def test_a_proposal_under_review_has_no_deadline_and_parents_cannot_answer_it() -> None:
    proposal = under_review()
    assert (proposal.status, proposal.expires_at) == ("awaiting_review", None)
    assert lifecycle.is_pending(proposal) and not lifecycle.is_due(proposal, T0 + timedelta(999))
    with pytest.raises(LifecycleError) as error:
        lifecycle.respond(proposal, proposal.requester_id, "accept")
    assert error.value.field == "proposal_id"
    direct = lifecycle.offered(proposal, T0, DAYS, review=False)
    assert (direct.status, direct.expires_at) == ("proposed", T0 + timedelta(days=DAYS))


def test_approval_starts_the_parents_deadline_then_the_normal_lifecycle_follows() -> None:
    at = T0 + timedelta(hours=5)
    approved = lifecycle.approve(under_review(), at, DAYS)
    assert (approved.status, approved.expires_at) == ("proposed", at + timedelta(days=DAYS))
    answered, outcome = lifecycle.respond(approved, approved.helper_id, "accept")
    assert (answered.status, outcome) == ("accepted", "accepted")


def test_reject_and_change_end_the_proposal_and_only_a_proposal_under_review() -> None:
    proposal = under_review()
    assert lifecycle.reject(proposal).status == "rejected"
    changed = lifecycle.set_aside(proposal)
    assert (changed.status, changed.ended_reason) == ("cancelled", "changed_by_connector")
    approved = lifecycle.approve(proposal, T0, DAYS)
    for decide in (
        lambda p: lifecycle.approve(p, T0, DAYS),
        lifecycle.reject,
        lifecycle.set_aside,
    ):
        with pytest.raises(LifecycleError, match="not awaiting review"):
            decide(approved)


def test_a_hand_made_pairing_keeps_the_rules_that_protect_people() -> None:
    asker, helper = member("laren"), member("barchem")
    ask, their = request(asker), offer(helper)
    fine = candidate(their, helper)
    assert pairing_problem(ask, asker, fine, T0) is None  # distance is the connector's call

    def problem(**changes: object) -> Problem | None:
        requester = replace(asker, consents_matching=False) if changes.get("asker_off") else asker
        someone = replace(helper, consents_matching=False) if changes.get("helper_off") else helper
        found = replace(fine, helper=someone, offer_load=int(str(changes.get("load", 0))))
        history = changes.get("history", History())
        assert isinstance(history, History)
        return pairing_problem(ask, requester, found, T0, history)

    assert problem(asker_off=True) == Problem("request_id", "the requester has no matching consent")
    assert problem(helper_off=True) == Problem("offer_id", "the helper has no matching consent")
    declined = problem(history=History(declined_with=frozenset({helper.member_id})))
    assert declined is not None and declined.field == "offer_id" and "declined" in declined.message
    tried = problem(history=History(tried_offers=frozenset({their.offer_id})))
    assert tried == Problem("offer_id", "was proposed for this request before")
    assert problem(load=1) == Problem("offer_id", "has no capacity left")
    other_kind = candidate(offer(helper, kind="koken"), helper)
    assert pairing_problem(ask, asker, other_kind, T0) == Problem(
        "offer_id", "offers koken, not babysitting"
    )
    own = candidate(offer(asker), asker)
    assert pairing_problem(ask, asker, own, T0) == Problem(
        "offer_id", "is the requester's own offer"
    )
    expired = candidate(replace(their, expires_at=T0), helper)
    assert pairing_problem(ask, asker, expired, T0) == Problem("offer_id", "has expired")


def test_an_introduction_is_explained_and_marked_as_the_connectors() -> None:
    asker, helper = member(), member()
    pairing = hand_made(
        request(asker), asker, candidate(offer(helper), helper), REGION, INTRODUCTION
    )
    codes = [reason.code for reason in pairing.reasons]
    assert codes[0] == "same_kind" and codes[-1] == "connector_introduction"
    assert pairing.explanation and pairing.score == sum(r.weight for r in pairing.reasons)


def test_only_members_with_the_connector_role_are_connectors() -> None:
    assert is_connector(replace(member(), role="connector"))
    assert not is_connector(member()) and not is_connector(None)


def test_a_parent_a_connector_registered_goes_to_that_connector_whatever_the_region() -> None:
    aanjager, other = member(), member()
    offline = replace(member(), registered_by="connector", connector_id=aanjager.member_id)
    for region_reviews in (False, True):
        mine = Review(needed=True, connector_id=aanjager.member_id)
        assert review_for(offline, region_reviews=region_reviews) == mine
        assert review_for(member(), region_reviews=region_reviews) == Review(region_reviews)
    # a partner's connector registered them (no id known): any connector reviews
    unnamed = replace(offline, connector_id=None)
    assert review_for(unnamed, region_reviews=False) == Review(needed=True)
    # the connector's own pairing goes straight to the parents
    made = review_for(offline, region_reviews=True, made_by=aanjager.member_id)
    assert made.needed is False
    held = replace(under_review(), reviewer_id=aanjager.member_id)
    assert may_review(held, aanjager.member_id) and not may_review(held, other.member_id)
    assert may_review(under_review(), other.member_id)
