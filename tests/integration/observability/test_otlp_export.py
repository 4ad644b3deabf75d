"""With an endpoint configured, spans reach an OTLP/HTTP collector (here a real HTTP server
on a loopback port that decodes what it receives); without one, nothing is exported."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from dorp_shared.observability.tracing import TracingSettings, tracer_provider

pytestmark = pytest.mark.integration


class Collector(BaseHTTPRequestHandler):
    received: ClassVar[list[tuple[str, str, bytes]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.received.append((self.path, self.headers.get("Content-Type", ""), body))
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *_args: object) -> None:
        pass


@pytest.fixture
def collector() -> Iterator[str]:
    Collector.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Collector)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_spans_are_exported_to_the_configured_collector(
    collector: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DORP_OTEL_EXPORTER_OTLP_ENDPOINT", collector)
    provider = tracer_provider("matching", "lochem", TracingSettings().traces_url())
    with provider.get_tracer("test").start_as_current_span("help_requested process"):
        pass
    assert provider.force_flush(10_000)
    provider.shutdown()

    ((path, content_type, body),) = Collector.received
    assert path == "/v1/traces" and content_type == "application/x-protobuf"
    request = ExportTraceServiceRequest.FromString(body)
    (resource_spans,) = request.resource_spans
    attributes = {a.key: a.value.string_value for a in resource_spans.resource.attributes}
    assert attributes["service.name"] == "dorp-matching"
    assert attributes["dorp.region"] == "lochem"
    names = [span.name for scope in resource_spans.scope_spans for span in scope.spans]
    assert names == ["help_requested process"]


def test_without_an_endpoint_nothing_is_exported(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "DORP_OTEL_EXPORTER_OTLP_ENDPOINT",
        "OTEL_EXPORTER_OTLP_ENDPOINT",
        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
    ):
        monkeypatch.delenv(name, raising=False)
    assert TracingSettings().traces_url() is None
    provider = tracer_provider("matching", "lochem", None)
    assert provider._active_span_processor._span_processors == ()  # no exporter at all


def test_the_standard_variables_are_understood(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DORP_OTEL_EXPORTER_OTLP_ENDPOINT", raising=False)
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318/")
    assert TracingSettings().traces_url() == "http://collector:4318/v1/traces"
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "https://traces.example/otlp")
    assert TracingSettings().traces_url() == "https://traces.example/otlp"
