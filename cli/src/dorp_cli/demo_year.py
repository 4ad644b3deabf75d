"""The demo's last act (``dorp demo --simulate-year``): a synthetic year of the region sent
through its public interfaces, then the annual report of that year in every format."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from datetime import date
from pathlib import Path

import httpx
from nats.aio.client import Client

from dorp_cli.demo_answers import answer_proposals
from dorp_cli.programme import Programme
from dorp_cli.reports import fetch_report, region_caught_up, write_files, write_report
from dorp_cli.simulate.command import discover_api_urls
from dorp_cli.simulate.runner import PublicInterfaces, run_plan
from dorp_cli.simulate.year import Known, plan_year
from dorp_shared.contracts.reports import ReportFormat
from dorp_shared.errors import DorpError
from dorp_shared.regions import Region

CATCH_UP_SECONDS = 600.0
FORMATS: tuple[ReportFormat, ...] = ("md", "html", "pdf", "csv")
SURPRISES_SHOWN = 10


async def simulated_year(
    nc: Client,
    region: Region,
    api_urls: dict[str, str],
    scale: float,
    out_dir: Path,
    report: Callable[[str], None],
    programme: Programme | None = None,
    connector_id: uuid.UUID | None = None,
) -> list[Path]:
    """Send this year's plan, wait until reporting has seen it all, write the annual report.

    The partners and initiatives of the region file that the demo registered (``programme``)
    go on in the year as they are: registered once, so the report lists each once. With
    ``connector_id``, people then answer the year's proposals (:mod:`dorp_cli.demo_answers`)."""
    year = date.today().year
    known = Known(programme.organisations, programme.initiatives) if programme else None
    plan = plan_year(region, year, scale, seed=1, known=known)
    # Asked again: a service may have answered its first health check before its HTTP API
    # was listening, and the year would then miss that API.
    urls = {**api_urls, **await discover_api_urls(nc, region.id)}
    async with httpx.AsyncClient(timeout=30.0) as http:
        summary = await run_plan(plan, PublicInterfaces(nc, region.id, http, urls))
    report(
        f"simulated year {year} (scale {scale:g}): {summary.total('accepted'):,} accepted, "
        f"{summary.total('rejected'):,} invalid inputs rejected as planned, "
        f"{summary.unexpected} not as planned, in {summary.elapsed:.0f} s"
    )
    for surprise in summary.surprises[:SURPRISES_SHOWN]:
        report(f"not as planned: {surprise}")
    await wait_until_caught_up(nc, region.id)
    if connector_id is not None:
        answered = await answer_proposals(nc, region, connector_id)
        report(
            "the year's proposals answered and followed up: "
            + ", ".join(f"{n} {what}" for what, n in sorted(answered.items()))
        )
        await wait_until_caught_up(nc, region.id)
    report("reporting has projected every event")
    written: list[Path] = []
    for fmt in FORMATS:
        reply = await fetch_report(nc, region.id, str(year), fmt)
        written += write_report(reply, out_dir) if fmt == "md" else write_files(reply, out_dir)
    return written


async def wait_until_caught_up(nc: Client, region: str) -> None:
    """Until every consumer of the region has handled everything, three looks in a row (an
    event a service just committed may still be in its outbox at the first look)."""
    deadline = time.monotonic() + CATCH_UP_SECONDS
    settled = 0
    while time.monotonic() < deadline:
        settled = settled + 1 if await region_caught_up(nc, region) else 0
        if settled >= 3:  # three looks in a row: nothing is still on its way
            return
        await asyncio.sleep(1.0)
    raise DorpError(f"the region's services did not catch up within {CATCH_UP_SECONDS:.0f} s")
