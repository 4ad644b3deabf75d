"""Every service serves ``/health/live``, ``/health/ready`` and Prometheus ``/metrics`` on
its HTTP port, measured where messages pass, with labels that never hold a member id."""

from __future__ import annotations

import importlib
import json
import uuid
from typing import Any

import httpx
import pytest
from nats.js import JetStreamContext
from nats.js.api import ConsumerConfig

from dorp_matching.bootstrap import DEFINITION as MATCHING
from dorp_shared.contracts import MemberRegistered, wrap
from dorp_shared.contracts.envelope import CORRELATION_HEADER, Event
from dorp_shared.contracts.subjects import payload_subject, stream_name
from dorp_shared.messaging import area_subscriber
from dorp_shared.observability import ServiceMetrics
from dorp_shared.observability.sampling import sample_consumers
from dorp_shared.service import Runtime, ServiceDefinition
from dorp_shared.settings import DorpSettings
from tests.support.events import asks, parent
from tests.support.metrics import Scrape, scrape
from tests.support.services import eventually, nats_client, running_service

pytestmark = pytest.mark.integration


async def publish(js: JetStreamContext, region: str, payload: Event) -> None:
    envelope = wrap(payload, region=region, source="registration")
    await js.publish(
        payload_subject(region, payload),
        envelope.model_dump_json().encode(),
        headers=envelope.headers(),
    )


async def publish_broken(js: JetStreamContext, region: str, like: MemberRegistered) -> None:
    """A ``member_registered`` whose payload breaks the contract."""
    headers = wrap(like, region=region, source="registration").headers()
    body = json.dumps({"payload": {"member_id": "not-an-id"}}).encode()
    await js.publish(payload_subject(region, like), body, headers=headers)


def listener() -> ServiceDefinition:
    """The smallest service: one durable consumer, no command API, no web pages."""

    def wire(runtime: Runtime) -> None:
        sub = area_subscriber(
            runtime.broker,
            region=runtime.region.id,
            service="listener",
            area="matching",
            max_deliver=runtime.settings.max_deliver,
        )

        @sub
        async def on_any() -> None:
            pass

    return ServiceDefinition(
        name="listener", description="test", migrations="dorp_shared.migrations", wire=wire
    )


@pytest.mark.parametrize("service", ["registration", "matching", "notifications", "reporting"])
async def test_every_service_is_ready_and_measured(settings: DorpSettings, service: str) -> None:
    definition = importlib.import_module(f"dorp_{service}.bootstrap").DEFINITION
    async with running_service(definition, settings) as runtime:
        assert runtime.http is not None
        async with httpx.AsyncClient(base_url=runtime.http.url, timeout=10) as http:
            ready = await http.get("/health/ready")
        metrics = await scrape(runtime.http.url)
    assert ready.status_code == 200, ready.text
    assert ready.json() == {"service": service, "region": settings.region, "status": "ready"}
    assert "dorp_outbox_backlog" in metrics.text
    assert metrics.total("dorp_consumer_pending_messages") == 0  # idle: nothing to catch up


async def test_a_service_without_command_api_serves_health_and_metrics(
    settings: DorpSettings,
) -> None:
    async with running_service(listener(), settings) as runtime:
        assert runtime.http is not None, "a service without a command API must serve HTTP"
        async with httpx.AsyncClient(base_url=runtime.http.url, timeout=10) as http:
            live = await http.get("/health/live")
            ready = await http.get("/health/ready")
            metrics = await scrape(runtime.http.url)

            assert live.status_code == 200 and live.json()["service"] == "listener"
            assert ready.status_code == 200, ready.text
            assert ready.json()["status"] == "ready"
            matching_stream = stream_name(settings.region, "matching")
            lag = metrics.value(
                "dorp_consumer_pending_messages",
                stream=matching_stream,
                consumer="listener-matching",
            )
            assert lag == 0.0 and "listener-matching" in metrics.text
            assert "dorp_outbox_backlog 0.0" in metrics.text

            await runtime.pool.close()  # the database "goes away"
            not_ready = await http.get("/health/ready")
            still_live = await http.get("/health/live")

    assert not_ready.status_code == 503
    assert not_ready.json()["status"] == "not_ready"
    assert any("database" in reason for reason in not_ready.json()["reasons"])
    assert still_live.status_code == 200  # not ready is no reason to restart the process


async def test_consumer_lag_is_what_the_durable_consumer_has_not_yet_received(
    settings: DorpSettings,
) -> None:
    region = settings.region
    async with running_service(listener(), settings), nats_client(settings.nats_url or "") as nc:
        js = nc.jetstream()
        stream = stream_name(region, "registration")
        await js.add_consumer(stream, ConsumerConfig(durable_name="idle-reader"))
        for _ in range(3):
            await publish(js, region, parent())
        metrics = ServiceMetrics()
        await sample_consumers(metrics, js, [(stream, "idle-reader")])

    text = metrics.exposition().decode()
    assert f'dorp_consumer_pending_messages{{consumer="idle-reader",stream="{stream}"}} 3.0' in text


async def test_matching_counts_outcomes_retries_dead_letters_and_commands(
    settings: DorpSettings,
) -> None:
    region = settings.region
    anna = parent()
    patient = settings.model_copy(update={"max_deliver": 10})  # retried long enough
    async with (
        running_service(MATCHING, patient) as runtime,
        nats_client(settings.nats_url or "") as nc,
    ):
        assert runtime.http is not None
        js = nc.jetstream()
        await publish(js, region, asks(anna))  # before its member: retried until she is known

        async def retried() -> Scrape | None:
            metrics = await scrape(runtime.http.url)  # type: ignore[union-attr]
            return metrics if metrics.total("dorp_events_consumed_total", outcome="retry") else None

        await eventually(retried)
        await publish(js, region, anna)
        await publish_broken(js, region, parent())

        async def settled() -> Scrape | None:
            metrics = await scrape(runtime.http.url)  # type: ignore[union-attr]
            done = metrics.total("dorp_events_consumed_total", outcome="ack") >= 2
            dead = metrics.total("dorp_dead_letters_total") >= 1
            return metrics if done and dead else None

        metrics: Scrape = await eventually(settled)
        async with httpx.AsyncClient(base_url=runtime.http.url, timeout=10) as http:
            unknown = await http.post(
                "/v1/get_proposal",
                json={"proposal_id": str(uuid.uuid4())},
                headers={CORRELATION_HEADER: "support-ticket-17"},
            )
        after_command = await scrape(runtime.http.url)

    request_subject = f"dorp.{region}.registration.help_requested.v1"
    member_subject = f"dorp.{region}.registration.member_registered.v1"

    def consumed(subject: str, outcome: str) -> float:
        return metrics.value("dorp_events_consumed_total", subject=subject, outcome=outcome)

    assert consumed(request_subject, "ack") == 1
    assert consumed(request_subject, "retry") >= 1
    assert metrics.value("dorp_event_redeliveries_total", subject=request_subject) >= 1
    assert consumed(member_subject, "ack") == 1
    assert consumed(member_subject, "dead_letter") == 1
    assert metrics.value("dorp_dead_letters_total", reason="invalid_contract") == 1
    assert metrics.value("dorp_event_handler_seconds_count", subject=request_subject) >= 2
    assert str(anna.member_id) not in metrics.text

    assert unknown.status_code == 404
    assert unknown.headers[CORRELATION_HEADER] == "support-ticket-17"
    served: dict[str, Any] = {"command": "get_proposal", "transport": "http", "status": "404"}
    assert after_command.value("dorp_commands_total", **served) == 1
    assert after_command.value("dorp_command_seconds_count", command="get_proposal") == 1
