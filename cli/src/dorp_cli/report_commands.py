"""``dorp report``: reports of a running region, rebuilding its projections, publishing
its anonymised aggregates, and the cross-region overview."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from dorp_shared.contracts.report_formats import REPORT_FORMATS, ReportFormat
from dorp_shared.errors import DorpError
from dorp_shared.regions import RegionError, load_region
from dorp_shared.settings import load_settings

if TYPE_CHECKING:  # the rest is imported by the commands that use it: `dorp` starts faster
    from nats.aio.client import Client

console = Console(soft_wrap=True)
errors = Console(stderr=True, soft_wrap=True)
R = TypeVar("R")

report_app = typer.Typer(
    help="Reports of a running region (needs DORP_NATS_URL). Without a subcommand: ask the "
    "region's reporting service for a report and write its files.",
    invoke_without_command=True,
)

RegionOption = Annotated[
    str, typer.Option("--region", "-r", help="Region id (a file in deploy/regions).")
]
YearOption = Annotated[int | None, typer.Option(min=1900, max=2199, help="Year, e.g. 2026")]
MonthOption = Annotated[
    int | None, typer.Option(min=1, max=12, help="Month 1-12 (needs --year): a monthly report")
]
OutOption = Annotated[Path, typer.Option(help="Folder to write the files to")]


def _fail(message: str, code: int = 2) -> typer.Exit:
    errors.print(f"[red]dorp: {message}[/]")
    return typer.Exit(code)


def period_of(year: int | None, month: int | None, period: str | None = None) -> str:
    if period and (year or month):
        raise _fail("give either --period or --year/--month, not both")
    if period:
        return period.strip().lower()
    if month and not year:
        raise _fail("--month needs --year")
    if year is None:
        return "all"
    return f"{year}-{month:02d}" if month else str(year)


def _with_nats(region: str, work: Callable[[Client, str], Awaitable[R]]) -> R:
    """Connect to the region's NATS, run ``work``, and turn failures into one line."""
    import nats

    from dorp_shared.messaging import connect_nats

    try:
        region_id = load_region(region).id
    except RegionError as exc:
        raise _fail(str(exc)) from None
    settings = load_settings(region=region)
    if not settings.nats_url:
        raise _fail("DORP_NATS_URL is not set: point it at the region's NATS")

    async def run() -> R:
        nc = await connect_nats(settings.nats_url or "", name=f"dorp-report-{region_id}")
        try:
            return await work(nc, region_id)
        finally:
            await nc.drain()

    try:
        return asyncio.run(run())
    except DorpError as exc:
        raise _fail(str(exc)) from None
    except nats.errors.NoRespondersError:
        raise _fail(f"no reporting service answers for region {region_id!r}") from None
    except nats.errors.TimeoutError:
        raise _fail(
            f"the reporting service of region {region_id!r} did not answer in time"
        ) from None


@report_app.callback()
def report(
    ctx: typer.Context,
    region: RegionOption = "lochem",
    year: YearOption = None,
    month: MonthOption = None,
    period: Annotated[
        str | None, typer.Option(help='Instead of --year/--month: "all", "2026" or "2026-03"')
    ] = None,
    fmt: Annotated[
        list[str] | None,
        typer.Option(
            "--format", "-f", help=f"One of {', '.join(REPORT_FORMATS)}; repeatable [default: md]"
        ),
    ] = None,
    out: OutOption = Path("reports"),
) -> None:
    """Ask a running region's reporting service for a report and write it: html (with
    charts), pdf, md, csv (one file per table) or json."""
    if ctx.invoked_subcommand is not None:
        return
    from dorp_cli.reports import fetch_report, write_files, write_report

    chosen = period_of(year, month, period)
    formats = fmt or ["md"]
    unknown = [f for f in formats if f not in REPORT_FORMATS]
    if unknown:
        raise _fail(f"unknown format {unknown[0]!r}; choose from {', '.join(REPORT_FORMATS)}")

    async def work(nc: Client, region_id: str) -> list[Path]:
        written: list[Path] = []
        for name in formats:
            console.print(f"asking region {region_id} for the {chosen} report as {name} ...")
            reply = await fetch_report(nc, region_id, chosen, _format(name))
            written += write_report(reply, out) if name == "md" else write_files(reply, out)
        return written

    for path in _with_nats(region, work):
        console.print(f"written {path}")


