"""The ``dorp`` command.

Heavy modules (the services, FastAPI, FastStream, the report renderers) are imported by the
commands that use them, so that ``dorp --help`` and every other command start quickly."""

from __future__ import annotations

import asyncio
import importlib
import json
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from dorp_cli.nats_commands import nats_app
from dorp_cli.processes import SERVICES
from dorp_cli.report_commands import report_app
from dorp_cli.staff import staff
from dorp_shared.errors import DorpError
from dorp_shared.regions import Region, RegionError, available_regions, load_region
from dorp_shared.settings import load_settings

if TYPE_CHECKING:
    from collections.abc import Callable

    from dorp_cli.bench.figures import Figure
    from dorp_shared.service import ServiceDefinition

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


BenchDataDir = Annotated[
    Path | None,
    typer.Option(help="Folder for embedded NATS and PostgreSQL [default: a scratch folder]"),
]
BenchOut = Annotated[Path | None, typer.Option(help="Write the figures as JSON here")]


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
    simulate_year: Annotated[
        bool,
        typer.Option(
            help="Then send a synthetic year (dorp simulate) and write its annual report."
        ),
    ] = False,
    scale: Annotated[
        float, typer.Option(min=0.01, help="Size of the simulated year: 1 is a town like Lochem")
    ] = 1.0,
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
    options = DemoOptions(
        chosen,
        folder,
        (out or folder / "reports").resolve(),
        exit_after_report,
        simulate_scale=scale if simulate_year else None,
    )
    try:
        run_demo(options, console)
    except DorpError as exc:
        raise _fail(str(exc), 1) from None
    except KeyboardInterrupt:
        raise typer.Exit(130) from None


@app.command()
def serve(
    service: Annotated[str, typer.Argument(help=f"One of: {', '.join(SERVICES)}")],
    region: Annotated[
        str | None,
        typer.Option(
            "--region", "-r", help="Region id or a .toml path [default: DORP_REGION, else lochem]"
        ),
    ] = None,
) -> None:
    """Run one service for one region until SIGINT/SIGTERM (then drain and close).

    Needs DORP_NATS_URL and DORP_DATABASE_URL; see README for every DORP_ setting.
    """
    from dorp_shared.service import create_app

    definition = definition_of(service)
    try:
        asyncio.run(create_app(definition, region).run())
    except (DorpError, RegionError) as exc:
        raise _fail(str(exc)) from None
    except KeyboardInterrupt:
        pass


@app.command()
def regions() -> None:
    """List the regions that have a region file."""
    for region_id in available_regions():
        chosen = load_region(region_id)
        areas = f"{len(chosen.areas)} {chosen.area_unit}en"
        console.print(f"{region_id:12} {chosen.name} — {chosen.programme.name} ({areas})")


@app.command()
def simulate(
    region: RegionOption = "lochem",
    year: Annotated[int, typer.Option(min=2000, max=2100, help="The year to simulate")] = 2026,
    scale: Annotated[
        float, typer.Option(min=0.01, help="1: a small town like Lochem; 50: Antwerp-sized")
    ] = 1.0,
    rate: Annotated[
        float, typer.Option(min=0, help="Sends per second at most (0: as fast as answered)")
    ] = 0,
    seed: Annotated[int, typer.Option(help="Same seed, same year")] = 1,
    concurrency: Annotated[int, typer.Option(min=1, help="Chains of actions in flight")] = 16,
    summary: Annotated[
        Path | None, typer.Option(help="Also write the summary as JSON to this file")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option(help="Only plan and print how much would be sent")
    ] = False,
) -> None:
    """Send a seeded, reproducible synthetic year to a running region, through its partner
    subjects and HTTP APIs: members of every role, organisations, requests and offers of
    every kind, initiatives with sessions, sign-ups and attendance, coffee-date opt-ins,
    quotes, self-checks, dialogue tables, consent withdrawals, erasures and a few per cent of
    invalid partner events.

    Needs DORP_NATS_URL; the HTTP APIs are found through the services' health subjects.
    Running it again with the same seed registers nothing twice.
    """
    from dorp_cli.simulate.command import SimulateOptions
    from dorp_cli.simulate.command import simulate as run_simulation
    from dorp_cli.simulate.year import plan_year

    try:
        chosen = load_region(region)
    except RegionError as exc:
        raise _fail(str(exc)) from None
    plan = plan_year(chosen, year, scale, seed)
    planned = ", ".join(
        f"{n} {name}{' (invalid)' if expect == 'rejected' else ''}"
        for (name, expect), n in sorted(plan.tally().items())
    )
    console.print(f"Planned {plan.size()} actions for {chosen.name} {year}: {planned}")
    if dry_run:
        return
    settings = load_settings(region=region)
    if not settings.nats_url:
        raise _fail("DORP_NATS_URL is not set: point it at the region's NATS")
    options = SimulateOptions(settings.nats_url, rate, concurrency, summary)
    try:
        outcome = asyncio.run(run_simulation(plan, options, console))
    except DorpError as exc:
        raise _fail(str(exc)) from None
    if outcome.unexpected:
        raise typer.Exit(1)


