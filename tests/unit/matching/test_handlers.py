"""The use cases against in-memory repositories: storing, proposing, idempotency, order."""

from __future__ import annotations

import uuid

import pytest

from dorp_matching import handlers
from dorp_shared.contracts import MatchProposed
from dorp_shared.errors import NotReadyYet
from tests.unit.matching.builders import lochem, offered, registered, requested
from tests.unit.matching.fakes import FakeMatchingUnitOfWork

REGION = lochem()


def proposals(uow: FakeMatchingUnitOfWork) -> list[MatchProposed]:
    return [MatchProposed.model_validate(e.payload.model_dump()) for e in uow.emitted]


async def test_request_meets_existing_offer_in_same_kern() -> None:
    uow = FakeMatchingUnitOfWork()
    parent_a, parent_b = registered("laren"), registered("laren")
    offer = offered(parent_b)
    await handlers.member_registered(parent_a, uow, REGION)
    await handlers.member_registered(parent_b, uow, REGION)
    await handlers.help_offered(offer, uow, REGION)
    ask = requested(parent_a, minutes=2)
    await handlers.help_requested(ask, uow, REGION)

    [match] = proposals(uow)
    assert (match.request_id, match.offer_id) == (ask.payload.request_id, offer.payload.offer_id)
    assert (match.requester_id, match.helper_id) == (
        parent_a.payload.member_id,
        parent_b.payload.member_id,
    )
    assert match.home_area == "laren" and match.needs_connector_review is False
    assert match.explanation == (
        "Beide in Laren; jullie spreken allebei Nederlands; oppas voor 1-4 jaar."
    )
    assert uow.emitted[0].causation_id == ask.event_id


async def test_offer_arriving_later_serves_the_waiting_request() -> None:
    uow = FakeMatchingUnitOfWork()
    parent_a, parent_b = registered("lochem"), registered("barchem")
    for member in (parent_a, parent_b):
        await handlers.member_registered(member, uow, REGION)
    ask = requested(parent_a)
    await handlers.help_requested(ask, uow, REGION)
    assert proposals(uow) == []
    await handlers.help_offered(offered(parent_b, minutes=3), uow, REGION)
    [match] = proposals(uow)
    assert match.request_id == ask.payload.request_id
    assert match.explanation.startswith("Lochem en Barchem liggen naast elkaar")


async def test_redelivery_and_replay_with_new_event_ids_propose_once() -> None:
    uow = FakeMatchingUnitOfWork()
    parent_a, parent_b = registered(), registered()
    offer, ask = offered(parent_b), requested(parent_a, minutes=2)
    for _ in range(2):
        await handlers.member_registered(parent_a, uow, REGION)
        await handlers.member_registered(parent_b, uow, REGION)
        await handlers.help_offered(offer, uow, REGION)
        await handlers.help_requested(ask, uow, REGION)
    # the demo run a second time: same data, fresh envelopes
    again = ask.model_copy(update={"event_id": uuid.uuid4()})
    await handlers.help_requested(again, uow, REGION)
    assert len(proposals(uow)) == 1


async def test_request_before_its_member_is_not_ready_and_leaves_no_trace() -> None:
    uow = FakeMatchingUnitOfWork()
    parent_a, parent_b = registered(), registered()
    ask = requested(parent_a)
    with pytest.raises(NotReadyYet):
        await handlers.help_requested(ask, uow, REGION)
    assert uow.state.requests == {} and uow.inbox == set()

    await handlers.member_registered(parent_b, uow, REGION)
    await handlers.help_offered(offered(parent_b), uow, REGION)
    await handlers.member_registered(parent_a, uow, REGION)
    await handlers.help_requested(ask, uow, REGION)  # the redelivery
    [match] = proposals(uow)
    assert match.requester_id == parent_a.payload.member_id


async def test_withdrawn_consent_stops_matching() -> None:
    uow = FakeMatchingUnitOfWork()
    parent_a, parent_b = registered(), registered()
    no_matching = parent_b.payload.consents.model_copy(update={"matching": False})
    withdrawn = parent_b.model_copy(
        update={
            "event_id": uuid.uuid4(),
            "occurred_at": parent_b.occurred_at.replace(hour=10),
            "payload": parent_b.payload.model_copy(update={"consents": no_matching}),
        }
    )
    for event in (parent_a, parent_b, withdrawn):
        await handlers.member_registered(event, uow, REGION)
    await handlers.help_offered(offered(parent_b, minutes=90), uow, REGION)
    await handlers.help_requested(requested(parent_a, minutes=91), uow, REGION)
    assert proposals(uow) == []
