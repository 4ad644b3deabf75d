"""``dorp bench e2e``: a sustained stream of help requests through the whole region, from the
partner's event to stored, proposed, mailed and counted in the report (issue 8).

Untimed set-up: the four services as their own processes, helpers with open offers and the
parents who will ask, all registered. Timed: ``requests`` help requests sent at ``rate`` per
second (open loop: the sender does not wait for answers before the next one is due), and each
hop's arrival noted per request (see :mod:`dorp_cli.bench.hops`). Then the ceilings of the
tools underneath, measured in the same run with the services stopped: nats-py JetStream
publish and pull-consume, and asyncpg COPY.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import nats
from aiosmtpd.controller import Controller
from nats.aio.client import Client
from nats.aio.msg import Msg
from rich.console import Console

from dorp_cli.bench import ceilings
from dorp_cli.bench.environment import servers
from dorp_cli.bench.figures import Figure
from dorp_cli.bench.hops import HOPS, HopClock, percentile
from dorp_cli.bench.memory import RssSampler
from dorp_cli.console import Steps
from dorp_cli.processes import SERVICES, ServiceGroup
from dorp_cli.region_stack import RegionStack
from dorp_cli.stack import free_port
from dorp_shared.contracts.subjects import partner_subject
from dorp_shared.messaging import declare_region
from dorp_shared.regions import Region

TARGET_REQUESTS_PER_SECOND = 2000.0
TARGET_P99_SECONDS = 0.25
KIND = "babysitting"
PARTNER = "bench-e2e"
REQUESTS_PER_HELPER = 10
IN_FLIGHT = 2048


@dataclass(frozen=True)
class EndToEndBench:
    region: Region
    requests: int
    rate: float
    settle_seconds: float
    data_dir: Path | None


class MailClock:
    """An SMTP server that only notes who got mail when (aiosmtpd handler)."""

    def __init__(self, clock: HopClock) -> None:
        self.clock = clock

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.clock.on_mail(envelope.rcpt_tos)
        return "250 OK"


def run_end_to_end_bench(options: EndToEndBench, console: Console) -> list[Figure]:
    steps = Steps(console, total=8)
    with servers(options.data_dir, steps) as stack:
        return asyncio.run(_bench(options, stack, steps))


async def _bench(options: EndToEndBench, stack: RegionStack, steps: Steps) -> list[Figure]:
    region = options.region
    clock = HopClock()
    smtp = Controller(MailClock(clock), hostname="127.0.0.1", port=free_port())
    smtp.start()
    nc = await nats.connect(stack.nats_url, name=f"dorp-{region.id}-bench-e2e")
    try:
        async with _region_running(stack, region, smtp.port, nc, steps) as group:
            samplers = _memory_samplers(group, stack)
            await _register_people(nc, region, options.requests, clock, steps)
            figures = await _timed(nc, stack, region, options, clock, samplers, steps)
        figures += await _ceilings(nc, stack, steps)
    finally:
        await nc.drain()
        smtp.stop()
    return figures


@contextlib.asynccontextmanager
async def _region_running(
    stack: RegionStack, region: Region, smtp_port: int, nc: Client, steps: Steps
) -> AsyncIterator[ServiceGroup]:
    """The four services as processes, proposals straight to the parents (no connector
    review, whatever the region file says: the benchmark measures the machine, not people)."""
    regions_dir = stack.data_dir / "regions"
    regions_dir.mkdir(parents=True, exist_ok=True)
    from dorp_shared.regions import find_regions_dir

    text = (find_regions_dir() / f"{region.id}.toml").read_text(encoding="utf-8")
    (regions_dir / f"{region.id}.toml").write_text(
        text.replace("connector_reviews_proposals = true", "connector_reviews_proposals = false"),
        encoding="utf-8",
    )
    env = {
        **stack.service_env(region.id),
        "DORP_REGIONS_DIR": str(regions_dir),
        "DORP_SMTP_PORT": str(smtp_port),
        "DORP_LOG_LEVEL": "WARNING",
        **{f"DORP_{name.upper()}_HTTP_PORT": "0" for name in SERVICES},
    }
    await declare_region(stack.nats_url, region.id)
    group = ServiceGroup(region.id, env, stack.log_dir)
    steps.start("Starting registration, matching, notifications and reporting as processes")
    group.start()
    try:
        await group.wait_ready(nc)
        steps.done(f"all four answer (logs in {stack.log_dir})")
        yield group
    finally:
        group.stop()


def _memory_samplers(group: ServiceGroup, stack: RegionStack) -> dict[str, RssSampler]:
    from dorp_cli.bench import cpu

    pids = {m.service: m.process.pid for m in group.members if m.process is not None}
    nats_pids = cpu.by_command_line(str(stack.data_dir / "nats" / "jetstream"))()
    postgres_pids = cpu.postgres_of(stack.data_dir / "postgres")()
    if nats_pids:
        pids["nats-server"] = nats_pids[0]
    if postgres_pids:
        pids["postgres (postmaster)"] = min(postgres_pids)
    return {name: RssSampler(pid) for name, pid in pids.items()}


async def _register_people(
    nc: Client, region: Region, requests: int, clock: HopClock, steps: Steps
) -> None:
    """Helpers with an offer each, and the parents who will ask: untimed."""
    helpers = max(2, requests // REQUESTS_PER_HELPER)
    steps.start(f"Registering {helpers:,} helpers with an offer and {requests:,} parents")
    area, language = region.areas[0].id, region.default_language
    run = uuid.uuid4().hex[:6]
    messages: list[tuple[str, dict[str, Any]]] = []
    for n in range(helpers):
        member = f"{run}-h{n}"
        messages.append(("member_registration", _member(member, area, language)))
        offer = {"external_id": f"{member}-o", "member_external_id": member, "kind": KIND}
        messages.append(("help_offer", offer | {"capacity": 50, "age_bands": ["1-4"]}))
    for n in range(requests):
        member = f"{run}-p{n}"
        messages.append(("member_registration", _member(member, area, language)))
        clock.request_by_mail[f"{member}@example.org"] = f"{member}-r"
    await _send_all(nc, region.id, messages, concurrency=256)
    steps.done(f"{len(messages):,} partner events accepted")
    clock.sent.clear()


def _member(external_id: str, area: str, language: str) -> dict[str, Any]:
    return {
        "external_id": external_id,
        "display_name": "Ouder",
        "email": f"{external_id}@example.org",
        "home_area": area,
        "languages": [language],
        "age_bands": ["1-4"],
        "consents": {"matching": True, "notifications": True},
    }


async def _send_all(
    nc: Client, region: str, messages: list[tuple[str, dict[str, Any]]], concurrency: int
) -> None:
    """In order per member (registration first): members go out before their offers."""
    members = [m for m in messages if m[0] == "member_registration"]
    rest = [m for m in messages if m[0] != "member_registration"]
    for part in (members, rest):
        queue = iter(part)

        async def worker(queue: Any = queue) -> None:
            for event, body in queue:
                reply = await nc.request(
                    partner_subject(region, PARTNER, event), json.dumps(body).encode(), timeout=60
                )
                if json.loads(reply.data).get("status") != "accepted":
                    raise RuntimeError(f"set-up event rejected: {reply.data[:300]!r}")

        await asyncio.gather(*(worker() for _ in range(concurrency)))


async def _timed(
    nc: Client,
    stack: RegionStack,
    region: Region,
    options: EndToEndBench,
    clock: HopClock,
    samplers: dict[str, RssSampler],
    steps: Steps,
) -> list[Figure]:
    async def stored(message: Msg) -> None:
        clock.on_event("stored", message.data)

    async def proposed(message: Msg) -> None:
        clock.on_event("proposed", message.data)

    subscriptions = [
        await nc.subscribe(f"dorp.{region.id}.registration.help_requested.>", cb=stored),
        await nc.subscribe(f"dorp.{region.id}.matching.match_proposed.>", cb=proposed),
    ]
    for sampler in samplers.values():
        sampler.start()
    db = await asyncpg.connect(stack.database_url)
    baseline = int(await db.fetchval("SELECT count(*) FROM reporting.requests"))
    steps.start(f"Sending {options.requests:,} help requests at {options.rate:,.0f} per second")
    counting = asyncio.create_task(_count(db, baseline, clock))
    try:
        await _send_requests(nc, region, options, clock)
        steps.done(f"all sent; {clock.complete('accepted'):,} accepted")
        steps.start("Waiting until every request is proposed, mailed and counted")
        await _settle(clock, options)
    finally:
        counting.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await counting
        await db.close()
        for subscription in subscriptions:
            await subscription.unsubscribe()
        for sampler in samplers.values():
            await sampler.stop()
    clock.resolve()
    steps.done(", ".join(f"{hop} {clock.complete(hop):,}" for hop in HOPS))
    return _figures(clock, options, samplers)


async def _count(db: asyncpg.Connection, baseline: int, clock: HopClock) -> None:
    while True:
        counted = int(await db.fetchval("SELECT count(*) FROM reporting.requests")) - baseline
        clock.on_count(counted)
        await asyncio.sleep(0.1)


async def _send_requests(
    nc: Client, region: Region, options: EndToEndBench, clock: HopClock
) -> None:
    subject = partner_subject(region.id, PARTNER, "help_request")
    gate = asyncio.Semaphore(IN_FLIGHT)
    started = time.perf_counter()
    members = sorted(clock.request_by_mail.values())

    async def one(external_id: str) -> None:
        member = external_id.removesuffix("-r")
        body = {"external_id": external_id, "member_external_id": member, "kind": KIND}
        body["age_band"] = "1-4"
        async with gate:
            clock.sent[external_id] = time.perf_counter()
            with contextlib.suppress(TimeoutError, nats.errors.Error):
                reply = await nc.request(subject, json.dumps(body).encode(), timeout=120)
                answer = json.loads(reply.data)
                if answer.get("status") == "accepted":
                    clock.request_of[str(answer.get("dorp_id"))] = external_id
                    clock.mark("accepted", external_id)

    tasks = []
    for index, external_id in enumerate(members):
        due = started + index / options.rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(external_id)))
    await asyncio.gather(*tasks)


async def _settle(clock: HopClock, options: EndToEndBench) -> None:
    deadline = time.perf_counter() + options.settle_seconds
    wanted = clock.complete("accepted")
    while time.perf_counter() < deadline:
        counted = clock.counts[-1][1] if clock.counts else 0
        if clock.complete("mailed") >= wanted and counted >= wanted:
            return
        await asyncio.sleep(0.2)


def _figures(
    clock: HopClock, options: EndToEndBench, samplers: dict[str, RssSampler]
) -> list[Figure]:
    # A request is through when it passed every hop: the slowest hop sets the pace, and the
    # latest hop its latency.
    slowest = min(clock.throughput(hop) for hop in HOPS)
    latest = max(percentile(clock.latencies(hop), 0.99) for hop in HOPS)
    figures = [
        Figure(
            "e2e.requests_per_second",
            round(slowest, 1),
            "requests/s",
            target=TARGET_REQUESTS_PER_SECOND,
        ),
        Figure(
            "e2e.latency_p99",
            round(latest * 1000, 1),
            "ms",
            target=TARGET_P99_SECONDS * 1000,
            better="lower",
        ),
    ]
    for hop in HOPS:
        latencies = clock.latencies(hop)
        figures.append(Figure(f"e2e.{hop}_per_second", round(clock.throughput(hop), 1), "/s"))
        for name, fraction in (("p50", 0.5), ("p95", 0.95), ("p99", 0.99)):
            figures.append(
                Figure(
                    f"e2e.{hop}_latency_{name}",
                    round(percentile(latencies, fraction) * 1000, 1),
                    "ms",
                )
            )
    sent = len(clock.sent)
    for hop in ("proposed", "mailed", "counted"):
        missing = sent - clock.complete(hop)
        figures.append(
            Figure(f"e2e.requests_not_{hop}", missing, "requests", target=0, better="lower")
        )
    figures.append(
        Figure(
            "e2e.mails_delivered_twice",
            clock.mails_twice,
            "mails",
            target=0,
            better="lower",
            required=True,
        )
    )
    for name, sampler in samplers.items():
        figures.append(Figure(f"peak_rss.{name}", sampler.peak_mib, "MiB"))
    return figures


async def _ceilings(nc: Client, stack: RegionStack, steps: Steps) -> list[Figure]:
    steps.start("Measuring the ceilings: JetStream publish and pull-consume, asyncpg COPY")
    body = json.dumps({"payload": {"text": "x" * 400}}).encode()
    sample = ceilings.Sample("ceiling", body, {})
    publish = await ceilings.jetstream_publish_rate(nc, [sample], 20_000)
    pull = await ceilings.jetstream_pull_rate(nc, body, 20_000)
    copy = await ceilings.copy_rate(stack.database_url, 100_000)
    steps.done(f"publish {publish:,.0f}/s, pull {pull:,.0f}/s, COPY {copy:,.0f} rows/s")
    return [
        Figure("jetstream.raw_publish_per_second", round(publish), "messages/s"),
        Figure("jetstream.raw_pull_consume_per_second", round(pull), "messages/s"),
        Figure("postgres.copy_rows_per_second", round(copy), "rows/s"),
    ]
