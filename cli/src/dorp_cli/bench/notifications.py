"""``dorp bench notifications``: e-mails per second to a local SMTP server over pooled
connections, duplicates when the same events are replayed, and peak memory (issue 5).

1. **Sending.** A backlog of ``mails`` pending deliveries (one retention warning each, to
   as many members) is recorded in the notifications schema first, through the service's
   own repositories; then notifications starts as its own process and its dispatcher
   sends the backlog to a local SMTP server (``bench/smtp_sink``, in a process of its
   own, cheap enough not to be what is measured). Timed from the first mail the server
   receives to the last. The ceiling is aiosmtplib alone sending the same number of mails
   to the same server over as many pooled connections.
2. **Replay.** ``events`` retention-warning events go through JetStream, then the same
   events again under other ``Nats-Msg-Id`` s (so the stream keeps them): every warning
   must arrive once, and none twice.

Peak RSS of the notifications process is read from /proc throughout.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import os
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiosmtplib
import nats
from nats.aio.client import Client
from rich.console import Console

from dorp_cli.bench import cpu
from dorp_cli.bench.environment import running_service, servers
from dorp_cli.bench.figures import Figure
from dorp_cli.bench.memory import RssSampler
from dorp_cli.console import Steps
from dorp_cli.region_stack import RegionStack
from dorp_cli.stack import free_port
from dorp_shared.contracts import wrap
from dorp_shared.contracts.events import RetentionWarningIssued
from dorp_shared.contracts.subjects import payload_subject, stream_name
from dorp_shared.errors import DorpError
from dorp_shared.regions import Region

SERVICE = "notifications"
TARGET_MAILS_PER_SECOND = 1000.0
TARGET_PEAK_RSS_MIB = 250.0
WAIT_SECONDS = 600.0
SEED_CHUNK = 1000
MIGRATIONS = ["dorp_shared.migrations", "dorp_notifications.migrations"]


@dataclass(frozen=True)
class NotificationsBench:
    region: Region
    mails: int
    events: int
    pool: int
    data_dir: Path | None
    pipelining: bool = True
    """Whether the SMTP server offers PIPELINING (off: every command waits for its reply)."""


class BenchFailed(DorpError):
    pass


def run_notifications_bench(options: NotificationsBench, console: Console) -> list[Figure]:
    steps = Steps(console, total=8)
    os.environ["DORP_SMTP_POOL_SIZE"] = str(options.pool)  # the service process inherits it
    with servers(options.data_dir, steps) as stack:
        return asyncio.run(_bench(options, stack, steps))


async def _bench(options: NotificationsBench, stack: RegionStack, steps: Steps) -> list[Figure]:
    region = options.region
    members = [uuid.uuid4() for _ in range(max(options.mails, options.events))]
    steps.start(f"Recording {options.mails:,} pending e-mails to {len(members):,} members")
    await _seed(stack.database_url, region, members, options.mails)
    steps.done("stored in the notifications schema, due now")
    async with mail_server(stack.log_dir, pipelining=options.pipelining) as sink:
        stack.smtp_port = sink.port
        nc = await nats.connect(stack.nats_url, name=f"dorp-{region.id}-bench")
        try:
            async with running_service(stack, region.id, SERVICE, nc, steps) as service:
                assert service.process is not None
                rss = RssSampler(service.process.pid)
                rss.start()
                meter = cpu.CpuMeter(_cpu_groups(stack, service.process.pid, sink))
                meter.start()
                steps.start(f"Sending the backlog over {options.pool} pooled SMTP connections")
                sent = await sink.wait_for(options.mails)
                used = meter.stop()
                rate = _rate(sent)
                steps.done(f"{len(sent):,} mails, {rate:,.0f} per second")
                replay = await _replay(nc, region, members[: options.events], sink, steps)
                await rss.stop()
        finally:
            await nc.drain()
        steps.start(f"Ceiling: aiosmtplib alone, {options.mails:,} mails, {options.pool} conns")
        ceiling = await smtp_ceiling(sink, options.mails, options.pool)
        steps.done(f"{ceiling:,.0f} per second")
    figures = _figures(rate, ceiling, replay, rss.peak_mib, options)
    return figures + _cpu_figures(used, options.mails)


@dataclass
class Replay:
    events_per_second: float
    arrived: int
    duplicates: int
    lost: int


async def _replay(
    nc: Client, region: Region, members: list[uuid.UUID], sink: MailSink, steps: Steps
) -> Replay:
    js = nc.jetstream()
    warnings = [
        wrap(
            RetentionWarningIssued(
                member_id=member_id,
                last_active_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=700),
                erase_on=dt.date.today() + dt.timedelta(days=28),
            ),
            region=region.id,
            source="registration",
        )
        for member_id in members
    ]
    before = len(sink.read())
    steps.start(f"Publishing {len(warnings):,} events, then the same events again")
    started = time.perf_counter()
    for round_ in ("first", "replay"):
        for envelope in warnings:
            headers = envelope.headers()
            if round_ == "replay":
                headers["Nats-Msg-Id"] = f"replay-{envelope.event_id}"
            subject = payload_subject(region.id, envelope.payload)
            await js.publish(subject, envelope.model_dump_json().encode(), headers=headers)
    await _consumed(js, region.id, 2 * len(warnings))
    seconds = time.perf_counter() - started
    await sink.wait_for(before + len(warnings))
    await asyncio.sleep(2.0)  # a duplicate would arrive now
    received = sink.read()[before:]
    counts = Counter(message_id for _, message_id in received)
    duplicates = sum(n - 1 for n in counts.values())
    steps.done(f"{len(counts):,} distinct mails, {duplicates} duplicates")
    return Replay(2 * len(warnings) / seconds, len(counts), duplicates, len(warnings) - len(counts))


async def _consumed(js: Any, region: str, messages: int) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    stream = stream_name(region, "registration")
    while time.monotonic() < deadline:
        info = await js.consumer_info(stream, f"{SERVICE}-registration")
        done = info.delivered.stream_seq >= messages
        if done and not info.num_ack_pending and not info.num_pending:
            return
        await asyncio.sleep(0.5)
    raise BenchFailed(f"notifications did not handle {messages:,} events in {WAIT_SECONDS}s")


def _rate(received: list[tuple[float, str]]) -> float:
    if len(received) < 2:
        return 0.0
    seconds = received[-1][0] - received[0][0]
    return (len(received) - 1) / seconds if seconds > 0 else 0.0


def _cpu_groups(stack: RegionStack, service_pid: int, sink: MailSink) -> dict[str, cpu.PidSource]:
    """Embedded servers are found through their data folder; the SMTP server by its log."""
    return {
        SERVICE: cpu.only(service_pid),
        "postgres": cpu.postgres_of(stack.data_dir / "postgres"),
        "nats": cpu.by_command_line(str(stack.data_dir / "nats" / "jetstream")),
        "smtp server": cpu.by_command_line(str(sink.log)),
    }


def _cpu_figures(used: dict[str, float], mails: int) -> list[Figure]:
    """CPU µs per mail for each process group, and what the machine's cores could send if
    nothing else ran on it (the SMTP server left out: it stands for the outside world)."""
    per_mail = {name: seconds * 1e6 / mails for name, seconds in used.items()}
    figures = [Figure(f"cpu per mail: {name}", round(us), "µs") for name, us in per_mail.items()]
    ours = sum(us for name, us in per_mail.items() if name != "smtp server")
    if ours:
        cores = os.cpu_count() or 1
        figures.append(
            Figure(
                "cpu-bound mails per second (Dorp's side)",
                round(cores * 1e6 / ours),
                "mails/s",
                target=TARGET_MAILS_PER_SECOND,
            )
        )
    return figures


def _figures(
    rate: float, ceiling: float, replay: Replay, peak_mib: float, options: NotificationsBench
) -> list[Figure]:
    return [
        Figure.against(
            "e-mails sent per second (pooled SMTP)",
            round(rate, 1),
            "mails/s",
            round(ceiling, 1),
            target=TARGET_MAILS_PER_SECOND,
        ),
        Figure(
            "events handled per second (with the replay)",
            round(replay.events_per_second, 1),
            "events/s",
        ),
        Figure(
            "mails after replaying the events",
            replay.arrived,
            "mails",
            target=options.events,
            required=True,
        ),
        Figure(
            "duplicates after replaying the events",
            replay.duplicates,
            "mails",
            target=0,
            better="lower",
            required=True,
        ),
        Figure("warnings lost", replay.lost, "mails", target=0, better="lower", required=True),
        Figure(
            "notifications peak RSS", peak_mib, "MiB", target=TARGET_PEAK_RSS_MIB, better="lower"
        ),
    ]


async def _seed(dsn: str, region: Region, members: list[uuid.UUID], mails: int) -> None:
    """Members as notifications knows them, and a backlog of pending e-mails to them:
    stored through the service's own repositories, as its handlers would."""
    from dorp_notifications.adapters.uow import PgNotificationsUnitOfWork
    from dorp_notifications.domain.deliveries import plan_delivery
    from dorp_notifications.domain.letters import head_for
    from dorp_notifications.domain.member_letters import RETENTION_WARNING, retention_warning
    from dorp_notifications.domain.model import Recipient
    from dorp_notifications.ports import Planned
    from dorp_shared import db

    await db.migrate(dsn, SERVICE, MIGRATIONS)
    pool = await db.create_pool(dsn, SERVICE, max_size=2)
    now = dt.datetime.now(dt.UTC)
    try:
        for start in range(0, len(members), SEED_CHUNK):
            async with PgNotificationsUnitOfWork(pool, region=region.id, source=SERVICE) as uow:
                for i, member_id in enumerate(members[start : start + SEED_CHUNK], start):
                    recipient = Recipient(
                        member_id,
                        f"Ouder {i}",
                        f"ouder{i}@bench.invalid",
                        None,
                        "email",
                        region.default_language,
                        True,
                    )
                    await uow.recipients.save(recipient)
                    if i >= mails:
                        continue
                    language = region.default_language
                    letter = retention_warning(head_for(region, recipient, language), now.date())
                    delivery = plan_delivery(uuid.uuid4(), recipient, RETENTION_WARNING, language)
                    await uow.deliveries.record(Planned(delivery, letter, now))
    finally:
        await pool.close()


