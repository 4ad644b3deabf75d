"""``dorp bench reporting``: rebuilding the projections from the streams, and the annual
report of a region with a year of ``events`` events as HTML and as PDF (issue 6).

1. A seeded synthetic year (:mod:`dorp_cli.bench.reporting_year`) is published straight
   into the region's JetStream streams (async publish, acknowledgements awaited in batches).
2. Ceilings, in the same run: nats-py pulling the same kind of messages from a scratch
   stream, and asyncpg ``COPY`` of projection-shaped rows.
3. ``rebuild`` of the projections, then the annual report as HTML and as PDF, each in a
   process of its own (:mod:`dorp_cli.bench.reporting_work`) whose peak memory and CPU are
   read, with PostgreSQL's and NATS's CPU beside it.
4. Correctness: every event read and every kept event projected, and the report's facts
   equal to what was generated.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nats
from nats.aio.client import Client
from rich.console import Console

from dorp_cli.bench import ceilings
from dorp_cli.bench.environment import servers
from dorp_cli.bench.figures import Figure
from dorp_cli.bench.reporting_year import Message, Tally, YearGenerator
from dorp_cli.console import Steps
from dorp_cli.region_stack import RegionStack
from dorp_shared.errors import DorpError
from dorp_shared.messaging import declare_region
from dorp_shared.regions import Region

TARGET_EVENTS_PER_SECOND = 20_000.0
TARGET_HTML_SECONDS = 5.0
TARGET_PDF_SECONDS = 20.0
TARGET_PEAK_RSS_MIB = 500.0
MAX_PENDING_ACKS = 4000
CEILING_MESSAGES = 100_000
CEILING_ROWS = 200_000
WORK_TIMEOUT_SECONDS = 3600


@dataclass(frozen=True)
class ReportingBench:
    region: Region
    events: int
    year: int
    seed: int
    data_dir: Path | None


class BenchFailed(DorpError):
    pass


def run_reporting_bench(options: ReportingBench, console: Console) -> list[Figure]:
    steps = Steps(console, total=4)
    with servers(options.data_dir, steps) as stack:
        return asyncio.run(_bench(options, stack, steps))


async def _bench(options: ReportingBench, stack: RegionStack, steps: Steps) -> list[Figure]:
    region = options.region
    await declare_region(stack.nats_url, region.id)
    nc = await nats.connect(stack.nats_url, name=f"dorp-{region.id}-bench")
    try:
        steps.start(f"Generating and publishing a year of {options.events:,} events")
        generator = YearGenerator(region, options.year, options.events, options.seed)
        published, seconds, sample = await _publish(nc, generator)
        steps.done(f"{published:,} events in {seconds:.0f} s ({published / seconds:,.0f}/s)")
        steps.start("Ceilings: nats-py pull-consume and asyncpg COPY")
        pull = await ceilings.jetstream_pull_rate(
            nc, sample, min(CEILING_MESSAGES, options.events), batch=1000
        )
        copy = await ceilings.copy_rate(stack.database_url, min(CEILING_ROWS, options.events))
        steps.done(f"pull {pull:,.0f} messages/s, COPY {copy:,.0f} rows/s")
    finally:
        await nc.drain()
    load = _load_average()
    steps.start("Rebuilding the projections, then the annual report as HTML and PDF")
    work = _work(stack, options)
    rebuilt, report = work["rebuild"], work["report"]
    steps.done(
        f"{rebuilt['read']:,} events read, {rebuilt['projected']:,} projected in "
        f"{rebuilt['seconds']:.1f} s ({rebuilt['read'] / rebuilt['seconds']:,.0f}/s); "
        f"HTML {report['html']['seconds']:.2f} s, PDF {report['pdf']['seconds']:.2f} s"
    )
    differ = _differences(generator.tally, report["facts"])
    for line in differ:
        steps.fail(line)
    return [
        Figure("machine.load_average_1m", load, ""),
        *_rebuild_figures(rebuilt, published, generator.tally, pull, copy),
        *_report_figures(report),
        Figure(
            "reporting.peak_rss",
            round(int(work["peak_rss_kib"]) / 1024, 1),
            "MiB",
            target=TARGET_PEAK_RSS_MIB,
            better="lower",
        ),
        Figure(
            "reporting.report_figures_differ",
            len(differ),
            "figures",
            target=0,
            better="lower",
            required=True,
        ),
    ]


async def _publish(nc: Client, generator: YearGenerator) -> tuple[int, float, bytes]:
    """Publish every day's messages; returns how many, in how many seconds, and one body
    (for the pull ceiling)."""
    js = nc.jetstream(publish_async_max_pending=MAX_PENDING_ACKS)
    published, sample = 0, b""
    acks: list[asyncio.Future[Any]] = []
    started = time.perf_counter()
    for day in generator.days():
        for message in day:
            acks.append(
                await js.publish_async(message.subject, message.body, headers=message.headers)
            )
            sample = sample or _notification_body(message)
        if len(acks) >= MAX_PENDING_ACKS // 2:
            await asyncio.gather(*acks)
            acks = []
        published += len(day)
    await asyncio.gather(*acks)
    return published, time.perf_counter() - started, sample


def _notification_body(message: Message) -> bytes:
    """The most common message (a notification outcome) is the pull ceiling's sample."""
    return message.body if message.area == "notifications" else b""


