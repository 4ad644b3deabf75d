"""``dorp bench registration``: partner events validated, stored and published per second,
beside the raw JetStream publish rate measured in the same run (issue 3).

Timed from the first request until every reply came back and every accepted event was in
the registration stream. Then, outside the timed window, the stream is read back (every
accepted event once, each member's registration before their request), and two ceilings
are measured with the same messages: nats-py publishing to JetStream, and a nats-py
responder that answers without doing anything.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from dataclasses import dataclass
from pathlib import Path

import nats
from nats.aio.client import Client
from nats.js import JetStreamContext
from rich.console import Console

from dorp_cli.bench import cpu
from dorp_cli.bench.ceilings import Sample, echo_reply_rate, jetstream_publish_rate
from dorp_cli.bench.environment import running_service, servers
from dorp_cli.bench.figures import Figure
from dorp_cli.bench.memory import RssSampler
from dorp_cli.bench.stream_check import StreamCheck, read_stream
from dorp_cli.bench.traffic import Tally, send_workload
from dorp_cli.bench.workload import Workload, parents_workload
from dorp_cli.console import Steps
from dorp_cli.region_stack import RegionStack
from dorp_shared.contracts.events import HelpRequested, MemberRegistered
from dorp_shared.contracts.subjects import area_events, stream_name
from dorp_shared.errors import DorpError
from dorp_shared.regions import Region

SERVICE = "registration"
TARGET_EVENTS_PER_SECOND = 5000.0
TARGET_PEAK_RSS_MIB = 250.0
PUBLISH_TIMEOUT_SECONDS = 120.0
EXPECTED_ORDER = (MemberRegistered.event_type(), HelpRequested.event_type())


@dataclass(frozen=True)
class RegistrationBench:
    region: Region
    events: int
    concurrency: int
    data_dir: Path | None


@dataclass
class Run:
    """What one timed run measured."""

    tally: Tally
    replied_seconds: float = 0.0
    published_seconds: float = 0.0
    cpu_seconds: dict[str, float] | None = None
    peak_rss_mib: float = 0.0

    @property
    def stored(self) -> int:
        return self.tally.accepted - self.tally.duplicates


@dataclass
class Ceilings:
    """The tools underneath, measured in the same run with the same messages."""

    publish: float
    replies: float = 0.0


class BenchFailed(DorpError):
    pass


def run_registration_bench(options: RegistrationBench, console: Console) -> list[Figure]:
    steps = Steps(console, total=7)
    with servers(options.data_dir, steps) as stack:
        return asyncio.run(_bench(options, stack, steps))


async def _bench(options: RegistrationBench, stack: RegionStack, steps: Steps) -> list[Figure]:
    region = options.region.id
    nc = await nats.connect(stack.nats_url, name=f"dorp-{region}-bench")
    try:
        async with running_service(stack, region, SERVICE, nc, steps) as service:
            assert service.process is not None
            pid = service.process.pid
            stream = await StreamProbe.of(nc.jetstream(), stream_name(region, SERVICE))
            workload = parents_workload(options.region, options.events)
            steps.start(
                f"Sending {workload.events:,} partner events, {options.concurrency} at a time"
            )
            run = await _timed_run(nc, workload, options, stream, _cpu_groups(stack, pid), steps)
            steps.start("Reading the stream back: every accepted event once, in order")
            members = (parent.member_id for parent in workload.parents)
            subject = area_events(region, SERVICE)
            check = await read_stream(
                nc, stream.name, subject, stream.after_seq, members, EXPECTED_ORDER
            )
            _report_check(check, run, steps)
        ceilings = await _ceilings(nc, stack, workload, options, check, steps)
    finally:
        await nc.drain()
    return _figures(run, check, ceilings)


async def _ceilings(
    nc: Client,
    stack: RegionStack,
    workload: Workload,
    options: RegistrationBench,
    check: StreamCheck,
    steps: Steps,
) -> Ceilings:
    """Measured with the service stopped, so it takes nothing from them."""
    steps.start("Measuring the raw nats-py JetStream publish rate (same messages)")
    publish = await jetstream_publish_rate(nc, _samples(check, workload), options.events)
    steps.done(f"{publish:,.0f} messages/s")
    steps.start("Measuring a do-nothing nats-py responder's replies (same requests)")
    replies = await echo_reply_rate(
        nc, stack.nats_url, workload, options.concurrency, stack.log_dir
    )
    steps.done(f"{replies:,.0f} replies/s")
    return Ceilings(publish, replies)


def _cpu_groups(stack: RegionStack, service_pid: int) -> dict[str, cpu.PidSource]:
    """Embedded servers are found through their data folder; configured ones are not ours
    to measure."""
    return {
        SERVICE: cpu.only(service_pid),
        "postgres": cpu.postgres_of(stack.data_dir / "postgres"),
        "nats": cpu.by_command_line(str(stack.data_dir / "nats" / "jetstream")),
        "bench client": cpu.only(os.getpid()),
    }


@dataclass(frozen=True)
class StreamProbe:
    """How many messages reached a stream since the run began."""

    js: JetStreamContext
    name: str
    after_seq: int

    @classmethod
    async def of(cls, js: JetStreamContext, name: str) -> StreamProbe:
        return cls(js, name, (await js.stream_info(name)).state.last_seq)

    async def arrived(self) -> int:
        return int((await self.js.stream_info(self.name)).state.last_seq) - self.after_seq

    async def wait_for(self, count: int) -> None:
        deadline = time.perf_counter() + PUBLISH_TIMEOUT_SECONDS
        while await self.arrived() < count:
            if time.perf_counter() > deadline:
                raise BenchFailed(
                    f"accepted events did not all reach stream {self.name} within "
                    f"{PUBLISH_TIMEOUT_SECONDS:.0f} s; see the service log"
                )
            await asyncio.sleep(0.02)


async def _timed_run(
    nc: Client,
    workload: Workload,
    options: RegistrationBench,
    stream: StreamProbe,
    cpu_groups: dict[str, cpu.PidSource],
    steps: Steps,
) -> Run:
    run = Run(Tally())
    meter = cpu.CpuMeter(cpu_groups)
    memory = RssSampler(cpu_groups[SERVICE]()[0])
    started = time.perf_counter()
    meter.start()
    memory.start()
    progress = asyncio.create_task(_progress(stream, run, memory, started, steps))
    try:
        await send_workload(nc, workload, options.concurrency, run.tally)
        run.replied_seconds = time.perf_counter() - started
        steps.done(f"all replies in after {run.replied_seconds:.2f} s; waiting for the stream")
        await stream.wait_for(run.stored)
        run.published_seconds = time.perf_counter() - started
        run.cpu_seconds = meter.stop()
    finally:
        progress.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await progress
        await memory.stop()
    run.peak_rss_mib = memory.peak_mib
    steps.done(f"all accepted events in the stream after {run.published_seconds:.2f} s")
    return run


async def _progress(
    stream: StreamProbe, run: Run, memory: RssSampler, started: float, steps: Steps
) -> None:
    while True:
        await asyncio.sleep(1.0)
        elapsed = time.perf_counter() - started
        published = await stream.arrived()
        tally = run.tally
        steps.info(
            f"{elapsed:5.1f} s  replies {tally.answered:,}/{tally.sent:,}"
            f"  in stream {published:,} ({published / elapsed:,.0f}/s)"
            f"  rejected {sum(tally.rejected.values()):,}"
            f"  RSS {memory.current_kib / 1024:,.0f} MiB"
        )


def _report_check(check: StreamCheck, run: Run, steps: Steps) -> None:
    tally = run.tally
    if tally.rejected or tally.failed:
        steps.fail(f"rejected {dict(tally.rejected)}, failed {dict(tally.failed)}")
    summary = (
        f"{check.events:,} events for {len(check.by_member):,} members; "
        f"missing {run.stored - len(check.event_ids)}, published twice {check.duplicates}, "
        f"out of order {check.out_of_order()}"
    )
    if run.stored != len(check.event_ids) or check.duplicates or check.out_of_order():
        steps.fail(summary)
    else:
        steps.done(summary)


def _samples(check: StreamCheck, workload: Workload) -> list[Sample]:
    """The service's own messages; if none arrived, the partner bodies (a similar size)."""
    if check.samples:
        return check.samples
    return [Sample("fallback", parent.registration, {}) for parent in workload.parents[:100]]


