"""``dorp bench matching`` (issue 4): proposal latency under load with 100,000 open offers,
the matcher's memory, pairing 10,000 parents into coffee dates beside the greedy baseline,
and the online matcher's quality beside an offline optimum.

Latency: the region's open offers (and their helpers) are written straight into matching's
schema (sending 100,000 offers through the service first would only make the run long),
then ``HelpRequested`` events are published to JetStream at a fixed rate (open loop), as
registration publishes them, and each request's latency is the time from its publish until
its ``MatchProposed`` arrives on the matching stream: consumed, matched, committed and
relayed. Matching runs as its own process, so its memory is read from /proc.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import nats
from nats.aio.client import Client
from nats.aio.msg import Msg
from rich.console import Console

from dorp_cli.bench import cpu
from dorp_cli.bench.environment import running_service, servers
from dorp_cli.bench.figures import Figure
from dorp_cli.bench.matching_quality import (
    AGE_BANDS,
    LANGUAGES,
    online_vs_offline,
    pair_parents,
)
from dorp_cli.bench.memory import RssSampler
from dorp_cli.console import Steps
from dorp_cli.region_stack import RegionStack
from dorp_shared.contracts import HelpRequested, MatchProposed, wrap
from dorp_shared.contracts.subjects import event_subject, payload_subject
from dorp_shared.errors import DorpError
from dorp_shared.regions import Region

SERVICE = "matching"
TARGET_P99_MS = 100.0
TARGET_RSS_MIB = 250.0
TARGET_PAIRING_SECONDS = 10.0
TARGET_QUALITY = 0.95
DRAIN_TIMEOUT_SECONDS = 120.0
SEED = 4


@dataclass(frozen=True)
class MatchingBench:
    region: Region
    offers: int
    rate: float
    seconds: float
    parents: int
    schools: int
    data_dir: Path | None


class BenchFailed(DorpError):
    pass


@dataclass
class Latency:
    sent: dict[uuid.UUID, float] = field(default_factory=dict)
    proposed: dict[uuid.UUID, float] = field(default_factory=dict)
    ended: float = 0.0
    """When the run stopped waiting: a request not proposed by then counts as having
    taken at least until then (a lower bound, so the percentiles are never flattered)."""

    def millis(self) -> list[float]:
        return sorted(
            (self.proposed.get(rid, self.ended) - sent) * 1000 for rid, sent in self.sent.items()
        )


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    return values[min(len(values) - 1, int(share * len(values)))]


def run_matching_bench(options: MatchingBench, console: Console) -> list[Figure]:
    steps = Steps(console, total=7)
    with servers(options.data_dir, steps) as stack:
        latency_figures = asyncio.run(_service_part(options, stack, steps))
    steps.start(f"Pairing {options.parents:,} opted-in parents in {options.schools} schools")
    pairing = pair_parents(options.parents, options.schools)
    steps.done(
        f"optimal {pairing.optimal_seconds:.2f} s (quality {pairing.optimal.quality:,.0f}), "
        f"greedy {pairing.greedy_seconds:.2f} s (quality {pairing.greedy.quality:,.0f})"
    )
    single = pair_parents(options.parents, 1)
    steps.done(
        f"one kern of {options.parents:,}: optimal {single.optimal_seconds:.2f} s, "
        f"greedy {single.greedy_seconds:.2f} s"
    )
    steps.start("Online matcher against the offline optimum over one synthetic day")
    quality = online_vs_offline(options.region, requests=600, offers=400)
    steps.done(
        f"online {quality.online:,.1f} vs offline {quality.offline:,.1f} "
        f"({quality.ratio:.1%}); matched {quality.online_matched} vs {quality.offline_matched}"
    )
    return [
        *latency_figures,
        Figure(
            f"pairing {options.parents:,} parents, optimum ({options.schools} schools)",
            round(pairing.optimal_seconds, 2),
            "s",
            target=TARGET_PAIRING_SECONDS,
            better="lower",
        ),
        Figure(
            f"pairing {options.parents:,} parents, optimum, cpu time",
            round(pairing.optimal_cpu_seconds, 2),
            "s",
            target=TARGET_PAIRING_SECONDS,
            better="lower",
        ),
        Figure(
            f"pairing {options.parents:,} parents, greedy baseline",
            round(pairing.greedy_seconds, 2),
            "s",
        ),
        Figure(
            f"pairing {options.parents:,} parents in one kern, optimum",
            round(single.optimal_seconds, 2),
            "s",
            target=TARGET_PAIRING_SECONDS,
            better="lower",
        ),
        Figure.against(
            "date quality: optimum vs greedy (schools)",
            pairing.optimal.quality,
            "score",
            pairing.greedy.quality,
        ),
        Figure.against(
            "date quality: optimum vs greedy (one kern)",
            single.optimal.quality,
            "score",
            single.greedy.quality,
        ),
        Figure(
            "parents left out of a date",
            len(pairing.optimal.unpaired) + len(single.optimal.unpaired),
            "parents",
            target=0,
            better="lower",
            required=True,
        ),
        Figure.against(
            "online matcher quality vs offline optimum",
            round(quality.online, 1),
            "score",
            round(quality.offline, 1),
        ),
        Figure("online / offline quality", round(quality.ratio, 4), "ratio", target=TARGET_QUALITY),
    ]


async def _service_part(options: MatchingBench, stack: RegionStack, steps: Steps) -> list[Figure]:
    region = options.region
    nc = await nats.connect(stack.nats_url, name=f"dorp-{region.id}-bench-matching")
    try:
        async with running_service(stack, region.id, SERVICE, nc, steps) as service:
            assert service.process is not None
            memory = RssSampler(service.process.pid)
            steps.start(f"Writing {options.offers:,} open offers into matching's schema")
            requesters = await _seed(stack.database_url, region, options)
            steps.done(f"{options.offers:,} offers and {len(requesters):,} requesters")
            count = int(options.rate * options.seconds)
            steps.start(f"Publishing {count:,} help requests at {options.rate:,.0f}/s (open loop)")
            meter = cpu.CpuMeter(
                {
                    SERVICE: cpu.only(service.process.pid),
                    "postgres": cpu.postgres_of(stack.data_dir / "postgres"),
                    "nats": cpu.by_command_line(str(stack.data_dir / "nats" / "jetstream")),
                }
            )
            memory.start()
            meter.start()
            latency = await _timed_requests(nc, region, requesters, options, steps)
            spent = meter.stop()
            await memory.stop()
    finally:
        await nc.drain()
    values = latency.millis()
    received = len(latency.proposed)
    achieved = received / max(1e-9, max(latency.proposed.values()) - min(latency.sent.values()))
    steps.done(
        f"{received:,} of {len(latency.sent):,} proposals; p50 {percentile(values, 0.5):.0f} ms, "
        f"p99 {percentile(values, 0.99):.0f} ms; matcher peak RSS {memory.peak_mib} MiB"
    )
    per_proposal = {name: seconds * 1000 / max(1, received) for name, seconds in spent.items()}
    cpu_figures = [
        Figure(f"cpu per proposal: {name}", round(ms, 2), "ms", better="lower")
        for name, ms in per_proposal.items()
    ]
    total_ms = sum(per_proposal.values())
    cores = os.cpu_count() or 1
    cpu_figures.append(
        Figure(
            "cpu-bound proposals per second (cores / cpu per proposal)",
            round(cores * 1000 / total_ms, 1) if total_ms else 0.0,
            "proposals/s",
            target=options.rate,
        )
    )
    return [
        Figure("requests published", len(latency.sent), "requests"),
        Figure(
            "requests proposed within the run",
            received,
            "requests",
            target=len(latency.sent),
            required=False,
        ),
        Figure(
            "proposals per second (sustained)",
            round(achieved, 1),
            "proposals/s",
            target=options.rate,
        ),
        Figure("proposal latency p50", round(percentile(values, 0.5), 1), "ms"),
        Figure("proposal latency p95", round(percentile(values, 0.95), 1), "ms"),
        Figure(
            "proposal latency p99",
            round(percentile(values, 0.99), 1),
            "ms",
            target=TARGET_P99_MS,
            better="lower",
        ),
        Figure("matcher peak RSS", memory.peak_mib, "MiB", target=TARGET_RSS_MIB, better="lower"),
        *cpu_figures,
    ]


async def _seed(
    database_url: str, region: Region, options: MatchingBench
) -> list[tuple[uuid.UUID, str]]:
    """Helpers with one open offer each, spread over kinds and areas, and the members who
    will ask; written with COPY, then analysed so the planner knows the tables' size."""
    rng = random.Random(SEED)
    now = datetime.now(UTC)
    areas = [area.id for area in region.areas]
    kinds = list(region.help_kinds)
    count = int(options.rate * options.seconds)
    members, offers = [], []
    for i in range(options.offers):
        member_id = uuid.UUID(int=rng.getrandbits(128))
        area = areas[i % len(areas)]
        languages = ["nl"] if rng.random() < 0.7 else ["nl", rng.choice(LANGUAGES[1:])]
        members.append((member_id, area, languages, [rng.choice(AGE_BANDS)], True, now, "parent"))
        offers.append(
            (
                uuid.UUID(int=rng.getrandbits(128)),
                member_id,
                kinds[(i // len(areas)) % len(kinds)],
                area,
                languages,
                rng.sample(list(AGE_BANDS), 2),
                rng.choice((1, 2, 3)),
                now,
            )
        )
    requesters = []
    for i in range(count):
        member_id = uuid.UUID(int=rng.getrandbits(128))
        area = areas[i % len(areas)]
        members.append((member_id, area, ["nl"], ["1-4"], True, now, "parent"))
        requesters.append((member_id, area))
    conn = await asyncpg.connect(database_url, server_settings={"search_path": SERVICE})
    try:
        await conn.copy_records_to_table(
            "members",
            records=members,
            columns=[
                "member_id",
                "home_area",
                "languages",
                "age_bands",
                "consents_matching",
                "as_of",
                "role",
            ],
        )
        await conn.copy_records_to_table(
            "offers",
            records=offers,
            columns=[
                "offer_id",
                "member_id",
                "kind",
                "home_area",
                "languages",
                "age_bands",
                "capacity",
                "offered_at",
            ],
        )
        await conn.execute("ANALYZE members; ANALYZE offers; ANALYZE proposals")
    finally:
        await conn.close()
    return requesters


async def _timed_requests(
    nc: Client,
    region: Region,
    requesters: list[tuple[uuid.UUID, str]],
    options: MatchingBench,
    steps: Steps,
) -> Latency:
    latency = Latency()
    everything = asyncio.Event()

    async def on_proposal(msg: Msg) -> None:
        arrived = time.perf_counter()
        payload = json.loads(msg.data)["payload"]
        latency.proposed.setdefault(uuid.UUID(payload["request_id"]), arrived)
        if len(latency.proposed) >= len(requesters):
            everything.set()

    subscription = await nc.subscribe(event_subject(region.id, MatchProposed), cb=on_proposal)
    js = nc.jetstream()
    kinds = list(region.help_kinds)
    interval = 1.0 / options.rate
    started = time.perf_counter()
    pending: list[asyncio.Future[object]] = []
    for i, (member_id, area) in enumerate(requesters):
        due = started + i * interval
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        request = HelpRequested(
            request_id=uuid.uuid4(),
            member_id=member_id,
            kind=kinds[i % len(kinds)],
            home_area=area,
            languages=("nl",),
            age_band="1-4",
        )
        envelope = wrap(request, region=region.id, source="registration")
        latency.sent[request.request_id] = time.perf_counter()
        pending.append(
            asyncio.ensure_future(
                js.publish(
                    payload_subject(region.id, request),
                    envelope.model_dump_json().encode(),
                    headers=envelope.headers(),
                )
            )
        )
    await asyncio.gather(*pending)
    sent_seconds = time.perf_counter() - started
    steps.done(f"published in {sent_seconds:.1f} s; waiting for the proposals")
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(everything.wait(), DRAIN_TIMEOUT_SECONDS)
    latency.ended = time.perf_counter()
    await subscription.unsubscribe()
    if not latency.proposed:
        raise BenchFailed("no proposal arrived; see the matching log")
    return latency
