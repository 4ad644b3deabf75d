"""Sending the workload as partner systems do: request/reply, many requests in flight.

Each worker takes the next parent and sends their registration, then (once it is accepted)
their help request: a partner only refers to a member it registered, so a member's events
are causally ordered, as they would be in real life.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from dataclasses import dataclass, field

from nats.aio.client import Client
from nats.errors import Error as NatsError

from dorp_cli.bench.workload import Parent, Workload

REQUEST_TIMEOUT_SECONDS = 30.0


@dataclass
class Tally:
    """Replies so far; read by the progress printer while the workers run."""

    sent: int = 0
    accepted: int = 0
    duplicates: int = 0
    rejected: Counter[str] = field(default_factory=Counter)
    failed: Counter[str] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)

    @property
    def replies(self) -> int:
        return self.accepted + sum(self.rejected.values())

    @property
    def answered(self) -> int:
        return self.replies + sum(self.failed.values())

    def percentile_ms(self, fraction: float) -> float:
        if not self.latencies:
            return 0.0
        ordered = sorted(self.latencies)
        return round(ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] * 1000, 2)


async def send_workload(nc: Client, workload: Workload, concurrency: int, tally: Tally) -> None:
    parents = iter(workload.parents)

    async def worker() -> None:
        for parent in parents:  # one shared iterator: each parent goes to one worker
            await _send_parent(nc, workload, parent, tally)

    await asyncio.gather(*(worker() for _ in range(concurrency)))


async def _send_parent(nc: Client, workload: Workload, parent: Parent, tally: Tally) -> None:
    registered = await _send(nc, workload.member_subject, parent.registration, tally)
    if registered and parent.request is not None:
        await _send(nc, workload.request_subject, parent.request, tally)


async def _send(nc: Client, subject: str, body: bytes, tally: Tally) -> bool:
    tally.sent += 1
    started = time.perf_counter()
    try:
        message = await nc.request(subject, body, timeout=REQUEST_TIMEOUT_SECONDS)
    except (NatsError, TimeoutError) as exc:
        tally.failed[type(exc).__name__] += 1
        return False
    tally.latencies.append(time.perf_counter() - started)
    reply = json.loads(message.data)
    if reply.get("status") != "accepted":
        tally.rejected[str(reply.get("reason"))] += 1
        return False
    tally.accepted += 1
    tally.duplicates += bool(reply.get("duplicate"))
    return True