def _figures(run: Run, check: StreamCheck, ceilings: Ceilings) -> list[Figure]:
    tally = run.tally
    return [
        Figure.against(
            "registration.partner_events_per_second",
            round(run.stored / run.published_seconds, 1),
            "events/s",
            round(ceilings.publish, 1),
            target=TARGET_EVENTS_PER_SECOND,
        ),
        Figure("jetstream.raw_publish_per_second", round(ceilings.publish, 1), "messages/s"),
        Figure.against(
            "registration.partner_replies_per_second",
            round(tally.replies / run.replied_seconds, 1),
            "replies/s",
            round(ceilings.replies, 1),
        ),
        Figure("nats.echo_replies_per_second", round(ceilings.replies, 1), "replies/s"),
        Figure("registration.reply_latency_p50", tally.percentile_ms(0.50), "ms", better="lower"),
        Figure("registration.reply_latency_p99", tally.percentile_ms(0.99), "ms", better="lower"),
        Figure(
            "registration.peak_rss",
            run.peak_rss_mib,
            "MiB",
            target=TARGET_PEAK_RSS_MIB,
            better="lower",
        ),
        *_cpu_figures(run),
        *_correctness_figures(run, check),
    ]


def _cpu_figures(run: Run) -> list[Figure]:
    """CPU per event of each process we could see, and what the machine's cores would allow
    if nothing else ran: the ceiling that does not move with the machine's other load."""
    spent = {name: seconds for name, seconds in (run.cpu_seconds or {}).items() if seconds > 0}
    if not spent or not run.stored:
        return []
    per_event = {name: seconds / run.stored * 1e6 for name, seconds in spent.items()}
    total = sum(per_event.values())
    figures = [
        Figure(f"cpu_per_event.{name.replace(' ', '_')}", round(micros, 1), "µs", better="lower")
        for name, micros in per_event.items()
    ]
    cores = os.cpu_count() or 1
    figures.append(Figure("cpu_per_event.total", round(total, 1), "µs", better="lower"))
    figures.append(
        Figure("registration.cpu_bound_events_per_second", round(cores * 1e6 / total), "events/s")
    )
    return figures


def _correctness_figures(run: Run, check: StreamCheck) -> list[Figure]:
    """Every event accepted, in the stream exactly once, each member's in order: a run
    that misses one of these failed, however fast it was."""
    tally = run.tally
    not_accepted = sum(tally.rejected.values()) + sum(tally.failed.values())
    lost_or_twice = abs(run.stored - len(check.event_ids)) + check.duplicates
    return [
        Figure("registration.events_accepted", float(run.stored), "events"),
        _must_be_zero("registration.events_not_accepted", not_accepted, "events"),
        _must_be_zero("registration.events_lost_or_twice", lost_or_twice, "events"),
        _must_be_zero("registration.members_out_of_order", check.out_of_order(), "members"),
    ]


def _must_be_zero(name: str, value: int, unit: str) -> Figure:
    return Figure(name, float(value), unit, target=0, better="lower", required=True)
