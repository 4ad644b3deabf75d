"""Prometheus metrics of one service process, served on ``GET /metrics``.

Measured where every message passes (the delivery guard, the outbox relay, the command
transports), never in handlers. Labels stay bounded: a subject that ends in a member id is
collapsed to its event's subject (:func:`subject_label`), and no label holds an id.
Each service has a registry of its own, so several services (or replicas) in one test
process do not share counters.
"""

from __future__ import annotations

import re

from prometheus_client import CONTENT_TYPE_LATEST as PROMETHEUS_CONTENT_TYPE
from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    generate_latest,
)

__all__ = ["PROMETHEUS_CONTENT_TYPE", "ServiceMetrics", "subject_label"]

_EVENT_SUBJECT = re.compile(r"^(dorp\.[a-z0-9_-]+\.[a-z_]+\.[a-z0-9_]+\.v\d+)(\.[^.]+)?$")
_DEADLETTER_SUBJECT = re.compile(r"^dorp\.[a-z0-9_-]+\.deadletter\.[a-z_]+$")
OTHER = "other"
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


def subject_label(subject: str) -> str:
    """``dorp.lochem.registration.help_requested.v1.<member_id>`` →
    ``dorp.lochem.registration.help_requested.v1``; anything not of Dorp's event or
    dead-letter shape → ``other``."""
    match = _EVENT_SUBJECT.match(subject)
    if match:
        return match.group(1)
    return subject if _DEADLETTER_SUBJECT.match(subject) else OTHER


class ServiceMetrics:
    """The metrics one service exposes; every name starts with ``dorp_``."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        ProcessCollector(registry=self.registry)
        PlatformCollector(registry=self.registry)
        reg = self.registry
        self.events_consumed = Counter(
            "dorp_events_consumed",
            "Events handled from a durable consumer, by subject and outcome "
            "(ack: done; retry: put back for redelivery; dead_letter: given up on)",
            ["subject", "outcome"],
            registry=reg,
        )
        self.handler_seconds = Histogram(
            "dorp_event_handler_seconds",
            "Time spent handling one delivery of an event, by subject",
            ["subject"],
            buckets=LATENCY_BUCKETS,
            registry=reg,
        )
        self.redeliveries = Counter(
            "dorp_event_redeliveries",
            "Deliveries of an event after its first, by subject",
            ["subject"],
            registry=reg,
        )
        self.dead_letters = Counter(
            "dorp_dead_letters",
            "Events sent to the dead-letter subject, by reason",
            ["reason"],
            registry=reg,
        )
        self.events_published = Counter(
            "dorp_events_published",
            "Events the outbox relay published (acknowledged by JetStream), by subject",
            ["subject"],
            registry=reg,
        )
        self.publish_failures = Counter(
            "dorp_outbox_publish_failures",
            "Outbox batches whose publishing failed (retried on the next round)",
            registry=reg,
        )
        self.outbox_backlog = Gauge(
            "dorp_outbox_backlog",
            "Committed events not yet published (sampled on scrape)",
            registry=reg,
        )
        self.consumer_pending = Gauge(
            "dorp_consumer_pending_messages",
            "Messages in the stream not yet delivered to the durable consumer: consumer lag "
            "(sampled on scrape)",
            ["stream", "consumer"],
            registry=reg,
        )
        self.consumer_ack_pending = Gauge(
            "dorp_consumer_ack_pending_messages",
            "Messages delivered to the durable consumer and not yet acknowledged "
            "(sampled on scrape)",
            ["stream", "consumer"],
            registry=reg,
        )
        self.commands = Counter(
            "dorp_commands",
            "Commands and queries served, by name, transport (http, nats) and HTTP status",
            ["command", "transport", "status"],
            registry=reg,
        )
        self.command_seconds = Histogram(
            "dorp_command_seconds",
            "Time spent serving one command, by name",
            ["command"],
            buckets=LATENCY_BUCKETS,
            registry=reg,
        )

    def consumed(self, subject: str, outcome: str, seconds: float, deliveries: int) -> None:
        label = subject_label(subject)
        self.events_consumed.labels(label, outcome).inc()
        self.handler_seconds.labels(label).observe(seconds)
        if deliveries > 1:
            self.redeliveries.labels(label).inc()

    def published(self, subject: str) -> None:
        self.events_published.labels(subject_label(subject)).inc()

    def command_served(self, command: str, transport: str, status: int, seconds: float) -> None:
        self.commands.labels(command, transport, str(status)).inc()
        self.command_seconds.labels(command).observe(seconds)

    def exposition(self) -> bytes:
        return generate_latest(self.registry)
