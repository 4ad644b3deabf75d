"""The proposal state machine and the choice of the next best offer after a decline."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import timedelta

import pytest

from dorp_matching.domain import lifecycle
from dorp_matching.domain.lifecycle import LifecycleError
from dorp_matching.domain.matching import choose_offer, propose, serve_waiting
from dorp_matching.domain.model import History, Proposal, Waiting
from tests.unit.matching.builders import T0, candidate, lochem, member, offer, request

REGION = lochem()


def a_proposal() -> Proposal:
    asker, helper = member(), member()
    return propose(request(asker), asker, candidate(offer(helper), helper), REGION)


def test_both_sides_accepting_confirms_in_either_order() -> None:
    for first, second in (("requester_id", "helper_id"), ("helper_id", "requester_id")):
        proposal = a_proposal()
        half, outcome = lifecycle.respond(proposal, getattr(proposal, first), "accept")
        assert (half.status, outcome) == ("accepted", "accepted")
        both, outcome = lifecycle.respond(half, getattr(proposal, second), "accept")
        assert (both.status, outcome) == ("confirmed", "confirmed")
        assert both.requester_answer == both.helper_answer == "accept"


def test_a_decline_by_either_side_ends_the_proposal_even_after_one_accepted() -> None:
    proposal = a_proposal()
    half, _ = lifecycle.respond(proposal, proposal.requester_id, "accept")
    declined, outcome = lifecycle.respond(half, proposal.helper_id, "decline")
    assert (declined.status, outcome, declined.ended_reason) == ("declined", "declined", "declined")
    with pytest.raises(LifecycleError) as error:
        lifecycle.respond(declined, proposal.requester_id, "decline")
    assert error.value.field == "proposal_id"  # no longer open for answers


def test_repeating_an_answer_is_harmless_but_changing_it_is_refused() -> None:
    proposal = a_proposal()
    half, _ = lifecycle.respond(proposal, proposal.helper_id, "accept")
    same, outcome = lifecycle.respond(half, proposal.helper_id, "accept")
    assert (same, outcome) == (half, "unchanged")
    with pytest.raises(LifecycleError) as error:
        lifecycle.respond(half, proposal.helper_id, "decline")
    assert error.value.field == "answer"


def test_only_the_two_members_of_a_proposal_can_answer_or_give_feedback() -> None:
    proposal = a_proposal()
    stranger = uuid.uuid4()
    for step in (
        lambda: lifecycle.respond(proposal, stranger, "accept"),
        lambda: lifecycle.complete(proposal, stranger),
    ):
        with pytest.raises(LifecycleError) as error:
            step()
        assert error.value.field == "member_id"


def test_feedback_only_on_a_confirmed_match() -> None:
    proposal = a_proposal()
    with pytest.raises(LifecycleError) as error:
        lifecycle.complete(proposal, proposal.requester_id)
    assert error.value.field == "proposal_id"
    confirmed = replace(proposal, status="confirmed")
    assert lifecycle.complete(confirmed, proposal.helper_id) == "offer"
    assert lifecycle.complete(replace(proposal, status="completed"), proposal.requester_id) == (
        "request"
    )


def test_expiry_and_cancellation_end_only_pending_proposals() -> None:
    proposal = replace(a_proposal(), expires_at=lifecycle.expiry(T0, REGION.proposal_expiry_days))
    assert not lifecycle.is_due(proposal, T0 + timedelta(days=13))
    assert lifecycle.is_due(proposal, T0 + timedelta(days=14))
    expired = lifecycle.end(proposal, "expired", "not_answered")
    assert expired.status == "expired" and not lifecycle.is_due(expired, T0 + timedelta(days=30))
    with pytest.raises(LifecycleError):
        lifecycle.end(expired, "cancelled", "withdrawn")
    confirmed = replace(proposal, status="confirmed")
    assert not lifecycle.is_due(confirmed, T0 + timedelta(days=30))
    with pytest.raises(LifecycleError):
        lifecycle.end(confirmed, "cancelled", "withdrawn")


def test_next_best_never_proposes_a_member_who_declined_this_requester_before() -> None:
    asker = member("laren")
    best, second = member("laren"), member("lochem")
    ask = request(asker)
    offers = [candidate(offer(best), best), candidate(offer(second), second)]
    first = choose_offer(ask, asker, offers, REGION, T0)
    assert first is not None and first.helper_id == best.member_id
    after = choose_offer(ask, asker, offers, REGION, T0, History(frozenset({best.member_id})))
    assert after is not None and after.helper_id == second.member_id
    nobody = History(frozenset({best.member_id, second.member_id}))
    assert choose_offer(ask, asker, offers, REGION, T0, nobody) is None

    history = History(declined_with=frozenset({best.member_id}))
    waiting = [Waiting(request=ask, requester=asker, history=history)]
    assert serve_waiting(offers[0], waiting, REGION, T0) == []