KEPT_REGION = "lochem"
"""The region the kept API documents are generated for: others differ only in names."""
CheckOption = Annotated[bool, typer.Option(help="Fail if a kept document is out of date.")]


@app.command()
def asyncapi(check: CheckOption = False) -> None:
    """Regenerate services/<name>/asyncapi.json from the code (or --check them)."""
    from dorp_shared.service import asyncapi_document, build_app

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
    from dorp_shared.http import openapi_document

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


app.add_typer(report_app, name="report")

bench = typer.Typer(
    help="Benchmarks (not tests): figures measured the same way every time, with the "
    "raw tools' ceilings measured in the same run. See docs/benchmarks.md.",
    no_args_is_help=True,
)
app.add_typer(bench, name="bench")
app.add_typer(nats_app, name="nats")
app.add_typer(staff, name="staff")


@bench.command("registration")
def bench_registration(
    region: RegionOption = "lochem",
    events: Annotated[int, typer.Option(min=2, help="Partner events to send")] = 20_000,
    concurrency: Annotated[
        int, typer.Option(min=1, help="Partner requests in flight at once")
    ] = 256,
    data_dir: BenchDataDir = None,
    out: BenchOut = None,
) -> None:
    """Partner events validated, stored and published per second, beside the raw JetStream
    publish rate measured in the same run; and registration's peak memory.

    Embedded NATS and PostgreSQL in a scratch folder unless DORP_NATS_URL /
    DORP_DATABASE_URL are set; registration runs as its own process.
    """
    from dorp_cli.bench.registration import RegistrationBench, run_registration_bench

    chosen = _bench_region(region)
    options = RegistrationBench(chosen, events, concurrency, data_dir)
    settings = {"region": chosen.id, "events": events, "concurrency": concurrency}
    _run_bench(
        "registration", chosen.id, lambda: run_registration_bench(options, console), settings, out
    )


@bench.command("matching")
def bench_matching(
    region: RegionOption = "lochem",
    offers: Annotated[int, typer.Option(min=1, help="Open offers in the region")] = 100_000,
    rate: Annotated[float, typer.Option(min=1, help="New help requests per second")] = 500.0,
    seconds: Annotated[float, typer.Option(min=1, help="How long requests are sent")] = 10.0,
    parents: Annotated[int, typer.Option(min=2, help="Opted-in parents to pair")] = 10_000,
    schools: Annotated[int, typer.Option(min=1, help="Schools the parents are in")] = 20,
    data_dir: BenchDataDir = None,
    out: BenchOut = None,
) -> None:
    """Proposal latency p50/p95/p99 at a request rate with many open offers, the matcher's
    peak memory, pairing parents into coffee dates (optimum beside the greedy baseline),
    and the online matcher's quality beside an offline optimum. See docs/benchmarks.md.
    """
    from dorp_cli.bench.matching import MatchingBench, run_matching_bench

    chosen = _bench_region(region)
    options = MatchingBench(chosen, offers, rate, seconds, parents, schools, data_dir)
    settings = {
        "region": chosen.id,
        "offers": offers,
        "rate": rate,
        "seconds": seconds,
        "parents": parents,
        "schools": schools,
    }
    _run_bench("matching", chosen.id, lambda: run_matching_bench(options, console), settings, out)


@bench.command("notifications")
def bench_notifications(
    region: RegionOption = "lochem",
    mails: Annotated[int, typer.Option(min=2, help="Pending e-mails in the backlog")] = 10_000,
    events: Annotated[int, typer.Option(min=1, help="Events sent, then replayed")] = 10_000,
    pool: Annotated[int, typer.Option(min=1, max=64, help="Pooled SMTP connections")] = 32,
    data_dir: BenchDataDir = None,
    out: BenchOut = None,
    pipelining: Annotated[
        bool, typer.Option(help="The SMTP server offers PIPELINING (RFC 2920)")
    ] = True,
) -> None:
    """E-mails per second to a local SMTP server over pooled connections (beside aiosmtplib
    alone), duplicates when the same events are replayed, and notifications' peak memory.
    See docs/benchmarks.md.
    """
    from dorp_cli.bench.notifications import NotificationsBench, run_notifications_bench

    chosen = _bench_region(region)
    options = NotificationsBench(chosen, mails, events, pool, data_dir, pipelining)
    settings = {
        "region": chosen.id,
        "mails": mails,
        "events": events,
        "pool": pool,
        "pipelining": pipelining,
    }
    _run_bench(
        "notifications", chosen.id, lambda: run_notifications_bench(options, console), settings, out
    )


