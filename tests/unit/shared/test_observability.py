"""Correlation ids, trace context and metric labels, without NATS or PostgreSQL."""

from __future__ import annotations

import asyncio
import uuid

from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.trace import format_span_id, format_trace_id

from dorp_shared.contracts import HelpRequested
from dorp_shared.contracts.envelope import CORRELATION_HEADER
from dorp_shared.observability import (
    Carried,
    ServiceMetrics,
    correlation_from,
    correlation_scope,
    current_correlation_id,
    extract,
    inject,
    subject_label,
)
from dorp_shared.observability.correlation import add_correlation_id
from dorp_shared.observability.health import unready_reasons
from dorp_shared.uow import FakeUnitOfWork

MEMBER = "0b6a6f9e-4a8e-4a55-9a59-2d6a4d3f0c11"


def request() -> HelpRequested:
    return HelpRequested(
        request_id=uuid.uuid4(),
        member_id=uuid.UUID(MEMBER),
        kind="babysitting",
        home_area="laren",
        languages=("nl",),
    )


def test_member_ids_are_collapsed_out_of_subject_labels() -> None:
    subject = f"dorp.lochem.registration.help_requested.v1.{MEMBER}"
    assert subject_label(subject) == "dorp.lochem.registration.help_requested.v1"
    assert subject_label("dorp.lochem.matching.match_proposed.v1") == (
        "dorp.lochem.matching.match_proposed.v1"
    )
    assert subject_label("dorp.lochem.deadletter.matching") == "dorp.lochem.deadletter.matching"
    assert subject_label(f"dorp.lochem.registration.x.v1.{MEMBER}.more") == "other"
    assert subject_label("someone.else") == "other"


def test_a_correlation_header_is_carried_on_and_a_bad_one_replaced() -> None:
    assert correlation_from({CORRELATION_HEADER: "partner-42"}) == "partner-42"
    started = correlation_from({})
    assert uuid.UUID(started)  # a new id, not empty
    assert correlation_from({CORRELATION_HEADER: "x" * 500}) != "x" * 500
    assert correlation_from({CORRELATION_HEADER: "two\nlines"}) != "two\nlines"


async def test_events_emitted_while_handling_inherit_its_correlation_id() -> None:
    uow = FakeUnitOfWork()
    with correlation_scope("partner-42"):
        async with uow:
            inherited = await uow.emit(request())
    async with uow:
        fresh = await uow.emit(request())
    assert inherited.correlation_id == "partner-42"
    assert fresh.correlation_id == str(fresh.event_id)  # outside any scope: starts its own
    assert current_correlation_id() is None


async def test_a_cause_wins_over_the_current_correlation_id() -> None:
    uow = FakeUnitOfWork()
    with correlation_scope("first"):
        async with uow:
            cause = await uow.emit(request())
    with correlation_scope("second"):
        async with uow:
            caused = await uow.emit(request(), cause=cause)
    assert caused.correlation_id == "first"
    assert caused.causation_id == cause.event_id


def test_trace_context_survives_a_trip_through_headers() -> None:
    tracer = TracerProvider().get_tracer("test")
    with tracer.start_as_current_span("emit") as span:
        headers = inject({CORRELATION_HEADER: "c"})
    assert headers[CORRELATION_HEADER] == "c"
    context = span.get_span_context()
    assert headers["traceparent"].startswith(
        f"00-{format_trace_id(context.trace_id)}-{format_span_id(context.span_id)}-"
    )
    with tracer.start_as_current_span("consume", context=extract(headers)) as child:
        pass
    assert child.parent is not None and child.parent.span_id == context.span_id
    assert child.get_span_context().trace_id == context.trace_id


def test_a_line_logged_while_handling_names_the_correlation_id() -> None:
    with correlation_scope("partner-42"):
        logged = add_correlation_id(None, "info", {"event": "partner.rejected"})
        kept = add_correlation_id(None, "info", {"event": "x", "correlation_id": "other"})
    assert logged["correlation_id"] == "partner-42"
    assert kept["correlation_id"] == "other"  # a line naming one itself keeps it
    assert "correlation_id" not in add_correlation_id(None, "info", {"event": "idle"})


async def test_carried_context_is_restored_in_another_task() -> None:
    with correlation_scope("lane-work"):
        carried = Carried.now()

    async def in_lane() -> str | None:
        with carried.restored():
            return current_correlation_id()

    assert await asyncio.create_task(in_lane()) == "lane-work"
    assert current_correlation_id() is None


def test_metrics_count_outcomes_and_redeliveries_by_event_not_member() -> None:
    metrics = ServiceMetrics()
    subject = f"dorp.lochem.registration.help_requested.v1.{MEMBER}"
    metrics.consumed(subject, "retry", 0.01, deliveries=1)
    metrics.consumed(subject, "ack", 0.02, deliveries=2)
    metrics.published("dorp.lochem.matching.match_proposed.v1")
    metrics.command_served("register_member", "http", 422, 0.003)
    text = metrics.exposition().decode()

    label = 'subject="dorp.lochem.registration.help_requested.v1"'
    assert f'dorp_events_consumed_total{{outcome="ack",{label}}} 1.0' in text
    assert f'dorp_events_consumed_total{{outcome="retry",{label}}} 1.0' in text
    assert f"dorp_event_redeliveries_total{{{label}}} 1.0" in text
    assert f"dorp_event_handler_seconds_count{{{label}}} 2.0" in text
    assert 'dorp_events_published_total{subject="dorp.lochem.matching.match_proposed.v1"} 1.0' in (
        text
    )
    assert (
        'dorp_commands_total{command="register_member",status="422",transport="http"} 1.0' in text
    )
    assert MEMBER not in text


async def test_readiness_names_every_reason_it_is_not_ready() -> None:
    reasons = await unready_reasons(consuming=False, nats_connected=False, pool=None)
    assert reasons == ["consumers not started", "NATS not connected", "database pool not open"]
