"""When each help request passed each hop: replied to, stored, proposed, mailed, counted.

Stored and proposed are seen on the events' own subjects (a core NATS subscription beside the
streams), mailed at the SMTP server the notifications service delivers to, counted by polling
the report's projection. A request is known by its id from the partner's reply; a mail by the
address of the parent who asked.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

HOPS = ("accepted", "stored", "proposed", "mailed", "counted")


@dataclass
class HopClock:
    sent: dict[str, float] = field(default_factory=dict)  # external id -> send time
    request_of: dict[str, str] = field(default_factory=dict)  # request id -> external id
    request_by_mail: dict[str, str] = field(default_factory=dict)  # address -> external id
    seen: dict[str, dict[str, float]] = field(default_factory=lambda: {h: {} for h in HOPS})
    counts: list[tuple[float, int]] = field(default_factory=list)  # (time, counted so far)
    by_request_id: dict[str, dict[str, float]] = field(default_factory=dict)
    mails_twice: int = 0

    def mark(self, hop: str, external_id: str | None, at: float | None = None) -> None:
        if external_id is None:
            return
        times = self.seen[hop]
        if hop == "mailed" and external_id in times:
            self.mails_twice += 1
        times.setdefault(external_id, at if at is not None else time.perf_counter())

    def on_event(self, hop: str, data: bytes) -> None:
        """A HelpRequested or MatchProposed envelope: its request id says whose it is. The
        event may come before the partner's reply that names the id, so it is kept by id and
        put on the request in :meth:`resolve`."""
        payload: dict[str, Any] = json.loads(data).get("payload", {})
        times = self.by_request_id.setdefault(hop, {})
        times.setdefault(str(payload.get("request_id")), time.perf_counter())

    def resolve(self) -> None:
        """Events seen by request id, put on the partner's external ids; then the counts."""
        for hop, times in self.by_request_id.items():
            for request_id, at in times.items():
                self.mark(hop, self.request_of.get(request_id), at)
        self.counted_times()

    def on_mail(self, recipients: Iterable[str]) -> None:
        now = time.perf_counter()
        for address in recipients:
            self.mark("mailed", self.request_by_mail.get(address.lower()), now)

    def on_count(self, counted: int) -> None:
        self.counts.append((time.perf_counter(), counted))

    def counted_times(self) -> None:
        """The k-th request sent is taken as counted when the count first reached k (the
        projection keeps no per-request time of its own)."""
        order = sorted(self.sent, key=self.sent.__getitem__)
        position = 0
        for at, counted in self.counts:
            while position < min(counted, len(order)):
                self.seen["counted"].setdefault(order[position], at)
                position += 1

    def latencies(self, hop: str) -> list[float]:
        return sorted(t - self.sent[key] for key, t in self.seen[hop].items() if key in self.sent)

    def throughput(self, hop: str) -> float:
        """Requests through ``hop`` per second, from the first send to the last arrival."""
        if not self.sent or not self.seen[hop]:
            return 0.0
        span = max(self.seen[hop].values()) - min(self.sent.values())
        return len(self.seen[hop]) / span if span > 0 else 0.0

    def complete(self, hop: str) -> int:
        return len(self.seen[hop])


def percentile(ordered: list[float], fraction: float) -> float:
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]
