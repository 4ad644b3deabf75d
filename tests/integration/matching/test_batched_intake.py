"""Batched intake on real PostgreSQL (and, for the last test, the running service): a run
of requests matched in one unit of work proposes exactly what one request at a time
would, never more proposals than an offer has slots, and a replayed run changes nothing."""

from __future__ import annotations

import random
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest

from dorp_matching import handlers
from dorp_matching.adapters.uow import PgMatchingUnitOfWork
from dorp_matching.bootstrap import DEFINITION
from dorp_matching.intake import help_requested_many
from dorp_shared.contracts import Envelope, HelpOffered, HelpRequested, MemberRegistered, wrap
from dorp_shared.contracts.events import HelpWithdrawn
from dorp_shared.errors import NotReadyYet
from dorp_shared.service import Runtime
from dorp_shared.settings import DorpSettings
from tests.integration.matching.test_lifecycle_api import published
from tests.integration.matching.test_matching_service import Registration, all_handled
from tests.support.api import ApiClient, service_api
from tests.support.events import asks, offers
from tests.support.events import parent as member
from tests.support.services import eventually

pytestmark = pytest.mark.integration

AREAS = ("laren", "lochem", "barchem")


@pytest.fixture
async def api(settings: DorpSettings) -> AsyncIterator[ApiClient]:
    async with service_api(DEFINITION, settings) as client:
        yield client


def _uow(runtime: Runtime) -> PgMatchingUnitOfWork:
    return runtime.uow(PgMatchingUnitOfWork)


def _wrap(runtime: Runtime, payload: Any) -> Envelope[Any]:
    return wrap(payload, region=runtime.region.id, source="registration")


async def _store(runtime: Runtime, *payloads: MemberRegistered | HelpOffered) -> None:
    """Members and offers straight through the handlers (not via NATS)."""
    for payload in payloads:
        event = _wrap(runtime, payload)
        if isinstance(payload, MemberRegistered):
            await handlers.member_registered(event, _uow(runtime), runtime.region)
        else:
            await handlers.help_offered(event, _uow(runtime), runtime.region)


async def _pairs(runtime: Runtime, kind: str) -> dict[uuid.UUID, uuid.UUID]:
    async with runtime.pool.acquire() as conn:
        rows = await conn.fetch(
            "SELECT request_id, offer_id FROM matching.proposals WHERE kind = $1", kind
        )
    return {row["request_id"]: row["offer_id"] for row in rows}


class Scenario:
    """The same day twice, in two help kinds that share nothing (other helpers, other
    askers): scarce offers of varying capacity and language in three areas, and more
    requests than slots, some in Arabic (their own language slice)."""

    def __init__(self, seed: int) -> None:
        rng = random.Random(seed)
        self.helper_areas = [rng.choice(AREAS) for _ in range(8)]
        self.capacities = [rng.choice((1, 1, 2)) for _ in self.helper_areas]
        self.asker_areas = [rng.choice(AREAS) for _ in range(20)]
        self.arabic = {i for i in range(len(self.asker_areas)) if rng.random() < 0.3}

    def day(
        self, kind: str
    ) -> tuple[list[MemberRegistered], list[HelpOffered], list[HelpRequested]]:
        """Fresh people, their offers and requests of ``kind``."""
        helpers = [member(area) for area in self.helper_areas]
        helpers = [
            h.model_copy(update={"languages": ("nl", "ar")}) if i % 3 == 0 else h
            for i, h in enumerate(helpers)
        ]
        askers = [member(area) for area in self.asker_areas]
        offered = [
            offers(h, capacity).model_copy(update={"kind": kind})
            for h, capacity in zip(helpers, self.capacities, strict=True)
        ]
        requested = [
            asks(a).model_copy(
                update={"kind": kind, "languages": ("ar",) if i in self.arabic else ("nl",)}
            )
            for i, a in enumerate(askers)
        ]
        return [*helpers, *askers], offered, requested


