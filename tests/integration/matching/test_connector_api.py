"""A connector (aanjager) in the loop, through the real matching service in a region that
wants proposals reviewed first: the review queue, approve, reject into the next best,
change to another offer, and introductions by hand that still keep the protective rules."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from dorp_matching.bootstrap import DEFINITION
from dorp_shared.contracts import MemberRegistered
from dorp_shared.contracts.events import Consents
from dorp_shared.settings import DorpSettings
from tests.integration.matching.test_lifecycle_api import answer, published
from tests.integration.matching.test_matching_service import Registration, all_handled
from tests.support.api import ApiClient, service_api
from tests.support.events import asks, offers
from tests.support.events import parent as member
from tests.support.infra import write_test_region
from tests.support.services import eventually

pytestmark = pytest.mark.integration


@pytest.fixture
def region_id(regions_dir: Path) -> str:
    """A copy of Lochem where a connector reviews every proposal first."""
    return write_test_region(regions_dir, connector_review=True)


@pytest.fixture
async def api(settings: DorpSettings) -> AsyncIterator[ApiClient]:
    async with service_api(DEFINITION, settings) as client:
        yield client


def connector(area: str = "laren") -> MemberRegistered:
    return member(area).model_copy(update={"role": "connector"})


def review(proposal: dict[str, Any], who: MemberRegistered, decision: str) -> dict[str, Any]:
    return {
        "proposal_id": proposal["proposal_id"],
        "connector_id": str(who.member_id),
        "decision": decision,
    }


async def settled(api: ApiClient) -> None:
    await eventually(lambda: all_handled(api.nc.jetstream(), api.region))


async def test_a_connector_reviews_proposals_before_the_parents_are_asked(
    api: ApiClient,
) -> None:
    registration = Registration(api.nc.jetstream(), api.region)
    aanjager, asker, near, further = connector(), member("laren"), member("laren"), member("lochem")
    await registration.publish(aanjager, asker, near, further, offers(near), offers(further))
    await registration.publish(asks(asker))
    [first] = await published(api, "match_proposed", 1)
    assert first["needs_connector_review"] is True and first["helper_id"] == str(near.member_id)

    # waiting for review: no deadline yet, and the parents cannot answer it
    shown = await api.ok("get_proposal", {"proposal_id": first["proposal_id"]})
    assert (shown["status"], shown["answer_before"]) == ("awaiting_review", None)
    early = await api.post("respond_to_proposal", answer(first, "requester_id", "accept"))
    assert early.status_code == 409

    # the queue: only for connectors, of a known area, with reasons and the sentence
    parent = await api.post("connector_queue", {"connector_id": str(asker.member_id)})
    assert parent.status_code == 422 and parent.json()["errors"][0]["field"] == "connector_id"
    nowhere = {"connector_id": str(aanjager.member_id), "home_area": "atlantis"}
    wrong_area = await api.post("connector_queue", nowhere)
    assert wrong_area.status_code == 422
    [error] = wrong_area.json()["errors"]
    assert error["field"] == "home_area" and "laren" in error["allowed"]
    queue = await api.ok("connector_queue", {"connector_id": str(aanjager.member_id)})
    [queued] = queue["proposals"]
    assert queued["proposal_id"] == first["proposal_id"]
    assert queued["explanation"].startswith("Beide in Laren")
    assert "same_area" in {reason["code"] for reason in queued["reasons"]}
    elsewhere = {"connector_id": str(aanjager.member_id), "home_area": "lochem"}
    assert (await api.ok("connector_queue", elsewhere))["proposals"] == []

    # a parent cannot review; rejecting (over NATS) puts the next best up for review
    by_parent = await api.post("review_proposal", review(first, near, "approve"))
    assert by_parent.status_code == 422
    status, outcome = await api.request("review_proposal", review(first, aanjager, "reject"))
    assert status == 200 and outcome["reviewed"]["status"] == "rejected"
    following = outcome["next"]
    assert (following["helper_id"], following["status"]) == (
        str(further.member_id),
        "awaiting_review",
    )
    [rejected] = await published(api, "proposal_rejected", 1)
    assert rejected["connector_id"] == str(aanjager.member_id)

    # approving sends it to the parents, with their deadline; then the normal lifecycle
    approved = await api.ok("review_proposal", review(following, aanjager, "approve"))
    assert approved["reviewed"]["status"] == "proposed"
    assert approved["reviewed"]["answer_before"] is not None
    [event] = await published(api, "proposal_approved", 1)
    assert event == {
        "type": "matching.proposal_approved",
        "proposal_id": following["proposal_id"],
        "connector_id": str(aanjager.member_id),
    }
    again = await api.post("review_proposal", review(following, aanjager, "approve"))
    assert again.status_code == 409
    unknown = {**review(following, aanjager, "approve"), "proposal_id": str(aanjager.member_id)}
    assert (await api.post("review_proposal", unknown)).status_code == 404
    await api.ok("respond_to_proposal", answer(following, "requester_id", "accept"))
    both = await api.ok("respond_to_proposal", answer(following, "helper_id", "accept"))
    assert both["status"] == "confirmed"
    queue = await api.ok("connector_queue", {"connector_id": str(aanjager.member_id)})
    assert queue["proposals"] == []


async def test_a_connector_changes_a_pairing_and_introduces_by_hand_within_the_rules(
    api: ApiClient,
) -> None:
    registration = Registration(api.nc.jetstream(), api.region)
    aanjager, asker, near, further = connector(), member("laren"), member("laren"), member("lochem")
    further_offer = offers(further)
    await registration.publish(aanjager, asker, near, further, offers(near), further_offer)
    await registration.publish(asks(asker))
    [first] = await published(api, "match_proposed", 1)

    # change: another offer for the same request, proposed straight to the parents
    no_offer = await api.post("review_proposal", review(first, aanjager, "change"))
    assert no_offer.status_code == 422 and no_offer.json()["errors"][0]["field"] == "offer_id"
    change = {**review(first, aanjager, "change"), "offer_id": str(further_offer.offer_id)}
    changed = await api.ok("review_proposal", change)
    assert changed["reviewed"]["status"] == "cancelled"
    mine = changed["next"]
    assert (mine["helper_id"], mine["status"]) == (str(further.member_id), "proposed")
    assert mine["reasons"][-1]["code"] == "connector_change"
    [_, proposed] = await published(api, "match_proposed", 2)
    assert proposed["needs_connector_review"] is False
    assert proposed["connector_id"] == str(aanjager.member_id)
    [event] = await published(api, "proposal_changed", 1)
    assert (event["new_proposal_id"], event["offer_id"]) == (
        mine["proposal_id"],
        str(further_offer.offer_id),
    )

    # introductions across kernen too far apart for the matcher (eefde, barchem)
    loner, faraway = member("eefde"), member("barchem")
    unwilling: MemberRegistered = member("barchem").model_copy(
        update={"consents": Consents(matching=False, notifications=True)}
    )
    request, far_offer, other_far_offer = asks(loner), offers(faraway), offers(faraway)
    unwilling_offer = offers(unwilling)
    await registration.publish(loner, faraway, unwilling, far_offer, unwilling_offer, request)
    await settled(api)
    assert (await api.ok("list_proposals", {"member_id": str(loner.member_id)}))["proposals"] == []

    def introduction(by: MemberRegistered, offered: Any) -> dict[str, Any]:
        return {
            "connector_id": str(by.member_id),
            "request_id": str(request.request_id),
            "offer_id": str(offered.offer_id),
        }

    for body, field in (
        (introduction(loner, far_offer), "connector_id"),
        (introduction(aanjager, unwilling_offer), "offer_id"),
    ):
        refused = await api.post("introduce", body)
        assert refused.status_code == 422, refused.text
        assert refused.json()["errors"][0]["field"] == field
    status, made = await api.request("introduce", introduction(aanjager, far_offer))
    assert status == 200, made
    assert (made["status"], made["helper_id"]) == ("proposed", str(faraway.member_id))
    assert made["reasons"][-1]["code"] == "connector_introduction" and made["explanation"]
    twice = await api.post("introduce", introduction(aanjager, far_offer))
    assert twice.status_code == 409

    # once declined, never introduced again: not even with another offer of the same helper
    await api.ok("respond_to_proposal", answer(made, "helper_id", "decline"))
    await registration.publish(other_far_offer)
    await settled(api)
    declined = await api.post("introduce", introduction(aanjager, other_far_offer))
    assert declined.status_code == 422
    [error] = declined.json()["errors"]
    assert error["field"] == "offer_id" and "declined" in error["message"]
