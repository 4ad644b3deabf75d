"""Reading a stream back after a run: did every accepted event arrive once, and in order?

Outside the timed window. Member-scoped events end their subject in the member id, so the
subject alone tells whose event it is; the event type is in a header.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from nats.aio.client import Client
from nats.errors import TimeoutError as NatsTimeout
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

from dorp_cli.bench.ceilings import Sample
from dorp_shared.contracts.envelope import EVENT_TYPE_HEADER, MSG_ID_HEADER

FETCH_BATCH = 1000
SAMPLES_KEPT = 500


@dataclass
class StreamCheck:
    """What the stream holds for the run's members."""

    expected_order: tuple[str, ...]
    events: int = 0
    event_ids: set[str] = field(default_factory=set)
    by_member: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    samples: list[Sample] = field(default_factory=list)

    def add(self, subject: str, headers: dict[str, str], body: bytes) -> None:
        self.events += 1
        self.event_ids.add(headers.get(MSG_ID_HEADER, ""))
        self.by_member[subject.rsplit(".", 1)[-1]].append(headers.get(EVENT_TYPE_HEADER, ""))
        if len(self.samples) < SAMPLES_KEPT:
            self.samples.append(Sample(subject, body, headers))

    @property
    def duplicates(self) -> int:
        return self.events - len(self.event_ids)

    def out_of_order(self) -> int:
        """Members whose events are not a prefix of the expected order (registration first)."""
        return sum(
            1
            for types in self.by_member.values()
            if tuple(types) != self.expected_order[: len(types)]
        )


async def read_stream(
    nc: Client,
    stream: str,
    subject: str,
    after_seq: int,
    members: Iterable[uuid.UUID],
    expected_order: tuple[str, ...],
) -> StreamCheck:
    """Every message after ``after_seq`` that belongs to one of ``members``."""
    wanted = {str(member) for member in members}
    check = StreamCheck(expected_order)
    js = nc.jetstream()
    last_seq = (await js.stream_info(stream)).state.last_seq
    if last_seq <= after_seq:
        return check
    subscription = await js.pull_subscribe(
        subject,
        stream=stream,
        config=ConsumerConfig(
            deliver_policy=DeliverPolicy.BY_START_SEQUENCE,
            opt_start_seq=after_seq + 1,
            ack_policy=AckPolicy.NONE,
            inactive_threshold=30.0,
        ),
    )
    try:
        seen_seq = after_seq
        while seen_seq < last_seq:
            try:
                messages = await subscription.fetch(FETCH_BATCH, timeout=5)
            except NatsTimeout:
                break
            for message in messages:
                seen_seq = message.metadata.sequence.stream
                if message.subject.rsplit(".", 1)[-1] in wanted:
                    check.add(message.subject, dict(message.headers or {}), message.data)
    finally:
        await subscription.unsubscribe()
    return check