@dataclass
class MailSink:
    """A local SMTP server in its own process; it appends ``<time> <Message-ID>`` per mail
    to ``log`` (flushed often), which the bench reads."""

    port: int
    log: Path

    def read(self) -> list[tuple[float, str]]:
        try:
            lines = self.log.read_text(encoding="ascii").splitlines()
        except OSError:
            return []
        received = []
        for line in lines:
            stamp, _, message_id = line.partition(" ")
            if message_id:
                received.append((float(stamp), message_id))
        return received

    async def wait_for(self, count: int) -> list[tuple[float, str]]:
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            received = self.read()
            if len(received) >= count:
                return received
            await asyncio.sleep(0.25)
        raise BenchFailed(f"the SMTP server got {len(self.read()):,} of {count:,} mails")


@contextlib.asynccontextmanager
async def mail_server(folder: Path, *, pipelining: bool = True) -> AsyncIterator[MailSink]:
    sink, process = _start_sink(folder, pipelining)
    try:
        await _listening(sink.port, process)
        yield sink
    finally:
        process.terminate()
        process.wait(10)


def _start_sink(folder: Path, pipelining: bool) -> tuple[MailSink, subprocess.Popen[bytes]]:
    folder.mkdir(parents=True, exist_ok=True)
    sink = MailSink(free_port(), folder / "bench-mail.log")
    sink.log.unlink(missing_ok=True)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "dorp_cli.bench.smtp_sink",
            str(sink.port),
            str(sink.log),
            *([] if pipelining else ["--no-pipelining"]),
        ],
        stdin=subprocess.DEVNULL,
    )
    return sink, process


