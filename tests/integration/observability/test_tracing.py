"""W3C trace context through every hop: a caller's ``traceparent`` → the command's span →
the outbox relay's publish span → the consuming service's span, all one trace."""

from __future__ import annotations

import json
from collections.abc import Sequence

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.trace import SpanKind

from dorp_matching.bootstrap import DEFINITION as MATCHING
from dorp_registration.bootstrap import DEFINITION as REGISTRATION
from dorp_shared.contracts.subjects import command_subject
from dorp_shared.observability import inject
from dorp_shared.settings import DorpSettings
from tests.support.api import service_api
from tests.support.services import eventually, running_service
from tests.support.tracing import span_recorder

pytestmark = pytest.mark.integration


def member(name: str) -> dict[str, object]:
    return {
        "display_name": name,
        "email": f"{name.lower()}@example.org",
        "home_area": "laren",
        "languages": ["nl"],
        "consents": {"matching": True, "notifications": True},
    }


def named(spans: Sequence[ReadableSpan], name: str) -> list[ReadableSpan]:
    return [span for span in spans if span.name == name]


def parent_of(span: ReadableSpan) -> int | None:
    return span.parent.span_id if span.parent else None


async def test_a_consumed_event_continues_the_trace_of_the_command_that_caused_it(
    settings: DorpSettings,
) -> None:
    recorder = span_recorder()
    recorder.clear()
    region = settings.region
    consumed = f"dorp.{region}.registration.member_registered.v1 process"
    caller = trace.get_tracer("partner-system")
    async with (
        service_api(REGISTRATION, settings) as api,
        running_service(MATCHING, settings),
    ):
        with caller.start_as_current_span("partner form over HTTP") as over_http:
            headers = inject({})
        sanne = member("Sanne")
        registered = await api.http.post("/v1/register_member", json=sanne, headers=headers)
        assert registered.status_code == 200, registered.text
        with caller.start_as_current_span("partner form over NATS") as over_nats:
            nats_headers = inject({})
        subject = command_subject(region, "registration", "register_member")
        body = json.dumps(member("Noor")).encode()
        await api.nc.request(subject, body, timeout=10, headers=nats_headers)

        await eventually(lambda: _true(len(named(recorder.get_finished_spans(), consumed)) >= 2))
    spans = recorder.get_finished_spans()

    commands = named(spans, "command register_member")
    publishes = named(spans, f"dorp.{region}.registration.member_registered.v1 publish")
    consumes = named(spans, consumed)
    for caller_span, transport in ((over_http, "http"), (over_nats, "nats")):
        trace_id = caller_span.get_span_context().trace_id
        (command,) = [c for c in commands if c.context.trace_id == trace_id]
        (publish,) = [p for p in publishes if p.context.trace_id == trace_id]
        (consume,) = [c for c in consumes if c.context.trace_id == trace_id]
        assert command.attributes is not None and command.attributes["dorp.transport"] == transport
        assert parent_of(command) == caller_span.get_span_context().span_id
        assert parent_of(publish) == command.context.span_id
        assert publish.kind == SpanKind.PRODUCER
        assert parent_of(consume) == publish.context.span_id
        assert consume.kind == SpanKind.CONSUMER
        assert consume.attributes is not None and consume.attributes["dorp.outcome"] == "ack"


async def _true(value: bool) -> bool:
    return value
