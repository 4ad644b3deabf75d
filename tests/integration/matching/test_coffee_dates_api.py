"""Coffee and tea dates through the real matching service: opting in over HTTP and NATS,
rounds on request and on the region's schedule, a ``CoffeeDatePaired`` for every
participant, nobody left out when the count is odd, and never the same pair twice."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from itertools import combinations
from typing import Any

import pytest

from dorp_matching.adapters.uow import PgMatchingUnitOfWork
from dorp_matching.bootstrap import DEFINITION
from dorp_matching.entrypoints.jobs import scheduled_coffee_round
from dorp_shared.contracts import MemberRegistered
from dorp_shared.contracts.events import MemberErased
from dorp_shared.settings import DorpSettings
from tests.integration.matching.test_lifecycle_api import matching_events
from tests.integration.matching.test_matching_service import Registration, all_handled
from tests.support.api import ApiClient, service_api
from tests.support.events import parent as member
from tests.support.services import eventually

pytestmark = pytest.mark.integration

SCHOOL = uuid.uuid4()


@pytest.fixture
async def api(settings: DorpSettings) -> AsyncIterator[ApiClient]:
    async with service_api(DEFINITION, settings) as client:
        yield client


async def known(api: ApiClient, *people: MemberRegistered) -> None:
    await Registration(api.nc.jetstream(), api.region).publish(*people)
    await eventually(lambda: all_handled(api.nc.jetstream(), api.region))


def dates_of(events: list[dict[str, Any]]) -> dict[str, set[str]]:
    """Each date's participants, from the one-per-participant events."""
    found: dict[str, set[str]] = {}
    for event in events:
        found.setdefault(event["date_id"], set()).add(event["member_id"])
    for event in events:  # each participant is told who the others are
        assert {*event["partner_ids"], event["member_id"]} == found[event["date_id"]]
    return found


def pairs(dates: dict[str, set[str]]) -> set[frozenset[str]]:
    return {frozenset(p) for people in dates.values() for p in combinations(sorted(people), 2)}


async def test_an_odd_school_is_paired_with_everyone_in_a_date_and_no_pair_ever_repeats(
    api: ApiClient,
) -> None:
    parents = [member("laren") for _ in range(5)]
    await known(api, *parents)
    for i, parent in enumerate(parents):
        body = {"member_id": str(parent.member_id), "school_organisation_id": str(SCHOOL)}
        if i % 2:  # the same command over NATS
            status, reply = await api.request("coffee_dates_opt_in", body)
            assert status == 200
        else:
            reply = await api.ok("coffee_dates_opt_in", body)
        assert reply["opted_in"] is True

    first = await api.ok("pair_coffee_dates", {}, key="round-1")
    assert (first["dates"], first["paired"], first["unpaired"]) == (2, 5, [])
    events = await eventually(lambda: _events(api, 5))
    dates = dates_of(events)
    assert sorted(len(people) for people in dates.values()) == [2, 3]
    assert set().union(*dates.values()) == {str(p.member_id) for p in parents}
    sample = events[0]
    assert sample["school_organisation_id"] == str(SCHOOL) and sample["home_area"] is None
    assert sample["explanation"].startswith("Een koffie- of theedate op school of in de buurt")
    assert "new_contact" in {reason["code"] for reason in sample["reasons"]}

    # the same key: the stored round, nothing new
    again = await api.ok("pair_coffee_dates", {}, key="round-1")
    assert again == first
    # next rounds: only pairs that never had a date
    seen = pairs(dates)
    for key in ("round-2", "round-3"):
        await api.ok("pair_coffee_dates", {}, key=key)
    everything = dates_of(await matching_events(api, "coffee_date_paired"))
    assert len(pairs(everything)) == sum(
        len(list(combinations(people, 2))) for people in everything.values()
    )  # no pair twice over all rounds
    assert seen <= pairs(everything)


async def test_opt_in_needs_a_known_consented_member_and_opt_out_leaves_the_rounds(
    api: ApiClient,
) -> None:
    a, b, no_consent = member("laren"), member("laren"), member("laren")
    refusing = no_consent.model_copy(
        update={"consents": no_consent.consents.model_copy(update={"matching": False})}
    )
    await known(api, a, b, refusing)
    stranger = await api.post("coffee_dates_opt_in", _area(uuid.uuid4()))
    assert stranger.status_code == 422 and stranger.json()["errors"][0]["field"] == "member_id"
    unwilling = await api.post("coffee_dates_opt_in", _area(refusing.member_id))
    assert unwilling.status_code == 422
    nowhere = await api.post("coffee_dates_opt_in", {"member_id": str(a.member_id)})
    assert nowhere.status_code == 422
    atlantis = await api.post("coffee_dates_opt_in", {**_area(a.member_id), "home_area": "x"})
    assert atlantis.status_code == 422 and "laren" in atlantis.json()["errors"][0]["allowed"]

    for parent in (a, b):
        await api.ok("coffee_dates_opt_in", _area(parent.member_id))
    await api.ok("coffee_dates_opt_out", {"member_id": str(b.member_id)})
    alone = await api.ok("pair_coffee_dates", {})
    assert (alone["dates"], alone["paired"], alone["unpaired"]) == (0, 0, [str(a.member_id)])


async def test_the_schedule_runs_a_round_when_due_and_erasure_removes_the_member(
    api: ApiClient,
) -> None:
    parents = [member("lochem") for _ in range(4)]
    await known(api, *parents)
    for parent in parents:
        await api.ok("coffee_dates_opt_in", _area(parent.member_id, "lochem"))
    runtime = api.runtime
    days = runtime.region.matching.coffee_date_round_days

    def uow() -> PgMatchingUnitOfWork:
        return runtime.uow(PgMatchingUnitOfWork)

    now = datetime.now(UTC)
    assert await scheduled_coffee_round(uow, runtime.region, now) == 0  # not due yet
    later = now + timedelta(days=days, minutes=1)
    assert await scheduled_coffee_round(uow, runtime.region, later) == 2
    assert await scheduled_coffee_round(uow, runtime.region, later) == 0  # just ran
    await eventually(lambda: _events(api, 4))

    gone = parents[0]
    await Registration(api.nc.jetstream(), api.region).publish(
        MemberErased(member_id=gone.member_id, reason="request", erased_at=now)
    )
    await eventually(lambda: all_handled(api.nc.jetstream(), api.region))
    pool = runtime.pool
    assert (
        await pool.fetchval(
            "SELECT count(*) FROM coffee_pairs WHERE $1 IN (member_a, member_b)", gone.member_id
        )
        == 0
    )
    assert (
        await pool.fetchval(
            "SELECT count(*) FROM coffee_dates WHERE $1 = ANY(member_ids)", gone.member_id
        )
        == 0
    )
    assert await pool.fetchval("SELECT count(*) FROM coffee_opt_ins") == 3


def _area(member_id: uuid.UUID, area: str = "laren") -> dict[str, str]:
    return {"member_id": str(member_id), "home_area": area}


async def _events(api: ApiClient, count: int) -> list[dict[str, Any]]:
    found = await matching_events(api, "coffee_date_paired")
    return found if len(found) >= count else []