@bench.command("e2e")
def bench_end_to_end(
    region: RegionOption = "lochem",
    requests: Annotated[
        int, typer.Option(min=10, help="Help requests in the timed stream")
    ] = 10_000,
    rate: Annotated[
        float, typer.Option(min=1, help="Help requests sent per second (open loop)")
    ] = 2000,
    settle: Annotated[
        float, typer.Option(min=1, help="Seconds to wait for the last mails and counts")
    ] = 300,
    data_dir: BenchDataDir = None,
    out: BenchOut = None,
) -> None:
    """A sustained stream of help requests through the whole region: partner event, stored,
    proposal, delivered e-mail and counted in the report; throughput and p50/p95/p99 latency
    of each hop, peak memory of every process, and the raw tools' ceilings (JetStream
    publish and pull-consume, asyncpg COPY) measured in the same run.
    """
    from dorp_cli.bench.end_to_end import EndToEndBench, run_end_to_end_bench

    chosen = _bench_region(region)
    options = EndToEndBench(chosen, requests, rate, settle, data_dir)
    settings = {"region": chosen.id, "requests": requests, "rate": rate}
    _run_bench("e2e", chosen.id, lambda: run_end_to_end_bench(options, console), settings, out)


@bench.command("reporting")
def bench_reporting(
    region: RegionOption = "lochem",
    events: Annotated[int, typer.Option(min=100, help="Events in the synthetic year")] = 1_000_000,
    year: Annotated[int, typer.Option(min=2000, max=2100, help="The year they happen in")] = 2025,
    seed: Annotated[int, typer.Option(help="Same seed, same year")] = 1,
    data_dir: BenchDataDir = None,
    out: BenchOut = None,
) -> None:
    """Projection rebuild from the streams (events/s, beside the raw JetStream pull and
    asyncpg COPY rates of the same run) and the annual report of a seeded synthetic year as
    HTML and PDF (seconds), with peak memory and the report's totals checked against what
    was generated. See docs/benchmarks.md.
    """
    from dorp_cli.bench.reporting import ReportingBench, run_reporting_bench

    chosen = _bench_region(region)
    options = ReportingBench(chosen, events, year, seed, data_dir)
    settings = {"region": chosen.id, "events": events, "year": year, "seed": seed}
    _run_bench("reporting", chosen.id, lambda: run_reporting_bench(options, console), settings, out)


@bench.command("docs")
def bench_docs(
    json_dir: Annotated[
        Path, typer.Option(help="The benchmarks' JSON files (written with --out)")
    ] = Path("docs/benchmarks"),
    doc: Annotated[Path, typer.Option(help="The page whose figures part is rewritten")] = Path(
        "docs/benchmarks.md"
    ),
) -> None:
    """Rewrite the figures part of docs/benchmarks.md from the benchmarks' JSON files, with
    the machine each ran on."""
    from dorp_cli.bench.document import DocumentError, figures_section, load_runs, rewrite

    try:
        runs = load_runs(json_dir)
        page = doc.read_text(encoding="utf-8") if doc.exists() else "# Benchmarks\n"
    except (DocumentError, OSError) as exc:
        raise _fail(str(exc)) from None
    doc.write_text(rewrite(page, figures_section(runs)), encoding="utf-8")
    console.print(f"written {doc} from {len(runs)} benchmark file(s) in {json_dir}")


def _bench_region(region: str) -> Region:
    try:
        return load_region(region)
    except RegionError as exc:
        raise _fail(str(exc)) from None


def _run_bench(
    name: str,
    region: str,
    run: Callable[[], list[Figure]],
    settings: dict[str, Any],
    out: Path | None,
) -> None:
    """Run one benchmark; the table, the JSON if asked, and exit 1 when it could not run or
    a correctness figure missed."""
    from dorp_cli.bench.figures import failed, print_table, report, write_json

    _sigterm_as_interrupt()
    try:
        figures = run()
    except DorpError as exc:
        raise _fail(str(exc), 1) from None
    except KeyboardInterrupt:
        raise _fail("interrupted; its servers and service processes are stopped", 130) from None
    print_table(console, f"dorp bench {name} ({region})", figures)
    if out is not None:
        write_json(out, report(name, figures, settings))
        console.print(f"written {out}")
    if failed(figures):
        names = ", ".join(figure.name for figure in failed(figures))
        raise _fail(f"the run was not correct: {names}", 1)


def _sigterm_as_interrupt() -> None:
    """SIGTERM (a ``timeout``, a ``kill``) stops a benchmark as Ctrl-C does: the running
    steps are cancelled and their ``finally`` stops the service processes, NATS and
    PostgreSQL, instead of leaving them running without their parent."""
    signal.signal(signal.SIGTERM, lambda _signum, _frame: signal.raise_signal(signal.SIGINT))


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
