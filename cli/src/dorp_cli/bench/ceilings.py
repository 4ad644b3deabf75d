"""Ceilings: what the tools underneath do on this machine, in the same run.

The JetStream ceiling publishes the same messages the service published (same bodies,
same headers, a fresh ``Nats-Msg-Id`` each, so the stream's duplicate check does the same
work) into a scratch stream configured like the region's streams, with nats-py's async
publish and every acknowledgement awaited.
"""

from __future__ import annotations

import asyncio
import contextlib
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, replace
from pathlib import Path

from nats.aio.client import Client
from nats.errors import Error as NatsError
from nats.js.api import DiscardPolicy, RetentionPolicy, StorageType, StreamConfig
from nats.js.errors import NotFoundError

from dorp_cli.bench.traffic import Tally, send_workload
from dorp_cli.bench.workload import Workload
from dorp_shared.contracts.envelope import MSG_ID_HEADER
from dorp_shared.contracts.subjects import DUPLICATE_WINDOW_SECONDS
from dorp_shared.errors import InfrastructureUnavailable

MAX_PENDING_ACKS = 4000
EXPECTED_STREAM = "Nats-Expected-Stream"  # the relay names its stream too


@dataclass(frozen=True)
class Sample:
    """A message as the service published it."""

    subject: str
    body: bytes
    headers: dict[str, str]


async def jetstream_publish_rate(nc: Client, samples: list[Sample], count: int) -> float:
    """Messages per second, publishing ``count`` messages (cycling through ``samples``)."""
    run = uuid.uuid4().hex[:8]
    stream, prefix = f"DORP_BENCH_SCRATCH_{run.upper()}", f"dorp.bench.{run}"
    js = nc.jetstream(publish_async_max_pending=MAX_PENDING_ACKS)
    await js.add_stream(
        StreamConfig(
            name=stream,
            subjects=[f"{prefix}.>"],
            retention=RetentionPolicy.LIMITS,
            storage=StorageType.FILE,
            discard=DiscardPolicy.OLD,
            duplicate_window=DUPLICATE_WINDOW_SECONDS,
        )
    )
    try:
        started = time.perf_counter()
        acks = []
        for index in range(count):
            sample = samples[index % len(samples)]
            headers = {**sample.headers, MSG_ID_HEADER: f"{run}-{index}", EXPECTED_STREAM: stream}
            acks.append(
                await js.publish_async(f"{prefix}.{sample.subject}", sample.body, headers=headers)
            )
        await asyncio.gather(*acks)
        elapsed = time.perf_counter() - started
    finally:
        with contextlib.suppress(NotFoundError):
            await js.delete_stream(stream)
    return count / elapsed


async def echo_reply_rate(
    nc: Client, url: str, workload: Workload, concurrency: int, log_dir: Path
) -> float:
    """Requests per second a do-nothing nats-py responder answers (set up as partner intake
    is, see :mod:`dorp_cli.bench.echo`), sent exactly as the partner events are (same
    bodies, same concurrency), the responder in its own process."""
    subject = f"dorp.bench.echo.{uuid.uuid4().hex[:8]}"
    process = _start_echo(url, subject, log_dir / "bench-echo.log")
    try:
        await _wait_answering(nc, subject, process)
        echoed = replace(workload, member_subject=subject, request_subject=subject)
        tally = Tally()
        started = time.perf_counter()
        await send_workload(nc, echoed, concurrency, tally)
        return tally.replies / (time.perf_counter() - started)
    finally:
        process.terminate()
        process.wait(15)


def _start_echo(url: str, subject: str, log_path: Path) -> subprocess.Popen[bytes]:
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("ab") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "dorp_cli.bench.echo", url, subject, "plain"],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )


async def _wait_answering(nc: Client, subject: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.perf_counter() + 30
    while time.perf_counter() < deadline and process.poll() is None:
        try:
            await nc.request(subject, b"{}", timeout=0.5)
            return
        except (NatsError, TimeoutError):
            await asyncio.sleep(0.1)
    raise InfrastructureUnavailable("the do-nothing echo service did not answer")


async def jetstream_pull_rate(nc: Client, body: bytes, count: int, batch: int = 256) -> float:
    """Messages per second a durable pull consumer fetches and acknowledges (each ack sent,
    not awaited), from a scratch stream filled beforehand with ``count`` messages of ``body``."""
    run = uuid.uuid4().hex[:8]
    stream, subject = f"DORP_BENCH_PULL_{run.upper()}", f"dorp.bench.pull.{run}"
    js = nc.jetstream(publish_async_max_pending=MAX_PENDING_ACKS)
    await js.add_stream(StreamConfig(name=stream, subjects=[subject], storage=StorageType.FILE))
    try:
        acks = [await js.publish_async(subject, body) for _ in range(count)]
        await asyncio.gather(*acks)
        consumer = await js.pull_subscribe(subject, durable=f"bench-{run}", stream=stream)
        received = 0
        started = time.perf_counter()
        while received < count:
            for message in await consumer.fetch(batch, timeout=5):
                await message.ack()
                received += 1
        elapsed = time.perf_counter() - started
    finally:
        with contextlib.suppress(NotFoundError):
            await js.delete_stream(stream)
    return count / elapsed


async def copy_rate(dsn: str, rows: int) -> float:
    """Rows per second asyncpg's COPY writes into a scratch table shaped like a projection
    (uuid, two short texts, a time)."""
    import asyncpg

    conn = await asyncpg.connect(dsn)
    table = f"bench_copy_{uuid.uuid4().hex[:8]}"
    try:
        await conn.execute(
            f"CREATE UNLOGGED TABLE {table} (id uuid PRIMARY KEY, kind text, area text,"
            " at timestamptz)"
        )
        from datetime import UTC, datetime

        now = datetime.now(UTC)
        records = [(uuid.uuid4(), "babysitting", "lochem", now) for _ in range(rows)]
        started = time.perf_counter()
        await conn.copy_records_to_table(table, records=records)
        elapsed = time.perf_counter() - started
    finally:
        await conn.execute(f"DROP TABLE IF EXISTS {table}")
        await conn.close()
    return rows / elapsed