def _format(name: str) -> ReportFormat:
    checked: ReportFormat = name  # type: ignore[assignment]  # checked against REPORT_FORMATS
    return checked


@report_app.command("publish-aggregates")
def publish(
    region: RegionOption = "lochem", year: YearOption = None, month: MonthOption = None
) -> None:
    """Publish a period's anonymised aggregates on dorp.<region>.aggregate.v1.<period>
    (the report query publishes them too)."""
    from dorp_cli.reports import publish_aggregates

    chosen = period_of(year, month)

    async def work(nc: Client, region_id: str) -> str:
        return (await publish_aggregates(nc, region_id, chosen)).subject

    console.print(f"published on {_with_nats(region, work)}")


@report_app.command()
def overview(
    regions: Annotated[str, typer.Option(help="Comma-separated region ids, e.g. lochem,zutphen")],
    year: YearOption = None,
    month: MonthOption = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="md, html or json")] = "md",
    out: OutOption = Path("reports"),
) -> None:
    """Regions side by side, from the aggregates each published (never personal data)."""
    from dorp_cli.reports import read_aggregates
    from dorp_reporting.formats import render_report
    from dorp_reporting.overview import build_overview

    if fmt not in ("md", "html", "json"):
        raise _fail(f"unknown format {fmt!r}; choose md, html or json")
    ids = [r.strip() for r in regions.split(",") if r.strip()]
    if len(ids) < 2:
        raise _fail("name at least two regions, e.g. --regions lochem,zutphen")
    chosen = period_of(year, month)

    async def work(nc: Client, _: str) -> list[Path]:
        found = []
        for region_id in ids:
            aggregates = await read_aggregates(nc, load_region(region_id).id, chosen)
            if aggregates is None:
                raise _fail(
                    f"region {region_id} has published no aggregates for {chosen}; run "
                    f"`dorp report publish-aggregates --region {region_id}` there"
                )
            when = f"{aggregates.generated_at:%Y-%m-%d %H:%M}"
            console.print(f"read aggregates of {aggregates.region_name} ({when})")
            found.append(aggregates)
        made = build_overview(found, chosen, datetime.now(UTC))
        out.mkdir(parents=True, exist_ok=True)
        paths = []
        for file in render_report(made, _format(fmt)):
            path = out / file.name.replace("rapport-overzicht", f"overzicht-{'-'.join(ids)}")
            path.write_bytes(file.content)
            paths.append(path)
        return paths

    for path in _with_nats(ids[0], work):
        console.print(f"written {path}")


@report_app.command()
def rebuild(region: RegionOption = "lochem") -> None:
    """Empty the region's reporting projections and replay the registration, matching and
    notifications streams from the start. Stop the reporting service first (the command
    refuses while it answers); start it again afterwards. Needs DORP_DATABASE_URL too."""
    from dorp_reporting.rebuild import rebuild as run_rebuild

    settings = load_settings(region=region)
    if not settings.database_url:
        raise _fail("DORP_DATABASE_URL is not set: point it at the region's PostgreSQL")
    columns = (
        TextColumn("{task.description:14}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )

    async def work(nc: Client, region_id: str) -> tuple[int, int]:
        with Progress(*columns, console=console) as bar:
            tasks: dict[str, TaskID] = {}

            def progress(area: str, done: int, total: int) -> None:
                if area not in tasks:
                    tasks[area] = bar.add_task(area, total=total)
                bar.update(tasks[area], completed=done)

            result = await run_rebuild(nc, settings.database_url or "", region_id, progress)
        return result.total_read, result.projected

    read, projected = _with_nats(region, work)
    console.print(f"rebuilt: {read} events read, {projected} projected")
