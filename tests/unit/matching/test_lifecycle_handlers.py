"""Registration's later events against in-memory repositories: withdrawal, consent,
renewal and erasure change who is matched, and pending proposals end with an event."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from dorp_matching import handlers
from dorp_matching.entrypoints.jobs import expire_due
from dorp_shared.contracts import Envelope, MemberRegistered
from dorp_shared.errors import NotReadyYet
from tests.unit.matching.builders import (
    T0,
    consent,
    erased,
    lochem,
    offered,
    registered,
    renewed,
    requested,
    updated,
    withdrawn,
)
from tests.unit.matching.fakes import FakeMatchingUnitOfWork

REGION = lochem()


def emitted(uow: FakeMatchingUnitOfWork) -> list[tuple[str, Any]]:
    """(event name, payload) in order."""
    return [(e.payload.name, e.payload) for e in uow.emitted]


def names(uow: FakeMatchingUnitOfWork) -> list[str]:
    return [name for name, _ in emitted(uow)]


async def setup(uow: FakeMatchingUnitOfWork, *members: Envelope[MemberRegistered]) -> None:
    for member in members:
        await handlers.member_registered(member, uow, REGION)


async def test_a_withdrawn_offer_cancels_its_proposal_and_the_request_gets_the_next_best() -> None:
    uow = FakeMatchingUnitOfWork()
    asker, best, other = registered("laren"), registered("laren"), registered("lochem")
    await setup(uow, asker, best, other)
    first_offer = offered(best, minutes=1)
    await handlers.help_offered(first_offer, uow, REGION)
    await handlers.help_offered(offered(other, minutes=2), uow, REGION)
    await handlers.help_requested(requested(asker, minutes=3), uow, REGION)
    [(_, proposed)] = emitted(uow)
    assert proposed.helper_id == best.payload.member_id

    gone = withdrawn(best, first_offer.payload.offer_id, "offer", minutes=4)
    await handlers.help_withdrawn(gone, uow, REGION)
    await handlers.help_withdrawn(gone, uow, REGION)  # redelivered: nothing twice
    assert names(uow) == ["match_proposed", "proposal_cancelled", "match_proposed"]
    _, cancelled = emitted(uow)[1]
    assert (cancelled.proposal_id, cancelled.reason) == (proposed.proposal_id, "withdrawn")
    assert emitted(uow)[2][1].helper_id == other.payload.member_id


async def test_a_withdrawn_request_cancels_its_proposal_and_is_never_matched_again() -> None:
    uow = FakeMatchingUnitOfWork()
    asker, helper = registered(), registered()
    await setup(uow, asker, helper)
    ask = requested(asker, minutes=1)
    await handlers.help_requested(ask, uow, REGION)
    await handlers.help_withdrawn(
        withdrawn(asker, ask.payload.request_id, "request", minutes=2), uow, REGION
    )
    await handlers.help_offered(offered(helper, minutes=3), uow, REGION)
    assert names(uow) == []


async def test_without_consent_no_match_and_with_consent_again_the_waiting_request_is_tried() -> (
    None
):
    uow = FakeMatchingUnitOfWork()
    asker, helper, other = registered(), registered(), registered()
    await setup(uow, asker, helper, other)
    await handlers.help_offered(offered(helper, minutes=1), uow, REGION)
    ask = requested(asker, minutes=2)
    await handlers.help_requested(ask, uow, REGION)
    [(_, proposed)] = emitted(uow)

    # the helper withdraws consent: proposal cancelled, nobody else fits yet
    await handlers.consent_changed(consent(helper, False, minutes=3), uow, REGION)
    assert names(uow) == ["match_proposed", "proposal_cancelled"]
    assert emitted(uow)[1][1].reason == "consent_withdrawn"

    # the requester withdraws too; a new offer arrives: no match without consent
    await handlers.consent_changed(consent(asker, False, minutes=4), uow, REGION)
    await handlers.help_offered(offered(other, minutes=5), uow, REGION)
    assert len(names(uow)) == 2

    # consent again: the waiting request is tried, and finds the new offer
    await handlers.consent_changed(consent(asker, True, minutes=6), uow, REGION)
    assert names(uow)[2:] == ["match_proposed"]
    again = emitted(uow)[2][1]
    assert (again.request_id, again.helper_id) == (proposed.request_id, other.payload.member_id)


async def test_an_expired_request_is_not_matched_until_it_is_renewed() -> None:
    uow = FakeMatchingUnitOfWork()
    asker, helper = registered(), registered()
    await setup(uow, asker, helper)
    ask = requested(asker, minutes=1)
    ending = T0 + timedelta(minutes=2)
    ask = ask.model_copy(update={"payload": ask.payload.model_copy(update={"expires_at": ending})})
    await handlers.help_requested(ask, uow, REGION)
    await handlers.help_offered(offered(helper, minutes=3), uow, REGION)
    assert names(uow) == []
    again = renewed(asker, ask.payload.request_id, "request", days=30, minutes=4)
    await handlers.help_renewed(again, uow, REGION)
    [(_, proposed)] = emitted(uow)
    assert proposed.request_id == ask.payload.request_id


async def test_erasure_cancels_pending_proposals_forgets_the_member_and_rematches_others() -> None:
    uow = FakeMatchingUnitOfWork()
    asker, leaving, other = registered(), registered(), registered("lochem")
    await setup(uow, asker, leaving, other)
    await handlers.help_offered(offered(leaving, minutes=1), uow, REGION)
    await handlers.help_offered(offered(other, minutes=2), uow, REGION)
    await handlers.help_requested(requested(asker, minutes=3), uow, REGION)
    await handlers.help_requested(requested(leaving, minutes=3), uow, REGION)
    assert names(uow) == ["match_proposed", "match_proposed"]

    await handlers.member_erased(erased(leaving, minutes=5), uow, REGION)
    assert names(uow)[2:] == ["proposal_cancelled", "proposal_cancelled", "match_proposed"]
    assert {p.reason for _, p in emitted(uow)[2:4]} == {"erased"}
    assert emitted(uow)[4][1].helper_id == other.payload.member_id
    gone = leaving.payload.member_id
    state = uow.state
    assert gone not in state.members
    assert all(gone not in (p.requester_id, p.helper_id) for p in state.proposals.values())
    assert all(r.member_id != gone for r in state.requests.values())
    assert all(o.member_id != gone for o in state.offers.values())

    # late events about the erased member are dropped, not retried
    await handlers.help_offered(offered(leaving, minutes=6), uow, REGION)
    await handlers.member_registered(leaving, uow, REGION)
    assert gone not in state.members and len(names(uow)) == 5


async def test_expiry_ends_unanswered_proposals_and_proposes_the_next_best() -> None:
    uow = FakeMatchingUnitOfWork()
    asker, first, second = registered(), registered(), registered("lochem")
    await setup(uow, asker, first, second)
    await handlers.help_offered(offered(first, minutes=1), uow, REGION)
    await handlers.help_offered(offered(second, minutes=1), uow, REGION)
    await handlers.help_requested(requested(asker, minutes=2), uow, REGION)

    assert await expire_due(lambda: uow, REGION, T0 + timedelta(days=13)) == 0
    assert await expire_due(lambda: uow, REGION, T0 + timedelta(days=15)) == 1
    assert names(uow) == ["match_proposed", "proposal_expired", "match_proposed"]
    assert emitted(uow)[2][1].helper_id == second.payload.member_id


async def test_profile_updates_keep_the_newest_and_late_events_of_the_erased_are_dropped() -> None:
    uow = FakeMatchingUnitOfWork()
    asker, helper = registered("laren"), registered("gorssel")
    moved = updated(helper, "laren", minutes=2)
    with pytest.raises(NotReadyYet):  # the update overtook the registration
        await handlers.member_updated(moved, uow)
    await setup(uow, asker, helper)
    await handlers.member_updated(moved, uow)
    stale = updated(helper, "epse", minutes=1)  # older than what is stored: ignored
    await handlers.member_updated(stale, uow)
    assert uow.state.members[helper.payload.member_id][0].home_area == "laren"

    await handlers.member_erased(erased(asker, minutes=5), uow, REGION)
    late = consent(asker, True, minutes=6)
    await handlers.consent_changed(late, uow, REGION)  # dropped: erased, no retry
    assert ("matching", late.event_id) in uow.inbox
