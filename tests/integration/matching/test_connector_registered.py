"""A parent whom a connector (aanjager) registered on their behalf has no internet: their
request's proposal goes to that connector's review queue first, even in a region whose
proposals otherwise go straight to the parents. Through the real matching service."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from dorp_matching.bootstrap import DEFINITION
from dorp_shared.contracts import MemberRegistered
from dorp_shared.settings import DorpSettings
from tests.integration.matching.test_connector_api import connector, review
from tests.integration.matching.test_lifecycle_api import published
from tests.integration.matching.test_matching_service import Registration
from tests.support.api import ApiClient, service_api
from tests.support.events import asks, offers
from tests.support.events import parent as member

pytestmark = pytest.mark.integration


@pytest.fixture
async def api(settings: DorpSettings) -> AsyncIterator[ApiClient]:
    """The default test region: no connector review (as Zwolle and Antwerpen)."""
    async with service_api(DEFINITION, settings) as client:
        yield client


def registered_by(aanjager: MemberRegistered) -> MemberRegistered:
    """A parent without internet, registered by this connector."""
    return member("laren").model_copy(
        update={"registered_by": "connector", "connector_id": aanjager.member_id}
    )


async def test_a_connector_registered_parents_request_goes_to_that_connector_first(
    api: ApiClient,
) -> None:
    registration = Registration(api.nc.jetstream(), api.region)
    theirs, other = connector(), connector("lochem")
    offline, online, helper = registered_by(theirs), member("laren"), member("laren")
    await registration.publish(theirs, other, offline, online, helper, offers(helper, 2))

    # a parent who registered themselves: straight to the parents, as the region wants
    await registration.publish(asks(online))
    [direct] = await published(api, "match_proposed", 1)
    assert (direct["requester_id"], direct["needs_connector_review"]) == (
        str(online.member_id),
        False,
    )

    # the connector's parent: into that connector's queue, not another's
    await registration.publish(asks(offline))
    [_, held] = await published(api, "match_proposed", 2)
    assert held["requester_id"] == str(offline.member_id)
    assert held["needs_connector_review"] is True
    assert held["reviewer_id"] == str(theirs.member_id)
    shown = await api.ok("get_proposal", {"proposal_id": held["proposal_id"]})
    assert (shown["status"], shown["answer_before"]) == ("awaiting_review", None)
    mine = await api.ok("connector_queue", {"connector_id": str(theirs.member_id)})
    assert [p["proposal_id"] for p in mine["proposals"]] == [held["proposal_id"]]
    not_mine = await api.ok("connector_queue", {"connector_id": str(other.member_id)})
    assert not_mine["proposals"] == []
    by_other = await api.post("review_proposal", review(held, other, "approve"))
    assert by_other.status_code == 422
    assert by_other.json()["errors"][0]["field"] == "connector_id"

    # their approval: now the parents are asked, with the answer deadline
    approved = await api.ok("review_proposal", review(held, theirs, "approve"))
    assert approved["reviewed"]["status"] == "proposed"
    assert approved["reviewed"]["answer_before"] is not None
    [event] = await published(api, "proposal_approved", 1)
    assert event["connector_id"] == str(theirs.member_id)
    assert (await api.ok("connector_queue", {"connector_id": str(theirs.member_id)}))[
        "proposals"
    ] == []
