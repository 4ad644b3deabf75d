"""Every region's simulated year, as ``dorp demo --simulate-year`` sends it, at a tiny scale:
the programme of the region file first (as the demo registers it), then the year through the
public interfaces. Everything planned is accepted in every region, and the annual report
holds each region's initiatives once, with sessions, help, partners, dialogue, self-checks,
quotes, and learning communities where the region has them.

The demo's end-to-end test runs the year for Lochem; this catches what breaks in another
region's file (an initiative without an area, say) in seconds per region."""

from __future__ import annotations

import uuid
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest

from dorp_cli.demo_matching import register_connector
from dorp_cli.demo_year import wait_until_caught_up
from dorp_cli.programme import Registrar, register_programme
from dorp_cli.reports import fetch_report
from dorp_cli.simulate.command import discover_api_urls
from dorp_cli.simulate.runner import PublicInterfaces, run_plan
from dorp_cli.simulate.year import Known, plan_year
from dorp_matching.bootstrap import DEFINITION as MATCHING
from dorp_registration.bootstrap import DEFINITION as REGISTRATION
from dorp_reporting.bootstrap import DEFINITION as REPORTING
from dorp_shared.regions import Region, load_region
from dorp_shared.settings import DorpSettings
from tests.support.infra import write_test_region
from tests.support.services import nats_client, running_service

pytestmark = pytest.mark.integration

SCALE = 0.03
"""About 20 members: enough for every kind of input, small enough for seconds."""


async def _parents(registrar: Registrar, region: Region) -> tuple[uuid.UUID, uuid.UUID]:
    ids = []
    for n in (1, 2):
        answer = await registrar.send(
            "register_member",
            {
                "role": "parent",
                "display_name": f"Testouder {n}",
                "email": f"ouder{n}@example.org",
                "home_area": region.areas[0].id,
                "languages": [region.default_language],
                "consents": {"matching": True, "notifications": True},
            },
            f"parent:{n}",
        )
        ids.append(uuid.UUID(answer["member_id"]))
    return ids[0], ids[1]


def _section(report: dict[str, Any], key: str) -> dict[str, Any]:
    found: dict[str, Any] = next(s for s in report["sections"] if s["key"] == key)
    return found


def _labels(section: dict[str, Any]) -> list[str]:
    return [row["label"]["nl"] for table in section["tables"] for row in table["rows"]]


@pytest.mark.parametrize("template", ["zutphen", "zwolle", "antwerpen"])  # Lochem: e2e
async def test_a_simulated_year_of_every_region_fills_its_annual_report(
    template: str, settings: DorpSettings, regions_dir: Path
) -> None:
    region_id = write_test_region(regions_dir, template)
    config = settings.model_copy(update={"region": region_id})
    region = load_region(region_id, config.regions_dir)
    year = date.today().year
    async with (
        running_service(REGISTRATION, config),
        running_service(MATCHING, config),
        running_service(REPORTING, config),
        nats_client(config.nats_url or "") as nc,
    ):
        registrar = Registrar(nc, region_id)
        parents = await _parents(registrar, region)
        await register_connector(registrar, region)  # as the demo: the year's connector
        programme = await register_programme(
            registrar, region, parents, date.today(), lambda _: None
        )
        known = Known(programme.organisations, programme.initiatives)
        plan = plan_year(region, year, SCALE, seed=1, known=known)
        async with httpx.AsyncClient(timeout=30) as http:
            urls = await discover_api_urls(nc, region_id)
            summary = await run_plan(plan, PublicInterfaces(nc, region_id, http, urls))
        assert summary.unexpected == 0 and summary.total("skipped") == 0, summary.surprises
        await wait_until_caught_up(nc, region_id)
        report = (await fetch_report(nc, region_id, str(year), "json")).report

    activities = _labels(_section(report, "activities"))
    for initiative in region.initiatives:
        assert sum(label.startswith(f"{initiative.name} (") for label in activities) == 1
    assert _section(report, "help")["tables"][0]["rows"], "requests and offers by kind"
    assert "werkt met" in _section(report, "organisations")["paragraphs"][0]["nl"]
    assert _section(report, "dialogue")["entries"], "the demo's decision, at least"
    assert _section(report, "self_checks")["tables"] and _section(report, "quotes")["entries"]
    communities = _section(report, "learning_communities")
    themed = [a for a in region.areas if a.core_theme]
    assert len(communities["entries"]) == len(themed)
