"""The ``dorp`` command."""

from __future__ import annotations

import asyncio
import importlib
import json
import sys
from pathlib import Path
from typing import Annotated, Any

import nats
import typer
from rich.console import Console

from dorp_cli.processes import SERVICES
from dorp_shared.errors import DorpError
from dorp_shared.http import openapi_document
from dorp_shared.regions import RegionError, available_regions, load_region
from dorp_shared.service import ServiceDefinition, asyncapi_document, build_app, create_app
from dorp_shared.settings import load_settings

app = typer.Typer(
    help="Dorp: software for parent networks. One region per instance.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
console = Console(soft_wrap=True)
errors = Console(stderr=True, soft_wrap=True)

RegionOption = Annotated[
    str,
    typer.Option("--region", "-r", help="Region id (a file in deploy/regions) or a .toml path."),
]


def _fail(message: str, code: int = 2) -> typer.Exit:
    errors.print(f"[red]dorp: {message}[/]")
    return typer.Exit(code)


def definition_of(service: str) -> ServiceDefinition:
    if service not in SERVICES:
        raise _fail(f"unknown service {service!r}; choose one of: {', '.join(SERVICES)}")
    module = importlib.import_module(f"dorp_{service}.bootstrap")
    definition: ServiceDefinition = module.DEFINITION
    return definition


@app.command()
def demo(
    region: RegionOption = "lochem",
    data_dir: Annotated[
        Path | None,
        typer.Option(help="Folder for NATS, PostgreSQL, mail and logs [default: .dorp/REGION]"),
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="Where the report goes [default: DATA_DIR/reports]")
    ] = None,
    exit_after_report: Annotated[
        bool, typer.Option(help="Stop everything and exit 0 once the report is written.")
    ] = False,
) -> None:
    """Run a whole region with embedded NATS and PostgreSQL and feed it a small scenario.

    Set DORP_NATS_URL / DORP_DATABASE_URL to use real servers instead of embedded ones.
    Without --exit-after-report the region keeps running until Ctrl-C.
    """
    from dorp_cli.demo import DemoOptions, run_demo

    try:
        chosen = load_region(region)
    except RegionError as exc:
        raise _fail(str(exc)) from None
    folder = (data_dir or Path(".dorp") / chosen.id).resolve()
    options = DemoOptions(chosen, folder, (out or folder / "reports").resolve(), exit_after_report)
    try:
        run_demo(options, console)
    except DorpError as exc:
        raise _fail(str(exc), 1) from None
    except KeyboardInterrupt:
        raise typer.Exit(130) from None


@app.command()
def serve(
    service: Annotated[str, typer.Argument(help=f"One of: {', '.join(SERVICES)}")],
    region: RegionOption = "lochem",
) -> None:
    """Run one service for one region until SIGINT/SIGTERM (then drain and close).

    Needs DORP_NATS_URL and DORP_DATABASE_URL; see README for every DORP_ setting.
    """
    definition = definition_of(service)
    try:
        asyncio.run(create_app(definition, region).run())
    except (DorpError, RegionError) as exc:
        raise _fail(str(exc)) from None
    except KeyboardInterrupt:
        pass


@app.command()
def report(
    region: RegionOption = "lochem",
    period: Annotated[str, typer.Option(help='"all" or a year such as 2026')] = "all",
    out: Annotated[Path, typer.Option(help="Folder to write the report to")] = Path("reports"),
) -> None:
    """Ask a running region's reporting service for a report and write it (Markdown, JSON)."""
    from dorp_cli.reports import fetch_report, write_report

    settings = load_settings(region=region)
    if not settings.nats_url:
        raise _fail("DORP_NATS_URL is not set: point it at the region's NATS")

    async def run() -> list[Path]:
        from dorp_shared.messaging import connect_nats

        nc = await connect_nats(settings.nats_url or "")
        try:
            answer = await fetch_report(nc, load_region(region).id, period)
        finally:
            await nc.close()
        return write_report(answer, out, load_region(region).id, period)

    try:
        for path in asyncio.run(run()):
            console.print(f"written {path}")
    except (DorpError, RegionError, ValueError) as exc:
        raise _fail(str(exc)) from None
    except nats.errors.NoRespondersError:
        raise _fail(f"no reporting service answers for region {region!r}") from None


