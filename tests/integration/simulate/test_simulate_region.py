"""``dorp simulate`` against a running registration and matching: everything valid is accepted
through the public interfaces (partner subjects, both HTTP APIs), every invalid partner event is
rejected and dead-lettered, and a second run with the same seed registers nothing twice."""

from __future__ import annotations

import asyncpg
import httpx
import pytest
from nats.js import JetStreamContext

from dorp_cli.simulate.command import discover_api_urls
from dorp_cli.simulate.runner import PublicInterfaces, Summary, run_plan
from dorp_cli.simulate.year import plan_year
from dorp_matching.bootstrap import DEFINITION as MATCHING
from dorp_registration.bootstrap import DEFINITION as REGISTRATION
from dorp_shared.contracts.subjects import stream_name
from dorp_shared.messaging import wait_for_stream_messages
from dorp_shared.regions import load_region
from dorp_shared.settings import DorpSettings
from tests.support.services import nats_client, running_service

pytestmark = pytest.mark.integration

SCALE = 0.15


async def _simulate(settings: DorpSettings, seed: int) -> Summary:
    region = load_region(settings.region, settings.regions_dir)
    plan = plan_year(region, 2026, SCALE, seed)
    async with nats_client(settings.nats_url or "") as nc, httpx.AsyncClient() as http:
        urls = await discover_api_urls(nc, region.id)
        return await run_plan(plan, PublicInterfaces(nc, region.id, http, urls), concurrency=8)


async def test_a_simulated_year_goes_in_whole_and_only_once(settings: DorpSettings) -> None:
    region = load_region(settings.region, settings.regions_dir)
    planned = plan_year(region, 2026, SCALE, seed=11).tally()
    invalid = sum(n for (_, expect), n in planned.items() if expect == "rejected")
    registrations = sum(
        n
        for (name, expect), n in planned.items()
        if name in ("member_registration", "register_member") and expect == "accepted"
    )
    assert invalid > 0, "the plan holds invalid partner events"

    async with running_service(REGISTRATION, settings), running_service(MATCHING, settings):
        first = await _simulate(settings, seed=11)
        assert first.unexpected == 0, first.surprises
        assert first.total("skipped") == 0, first.surprises
        assert first.total("rejected") == invalid
        assert first.total("accepted") == sum(
            n for (_, expect), n in planned.items() if expect == "accepted"
        )

        async with nats_client(settings.nats_url or "") as nc:
            js: JetStreamContext = nc.jetstream()
            letters = stream_name(region.id, "deadletter")
            assert await wait_for_stream_messages(js, letters, invalid, 15) == invalid

        again = await _simulate(settings, seed=11)
        # Members erased in the first run stay erased: their records are refused, and what
        # hangs on them cannot be sent. Nothing else may differ from the first run.
        erased = planned[("erase_member", "accepted")]
        assert again.counts[("member_registration", "unexpected rejected")] <= erased
        assert again.counts[("register_member", "unexpected rejected")] == 0
        for surprise in again.surprises:
            assert any(why in surprise for why in ("erased_member", "unknown_member", "no ")), (
                surprise
            )

    db = await asyncpg.connect(settings.database_url)
    try:
        members = await db.fetchval("SELECT count(*) FROM registration.members")
        quotes = await db.fetchval("SELECT count(*) FROM registration.quotes")
        coffee = await db.fetchval("SELECT count(*) FROM matching.coffee_opt_ins")
        sessions = await db.fetchval("SELECT count(*) FROM registration.activity_sessions")
        tables = await db.fetchval("SELECT count(*) FROM registration.dialogue_tables")
    finally:
        await db.close()
    assert members == registrations, "a second run with the same seed registers nobody twice"
    assert quotes == planned[("record_quote", "accepted")]
    assert sessions == planned[("schedule_session", "accepted")]
    assert tables == planned[("open_dialogue_table", "accepted")]
    # Matching forgets the opt-in of a member who is erased later in the year.
    opted = planned[("coffee_dates_opt_in", "accepted")]
    assert opted > 0
    assert opted - erased <= coffee <= opted
