"""Sending the workload as partner systems do: request/reply, many requests in flight.

Each worker takes the next parent and sends their registration, then (once it is accepted)
their help request: a partner only refers to a member it registered, so a member's events
are causally ordered, as they would be in real life.

Every event is a NATS request whose reply is read and checked, as a partner does; but not
through ``nc.request``, whose per-request random token (a system call), done-callback and
``wait_for`` timer made the benchmark client itself cost ~75 µs of the machine's CPU per
event. :class:`Requests` numbers its requests on one reply subscription and checks every
deadline once a second instead.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Self

from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription
from nats.errors import Error as NatsError
from nats.errors import NoRespondersError

from dorp_cli.bench.workload import Parent, Workload

REQUEST_TIMEOUT_SECONDS = 30.0
STATUS_HEADER = "Status"
NO_RESPONDERS_STATUS = "503"


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


class Requests:
    """Request/reply over one subscription of our own: each request's reply subject ends in
    a number; a reply resolves the request waiting for that number; a request unanswered
    after ``timeout`` fails with ``TimeoutError`` (checked once a second)."""

    def __init__(self, nc: Client, timeout: float = REQUEST_TIMEOUT_SECONDS) -> None:
        self._nc = nc
        self._timeout = timeout
        self._prefix = f"{nc.new_inbox()}."
        self._numbers = itertools.count()
        self._waiting: dict[str, tuple[asyncio.Future[bytes], float]] = {}
        self._subscription: Subscription | None = None
        self._watch: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Self:
        self._subscription = await self._nc.subscribe(f"{self._prefix}*", cb=self._replied)
        self._watch = asyncio.create_task(self._expire())
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._watch is not None:
            self._watch.cancel()
        if self._subscription is not None:
            await self._subscription.unsubscribe()

    async def request(self, subject: str, body: bytes) -> bytes:
        """Publish ``body`` to ``subject`` and return the reply's body."""
        number = str(next(self._numbers))
        reply: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()
        self._waiting[number] = (reply, time.monotonic() + self._timeout)
        try:
            await self._nc.publish(subject, body, reply=self._prefix + number)
            return await reply
        finally:
            self._waiting.pop(number, None)

    async def _replied(self, msg: Msg) -> None:
        waiting = self._waiting.get(msg.subject[len(self._prefix) :])
        if waiting is None or waiting[0].done():
            return
        if msg.headers and msg.headers.get(STATUS_HEADER) == NO_RESPONDERS_STATUS:
            waiting[0].set_exception(NoRespondersError())
        else:
            waiting[0].set_result(msg.data)

    async def _expire(self) -> None:
        while True:
            await asyncio.sleep(1.0)
            now = time.monotonic()
            for reply, deadline in list(self._waiting.values()):
                if deadline < now and not reply.done():
                    reply.set_exception(TimeoutError())


async def send_workload(nc: Client, workload: Workload, concurrency: int, tally: Tally) -> None:
    parents = iter(workload.parents)
    async with Requests(nc) as requests:

        async def worker() -> None:
            for parent in parents:  # one shared iterator: each parent goes to one worker
                await _send_parent(requests, workload, parent, tally)

        await asyncio.gather(*(worker() for _ in range(concurrency)))


async def _send_parent(
    requests: Requests, workload: Workload, parent: Parent, tally: Tally
) -> None:
    registered = await _send(requests, workload.member_subject, parent.registration, tally)
    if registered and parent.request is not None:
        await _send(requests, workload.request_subject, parent.request, tally)


async def _send(requests: Requests, subject: str, body: bytes, tally: Tally) -> bool:
    tally.sent += 1
    started = time.perf_counter()
    try:
        data = await requests.request(subject, body)
    except (NatsError, TimeoutError) as exc:
        tally.failed[type(exc).__name__] += 1
        return False
    tally.latencies.append(time.perf_counter() - started)
    reply = json.loads(data)
    if reply.get("status") != "accepted":
        tally.rejected[str(reply.get("reason"))] += 1
        return False
    tally.accepted += 1
    tally.duplicates += bool(reply.get("duplicate"))
    return True