@app.command()
def regions() -> None:
    """List the regions that have a region file."""
    for region_id in available_regions():
        chosen = load_region(region_id)
        areas = f"{len(chosen.areas)} {chosen.area_unit}en"
        console.print(f"{region_id:12} {chosen.name} — {chosen.programme.name} ({areas})")


KEPT_REGION = "lochem"
"""The region the kept API documents are generated for: others differ only in names."""
CheckOption = Annotated[bool, typer.Option(help="Fail if a kept document is out of date.")]


@app.command()
def asyncapi(check: CheckOption = False) -> None:
    """Regenerate services/<name>/asyncapi.json from the code (or --check them)."""
    settings = load_settings(region=KEPT_REGION)
    documents = {
        service: asyncapi_document(build_app(definition_of(service), settings)[0])
        for service in SERVICES
    }
    _keep_documents("asyncapi", documents, check)


@app.command()
def openapi(check: CheckOption = False) -> None:
    """Regenerate services/<name>/openapi.json, the HTTP API of each service that has one,
    from the code (or --check them)."""
    settings = load_settings(region=KEPT_REGION)
    region = load_region(settings.region, settings.regions_dir)
    documents = {}
    for service in SERVICES:
        definition = definition_of(service)
        if definition.api is not None:
            documents[service] = openapi_document(
                service=service,
                description=definition.description,
                region=region,
                commands=definition.api.commands,
            )
    _keep_documents("openapi", documents, check)


def _keep_documents(kind: str, documents: dict[str, dict[str, Any]], check: bool) -> None:
    """Write each service's document to services/<service>/<kind>.json, or with ``check``
    fail naming those that differ from what the code generates."""
    root = _repository_root()
    stale = []
    for service, document in documents.items():
        text = json.dumps(document, indent=2, sort_keys=True) + "\n"
        path = root / "services" / service / f"{kind}.json"
        if check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(str(path.relative_to(root)))
        else:
            path.write_text(text, encoding="utf-8")
            console.print(f"written {path.relative_to(root)}")
    if stale:
        raise _fail(f"out of date (run `dorp {kind}`): {', '.join(stale)}", 1)


bench = typer.Typer(
    help="Benchmarks (not tests): figures measured the same way every time, with the "
    "raw tools' ceilings measured in the same run. See docs/benchmarks.md.",
    no_args_is_help=True,
)
app.add_typer(bench, name="bench")


@bench.command("registration")
def bench_registration(
    region: RegionOption = "lochem",
    events: Annotated[int, typer.Option(min=2, help="Partner events to send")] = 20_000,
    concurrency: Annotated[
        int, typer.Option(min=1, help="Partner requests in flight at once")
    ] = 256,
    data_dir: Annotated[
        Path | None,
        typer.Option(help="Folder for embedded NATS and PostgreSQL [default: a scratch folder]"),
    ] = None,
    out: Annotated[Path | None, typer.Option(help="Write the figures as JSON here")] = None,
) -> None:
    """Partner events validated, stored and published per second, beside the raw JetStream
    publish rate measured in the same run; and registration's peak memory.

    Embedded NATS and PostgreSQL in a scratch folder unless DORP_NATS_URL /
    DORP_DATABASE_URL are set; registration runs as its own process.
    """
    from dorp_cli.bench.figures import failed, print_table, report, write_json
    from dorp_cli.bench.registration import RegistrationBench, run_registration_bench

    try:
        chosen = load_region(region)
    except RegionError as exc:
        raise _fail(str(exc)) from None
    options = RegistrationBench(chosen, events, concurrency, data_dir)
    try:
        figures = run_registration_bench(options, console)
    except DorpError as exc:
        raise _fail(str(exc), 1) from None
    print_table(console, f"dorp bench registration ({chosen.id})", figures)
    if out is not None:
        settings = {"region": chosen.id, "events": events, "concurrency": concurrency}
        write_json(out, report("registration", figures, settings))
        console.print(f"written {out}")
    if failed(figures):
        names = ", ".join(figure.name for figure in failed(figures))
        raise _fail(f"the run was not correct: {names}", 1)


def _repository_root() -> Path:
    for folder in (Path.cwd(), *Path.cwd().parents):
        if (folder / "services").is_dir() and (folder / "shared").is_dir():
            return folder
    raise _fail("run this from the Dorp repository")


def main() -> None:
    try:
        app()
    except DorpError as exc:  # a last guard: one line, never a traceback
        errors.print(f"[red]dorp: {exc}[/]")
        sys.exit(2)
