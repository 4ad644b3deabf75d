"""The demo's last act (``dorp demo --simulate-year``): a synthetic year of the region sent
through its public interfaces, then the annual report of that year in every format."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import httpx
from nats.aio.client import Client

from dorp_cli.reports import fetch_report, reporting_caught_up, write_files, write_report
from dorp_cli.simulate.runner import PublicInterfaces, run_plan
from dorp_cli.simulate.year import plan_year
from dorp_shared.contracts.reports import ReportFormat
from dorp_shared.errors import DorpError
from dorp_shared.regions import Region

CATCH_UP_SECONDS = 600.0
FORMATS: tuple[ReportFormat, ...] = ("md", "html", "pdf", "csv")


async def simulated_year(
    nc: Client,
    region: Region,
    api_urls: dict[str, str],
    scale: float,
    out_dir: Path,
    report: Callable[[str], None],
) -> list[Path]:
    """Send this year's plan, wait until reporting has seen it all, write the annual report."""
    year = date.today().year
    plan = plan_year(region, year, scale, seed=1)
    async with httpx.AsyncClient(timeout=30.0) as http:
        summary = await run_plan(plan, PublicInterfaces(nc, region.id, http, api_urls))
    report(
        f"simulated year {year} (scale {scale:g}): {summary.total('accepted'):,} accepted, "
        f"{summary.total('rejected'):,} invalid inputs rejected as planned, "
        f"{summary.unexpected} not as planned, in {summary.elapsed:.0f} s"
    )
    await _caught_up(nc, region.id)
    report("reporting has projected every event")
    written: list[Path] = []
    for fmt in FORMATS:
        reply = await fetch_report(nc, region.id, str(year), fmt)
        written += write_report(reply, out_dir) if fmt == "md" else write_files(reply, out_dir)
    return written


async def _caught_up(nc: Client, region: str) -> None:
    deadline = time.monotonic() + CATCH_UP_SECONDS
    settled = 0
    while time.monotonic() < deadline:
        settled = settled + 1 if await reporting_caught_up(nc, region) else 0
        if settled >= 3:  # three looks in a row: nothing is still on its way
            return
        await asyncio.sleep(1.0)
    raise DorpError(f"reporting did not catch up within {CATCH_UP_SECONDS:.0f} s")