def _load_average() -> float:
    try:
        return float(Path("/proc/loadavg").read_text(encoding="ascii").split()[0])
    except (OSError, ValueError, IndexError):
        return 0.0


def _work(stack: RegionStack, options: ReportingBench) -> dict[str, Any]:
    """Run the worker process (see :mod:`dorp_cli.bench.reporting_work`); what it printed."""
    env = {**os.environ, **stack.service_env(options.region.id)}
    command = [
        sys.executable,
        "-m",
        "dorp_cli.bench.reporting_work",
        "all",
        options.region.id,
        str(options.year),
    ]
    if not os.environ.get("DORP_DATABASE_URL") and not os.environ.get("DORP_NATS_URL"):
        command.append(str(stack.data_dir))  # embedded servers: their CPU is read too
    done = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=WORK_TIMEOUT_SECONDS, check=False
    )
    if done.returncode != 0:
        raise BenchFailed(f"the rebuild and report process failed: {done.stderr.strip()[-2000:]}")
    answer: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return answer


def _differences(tally: Tally, facts: dict[str, int]) -> list[str]:
    expected = tally.figures()
    return [
        f"{name}: generated {expected.get(name, 0):,}, the report has {facts.get(name, 0):,}"
        for name in sorted(set(expected) | set(facts))
        if expected.get(name, 0) != facts.get(name, 0)
    ]


def _rebuild_figures(
    answer: dict[str, Any], published: int, tally: Tally, pull: float, copy: float
) -> list[Figure]:
    read, seconds = int(answer["read"]), float(answer["seconds"])
    rate = read / seconds if seconds else 0.0
    per_event = {
        "rebuild": float(answer["cpu_seconds"]),
        **answer["servers_cpu"],
    }
    us = {name: spent * 1e6 / max(read, 1) for name, spent in per_event.items()}
    cores = os.cpu_count() or 1
    return [
        Figure.against(
            "reporting.rebuild_events_per_second",
            round(rate),
            "events/s",
            round(min(pull, copy)),
            target=TARGET_EVENTS_PER_SECOND,
        ),
        Figure("jetstream.raw_pull_consume_per_second", round(pull), "messages/s"),
        Figure("postgres.copy_rows_per_second", round(copy), "rows/s"),
        Figure("reporting.rebuild_seconds", round(seconds, 1), "s"),
        *(Figure(f"cpu_per_event.{name}", round(v, 1), "µs") for name, v in us.items()),
        Figure(
            "reporting.cpu_bound_events_per_second",
            round(cores * 1e6 / sum(us.values())),
            "events/s",
            target=TARGET_EVENTS_PER_SECOND,
        ),
        Figure("reporting.events_generated", published, "events"),
        Figure(
            "reporting.events_not_read",
            published - read,
            "events",
            target=0,
            better="lower",
            required=True,
        ),
        Figure(
            "reporting.events_not_projected",
            tally.kept - int(answer["projected"]),
            "events",
            target=0,
            better="lower",
            required=True,
        ),
    ]


def _report_figures(answer: dict[str, Any]) -> list[Figure]:
    html, pdf = answer["html"], answer["pdf"]
    return [
        Figure(
            "reporting.annual_report_html_seconds",
            round(html["seconds"], 2),
            "s",
            target=TARGET_HTML_SECONDS,
            better="lower",
        ),
        Figure(
            "reporting.annual_report_pdf_seconds",
            round(pdf["seconds"], 2),
            "s",
            target=TARGET_PDF_SECONDS,
            better="lower",
        ),
        Figure("reporting.annual_report_query_seconds", round(html["query_seconds"], 2), "s"),
        Figure("reporting.annual_report_html_size", round(html["bytes"] / 1024), "KiB"),
        Figure("reporting.annual_report_pdf_size", round(pdf["bytes"] / 1024), "KiB"),
    ]