async def _day(runtime: Runtime, scenario: Scenario, kind: str, *, batched: bool) -> dict[int, int]:
    """Which request (by index) got which offer (by index)."""
    people, offered, requested = scenario.day(kind)
    await _store(runtime, *people, *offered)
    events = [_wrap(runtime, r) for r in requested]
    if batched:
        outcomes = await help_requested_many(events, _uow(runtime), runtime.region)
        assert outcomes == [None] * len(events)
    else:
        for event in events:
            await handlers.help_requested(event, _uow(runtime), runtime.region)
    offer_index = {o.offer_id: i for i, o in enumerate(offered)}
    pairs = await _pairs(runtime, kind)
    return {
        i: offer_index[pairs[r.request_id]]
        for i, r in enumerate(requested)
        if r.request_id in pairs
    }


async def test_a_run_proposes_what_one_request_at_a_time_would(api: ApiClient) -> None:
    for seed in (7, 8, 9):
        scenario = Scenario(seed)
        one_at_a_time = await _day(api.runtime, scenario, "babysitting", batched=False)
        in_one_run = await _day(api.runtime, scenario, "walk_and_talk", batched=True)
        assert in_one_run == one_at_a_time
        assert 0 < len(in_one_run) <= sum(scenario.capacities) < len(scenario.asker_areas)
        await _forget(api.runtime)


async def _forget(runtime: Runtime) -> None:
    async with runtime.pool.acquire() as conn:
        await conn.execute("DELETE FROM matching.proposals")
        await conn.execute("DELETE FROM matching.requests")
        await conn.execute("DELETE FROM matching.offers")


async def test_a_run_for_one_scarce_offer_gives_one_proposal_per_slot_and_replays_nothing(
    api: ApiClient,
) -> None:
    runtime = api.runtime
    helper, askers = member("laren"), [member("laren") for _ in range(6)]
    scarce = offers(helper, capacity=2)
    await _store(runtime, helper, *askers, scarce)
    stranger = member("laren")  # not known yet: retried, the others are matched
    events = [_wrap(runtime, asks(who)) for who in (*askers, stranger)]
    outcomes = await help_requested_many(events, _uow(runtime), runtime.region)
    assert all(o is None for o in outcomes[:-1])
    assert isinstance(outcomes[-1], NotReadyYet)
    pairs = await _pairs(runtime, "babysitting")
    assert list(pairs.values()) == [scarce.offer_id] * 2
    assert set(pairs) == {events[0].payload.request_id, events[1].payload.request_id}

    again = await help_requested_many(events[:-1], _uow(runtime), runtime.region)
    assert again == [None] * len(askers)
    assert await _pairs(runtime, "babysitting") == pairs
    proposed = await published(api, "match_proposed", 2)
    assert len(proposed) == 2 and all(p["explanation"] for p in proposed)


async def test_requests_around_a_withdrawn_offer_never_get_it(api: ApiClient) -> None:
    """Through the service: requests, a withdrawal of the offer they compete for, and more
    requests, published at once so that they arrive in one fetch."""
    registration = Registration(api.nc.jetstream(), api.region)
    helper, other = member("laren"), member("laren")
    askers = [member("laren") for _ in range(6)]
    withdrawn, kept = offers(helper, capacity=3), offers(other, capacity=1)
    await registration.publish(helper, other, *askers, withdrawn, kept)
    await eventually(lambda: all_handled(api.nc.jetstream(), api.region))
    before, after = [asks(a) for a in askers[:3]], [asks(a) for a in askers[3:]]
    withdrawal = HelpWithdrawn(help_id=withdrawn.offer_id, side="offer", member_id=helper.member_id)
    await registration.publish(*before, withdrawal, *after)
    await eventually(lambda: all_handled(api.nc.jetstream(), api.region))
    async with api.runtime.pool.acquire() as conn:
        rows = await conn.fetch("SELECT request_id, offer_id, status FROM matching.proposals")
    active = {r["request_id"]: r["offer_id"] for r in rows if r["status"] == "proposed"}
    assert list(active.values()) == [kept.offer_id]  # the withdrawn offer holds none
    on_withdrawn = [r for r in rows if r["offer_id"] == withdrawn.offer_id]
    assert on_withdrawn and {r["status"] for r in on_withdrawn} == {"cancelled"}
    assert {r["request_id"] for r in on_withdrawn} <= {r.request_id for r in before}
