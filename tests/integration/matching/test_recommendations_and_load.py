"""Through the real matching service: sessions of existing initiatives recommended to new
members and to requests an activity serves better (never a full session), the helper's
capacity over all their offers, and the connector's review deadline raised once."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from dorp_matching.adapters.uow import PgMatchingUnitOfWork
from dorp_matching.bootstrap import DEFINITION
from dorp_matching.entrypoints.jobs import remind_overdue_reviews
from dorp_shared.contracts import HelpRequested
from dorp_shared.contracts.events import (
    InitiativeRegistered,
    SessionCancelled,
    SessionScheduled,
    SignedUp,
    SignUpCancelled,
)
from dorp_shared.settings import DorpSettings
from tests.integration.matching.test_lifecycle_api import matching_events, published
from tests.integration.matching.test_matching_service import Registration, all_handled
from tests.support.api import ApiClient, service_api
from tests.support.events import asks, offers
from tests.support.events import parent as member
from tests.support.infra import write_test_region
from tests.support.services import all_published, eventually

pytestmark = pytest.mark.integration


@pytest.fixture
async def api(settings: DorpSettings) -> AsyncIterator[ApiClient]:
    async with service_api(DEFINITION, settings) as client:
        yield client


def initiative(kind: str = "parent_cafe", name: str = "De Huiskamer") -> InitiativeRegistered:
    return InitiativeRegistered(
        initiative_id=uuid.uuid4(),
        initiative_name=name,
        kind=kind,
        home_area="laren",
        languages=("nl",),
    )


def session(of: InitiativeRegistered, capacity: int | None = 10) -> SessionScheduled:
    starts = datetime.now(UTC) + timedelta(days=10)
    return SessionScheduled(
        session_id=uuid.uuid4(),
        initiative_id=of.initiative_id,
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        place="Dorpshuis Laren",
        home_area="laren",
        capacity=capacity,
    )


async def test_new_members_get_sessions_with_places_left_whatever_the_event_order(
    api: ApiClient,
) -> None:
    registration = Registration(api.nc.jetstream(), api.region)
    cafe, walk, gone = initiative(), initiative("walk", "Wandelen"), initiative("workshop")
    full, open_cafe, cancelled = session(cafe, capacity=1), session(walk), session(gone)
    someone = member("laren")
    taken = SignedUp(member_id=someone.member_id, session_id=full.session_id, status="confirmed")
    # the sign-up and the cancellation arrive before their sessions, the session before its
    # initiative, and everything twice
    early = (taken, SessionCancelled(session_id=cancelled.session_id), open_cafe, full)
    await registration.publish(*early, *early, cancelled, cafe, walk, gone, cafe)
    newcomer = member("laren")
    await registration.publish(someone, newcomer)
    told = {e["member_id"]: e for e in await published(api, "sessions_recommended", 2)}
    assert told.keys() == {str(someone.member_id), str(newcomer.member_id)}
    for event in told.values():
        assert event["trigger"] == "new_member"
        [only] = event["sessions"]  # not the full one, not the cancelled one
        assert (only["session_id"], only["places_left"]) == (str(open_cafe.session_id), 10)
        assert only["explanation"].startswith("Wandelen in Laren")
    # once the sign-up is cancelled the place is free again; asking again tells nobody twice
    cancel = SignUpCancelled(member_id=someone.member_id, session_id=full.session_id)
    await registration.publish(cancel)
    await eventually(lambda: all_handled(api.nc.jetstream(), api.region))
    asked = await api.ok("recommend_sessions", {"member_id": str(newcomer.member_id)})
    assert asked["new"] is False
    assert {s["initiative_name"] for s in asked["sessions"]} == {"De Huiskamer", "Wandelen"}
    assert len(await matching_events(api, "sessions_recommended")) == 2


async def test_a_request_an_activity_serves_better_gets_its_sessions_beside_a_helper(
    api: ApiClient,
) -> None:
    registration = Registration(api.nc.jetstream(), api.region)
    language = initiative("language_group", "Taalcafé")
    await registration.publish(language, session(language))
    asker, helper = member("laren"), member("laren")
    await registration.publish(asker, helper)
    wants: HelpRequested = asks(asker).model_copy(update={"kind": "language_help"})
    gives = offers(helper).model_copy(update={"kind": "language_help"})
    await registration.publish(gives, wants)
    [proposal] = await published(api, "match_proposed", 1)
    assert proposal["request_id"] == str(wants.request_id)
    told = [e for e in await published(api, "sessions_recommended", 2) if e["trigger"] == "request"]
    [for_request] = told
    assert for_request["request_id"] == str(wants.request_id)
    assert [s["initiative_name"] for s in for_request["sessions"]] == ["Taalcafé"]
    reasons = {r["code"] for r in for_request["sessions"][0]["reasons"]}
    assert "serves_request" in reasons


async def test_a_helper_never_gets_more_than_the_regions_capacity_over_all_offers(
    api: ApiClient,
) -> None:
    registration = Registration(api.nc.jetstream(), api.region)
    cap = api.runtime.region.matching.helper_capacity
    helper = member("laren")
    helper_offers = [offers(helper).model_copy(update={"capacity": 2}) for _ in range(2)]
    askers = [member("laren") for _ in range(cap + 2)]
    await registration.publish(helper, *helper_offers, *askers)
    await registration.publish(*(asks(a) for a in askers))
    await eventually(lambda: all_handled(api.nc.jetstream(), api.region))
    await eventually(lambda: all_published(api.runtime))
    proposals = await matching_events(api, "match_proposed")
    assert cap == 3 and len(proposals) == cap  # 4 places on offer, but the helper helps 3
    assert {p["helper_id"] for p in proposals} == {str(helper.member_id)}
    # a second helper takes the others
    other = member("laren")
    await registration.publish(other, offers(other).model_copy(update={"capacity": 5}))
    found = await published(api, "match_proposed", cap + 2)
    assert [p["helper_id"] for p in found[cap:]] == [str(other.member_id)] * 2


@pytest.fixture
def reviewed_region(regions_dir: Path) -> str:
    return write_test_region(regions_dir, connector_review=True)


async def test_a_proposal_waiting_too_long_for_review_reminds_the_connectors_once(
    settings: DorpSettings, reviewed_region: str
) -> None:
    reviewed = settings.model_copy(update={"region": reviewed_region})
    async with service_api(DEFINITION, reviewed) as api:
        registration = Registration(api.nc.jetstream(), api.region)
        aanjager = member("laren").model_copy(update={"role": "connector"})
        asker, helper = member("laren"), member("laren")
        await registration.publish(aanjager, asker, helper, offers(helper), asks(asker))
        [proposal] = await published(api, "match_proposed", 1)
        assert proposal["needs_connector_review"] is True
        runtime = api.runtime
        hours = runtime.region.matching.connector_review_hours

        def uow() -> PgMatchingUnitOfWork:
            return runtime.uow(PgMatchingUnitOfWork)

        now = datetime.now(UTC)
        assert await remind_overdue_reviews(uow, runtime.region, now) == 0  # still in time
        late = now + timedelta(hours=hours, minutes=1)
        assert await remind_overdue_reviews(uow, runtime.region, late) == 1
        assert await remind_overdue_reviews(uow, runtime.region, late + timedelta(hours=5)) == 0
        [overdue] = await published(api, "proposal_review_overdue", 1)
        assert overdue["proposal_id"] == proposal["proposal_id"]
        assert overdue["connector_ids"] == [str(aanjager.member_id)]
        assert overdue["review_hours"] == hours
        await eventually(lambda: all_handled(api.nc.jetstream(), api.region))
        assert len(await matching_events(api, "proposal_review_overdue")) == 1