async def _listening(port: int, process: subprocess.Popen[bytes]) -> None:
    for _ in range(600):
        if process.poll() is not None:
            raise BenchFailed(f"the bench's SMTP server exited with {process.returncode}")
        with contextlib.suppress(OSError):
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            return
        await asyncio.sleep(0.1)
    raise BenchFailed(f"the bench's SMTP server did not listen on port {port}")


async def smtp_ceiling(sink: MailSink, mails: int, pool: int) -> float:
    """aiosmtplib alone: the same number of small mails over ``pool`` open connections,
    written out beforehand (so the figure is the transport's, not ``email``'s)."""
    before = len(sink.read())
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(mails):
        queue.put_nowait(i)

    async def connection() -> None:
        async with _client(sink.port) as client:
            while not queue.empty():
                i = queue.get_nowait()
                to = f"o{i}@bench.invalid"
                await client.sendmail("bench@dorp.invalid", [to], _ceiling_mail(i, to))

    await asyncio.gather(*(connection() for _ in range(pool)))
    received = (await sink.wait_for(before + mails))[before:]
    return _rate(received)


def _ceiling_mail(i: int, to: str) -> bytes:
    head = f"From: bench@dorp.invalid\r\nTo: {to}\r\nSubject: ceiling\r\n"
    head += f"Message-ID: <ceiling-{i}@dorp>\r\nContent-Type: text/plain; charset=utf-8\r\n"
    return (head + "\r\n" + "Hoi, dit is een meting.\r\n" * 10).encode()


@contextlib.asynccontextmanager
async def _client(port: int) -> AsyncIterator[aiosmtplib.SMTP]:
    client = aiosmtplib.SMTP(hostname="127.0.0.1", port=port, timeout=30)
    await client.connect()
    try:
        yield client
    finally:
        await client.quit()
