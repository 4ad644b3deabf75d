"""``dorp simulate``: find the region's public interfaces, send the planned year, report."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import nats
from nats.errors import Error as NatsError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from dorp_cli.simulate.plan import Plan
from dorp_cli.simulate.runner import PublicInterfaces, Summary, run_plan
from dorp_shared.contracts.subjects import command_subject
from dorp_shared.errors import DorpError, InfrastructureUnavailable

SERVICES_WITH_API = ("registration", "matching")


@dataclass(frozen=True)
class SimulateOptions:
    nats_url: str
    rate: float
    concurrency: int
    summary_file: Path | None


async def simulate(plan: Plan, options: SimulateOptions, console: Console) -> Summary:
    try:
        nc = await nats.connect(options.nats_url, name=f"dorp-{plan.region}-simulate")
    except (OSError, NatsError, TimeoutError) as exc:
        raise InfrastructureUnavailable(f"cannot reach NATS at {options.nats_url}: {exc}") from exc
    try:
        urls = await discover_api_urls(nc, plan.region)
        console.print(f"HTTP APIs: {', '.join(f'{s} {u}' for s, u in urls.items())}")
        async with httpx.AsyncClient(timeout=30.0) as http:
            interfaces = PublicInterfaces(nc, plan.region, http, urls)
            summary = await _with_progress(plan, interfaces, options, console)
    finally:
        await nc.drain()
    show_summary(summary, console)
    if options.summary_file:
        record = {"region": plan.region, "year": plan.year, "scale": plan.scale, "seed": plan.seed}
        options.summary_file.write_text(json.dumps(record | summary.as_json(), indent=2) + "\n")
        console.print(f"summary written to {options.summary_file}")
    return summary


async def discover_api_urls(nc: Any, region: str) -> dict[str, str]:
    """Ask each service's health subject where its HTTP API listens."""
    urls: dict[str, str] = {}
    for service in SERVICES_WITH_API:
        try:
            reply = await nc.request(command_subject(region, service, "health"), b"", timeout=5)
        except (TimeoutError, NatsError):
            continue
        url = json.loads(reply.data or b"{}").get("http")
        if url:
            urls[service] = url
    if "registration" not in urls:
        raise DorpError(
            f"registration of region {region!r} does not answer on NATS: is the region running "
            "(`dorp demo --region R` or `dorp serve registration`)?"
        )
    return urls


async def _with_progress(
    plan: Plan, interfaces: PublicInterfaces, options: SimulateOptions, console: Console
) -> Summary:
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=False) as bar:
        task = bar.add_task(f"{plan.region} {plan.year}", total=plan.size())

        def advance(label: str, n: int) -> None:
            bar.update(task, advance=n, description=label)

        return await run_plan(
            plan,
            interfaces,
            rate=options.rate,
            concurrency=options.concurrency,
            progress=advance,
        )


def show_summary(summary: Summary, console: Console) -> None:
    table = Table(title="What was sent, and how it was answered")
    for column in ("action", "outcome", "count"):
        table.add_column(column, justify="right" if column == "count" else "left")
    for (name, outcome), count in sorted(summary.counts.items()):
        style = "red" if outcome.startswith("unexpected") or outcome == "skipped" else ""
        table.add_row(name, outcome, str(count), style=style)
    console.print(table)
    sent = summary.total("accepted") + summary.total("rejected") + summary.unexpected
    rate = sent / summary.elapsed if summary.elapsed else 0.0
    console.print(
        f"{summary.total('accepted')} accepted, {summary.total('rejected')} rejected as planned "
        f"(invalid input), {summary.unexpected} not as planned, {summary.total('skipped')} "
        f"skipped; {summary.elapsed:.1f} s ({rate:.0f} per second)"
    )
    for line in summary.surprises:
        console.print(f"  [yellow]![/] {line}")
