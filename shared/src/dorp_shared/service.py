"""The common skeleton of a Dorp service process.

A service supplies a :class:`ServiceDefinition` (its name, migrations and a ``wire``
function that registers its subscribers); :func:`build_app` turns that into a FastStream
app whose start-up declares streams, migrates the schema, opens the pool and starts the
outbox relay, and whose shutdown drains NATS before closing the pool. Every service serves
HTTP: ``/health/live``, ``/health/ready`` and ``/metrics`` (Prometheus), beside its command API
if it has one.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import asyncpg
import structlog
from faststream import FastStream
from faststream.message import StreamMessage
from faststream.nats import NatsBroker, NatsResponse
from faststream.specification import AsyncAPI
from starlette.types import ASGIApp

from dorp_shared import db
from dorp_shared.commands import IDEMPOTENCY_HEADER, Actor, Command, CommandContext
from dorp_shared.contracts.envelope import CORRELATION_HEADER, Envelope, Event
from dorp_shared.contracts.subjects import command_subject, event_subject
from dorp_shared.errors import InfrastructureUnavailable
from dorp_shared.http import HttpServer, api_title, build_http_api
from dorp_shared.logging import configure_logging
from dorp_shared.messaging import DeliveryGuard, JetStreamPublisher, declare_region
from dorp_shared.observability import ServiceMetrics, configure_tracing
from dorp_shared.observability import commands as observed
from dorp_shared.observability.endpoints import add_operations_routes
from dorp_shared.observability.operations import readiness, scrape
from dorp_shared.patience import retry_for
from dorp_shared.regions import Region, load_region
from dorp_shared.relay import OutboxRelay
from dorp_shared.settings import DorpSettings, load_settings
from dorp_shared.uow import PgUnitOfWork

log = structlog.get_logger(__name__)

U = TypeVar("U", bound=PgUnitOfWork)
SHARED_MIGRATIONS = "dorp_shared.migrations"
PLACEHOLDER_NATS_URL = "nats://127.0.0.1:4222"
STATUS_HEADER = "Dorp-Status"
ACTOR_HEADER = "Dorp-Actor"
STARTUP_FIRST_PAUSE_SECONDS = 0.5
STARTUP_LONGEST_PAUSE_SECONDS = 5.0


@dataclass
class Runtime:
    """What handlers' adapters need at run time; filled in during start-up."""

    service: str
    settings: DorpSettings
    region: Region
    broker: NatsBroker
    guard: DeliveryGuard
    _pool: asyncpg.Pool | None = None
    _relay: OutboxRelay | None = None
    http: HttpServer | None = None
    extras: dict[str, object] = field(default_factory=dict)
    metrics: ServiceMetrics = field(default_factory=ServiceMetrics)
    consuming: bool = False
    """True from the end of start-up until shutdown begins (readiness)."""

    @property
    def pool(self) -> asyncpg.Pool:
        if self._pool is None:
            raise RuntimeError("the database pool is opened at start-up")
        return self._pool

    def wake_relay(self) -> None:
        """The outbox relay publishes now what is committed (for writes made without a
        unit of work's ``on_commit``)."""
        if self._relay:
            self._relay.wake()

    def uow(self, cls: type[U]) -> U:
        relay = self._relay
        return cls(
            self.pool,
            region=self.region.id,
            source=self.service,
            on_commit=relay.wake if relay else lambda: None,
        )


@dataclass(frozen=True)
class Api:
    """A service's commands and queries, served over NATS request/reply on
    ``dorp.<region>.cmd.<service>.<name>`` and over HTTP as ``POST /v1/<name>``."""

    commands: tuple[Command[Any, Any, Any], ...]
    uow: type[PgUnitOfWork]


@dataclass(frozen=True)
class ServiceDefinition:
    name: str
    description: str
    migrations: str
    wire: Callable[[Runtime], None]
    publishes: tuple[type[Event], ...] = ()
    api: Api | None = None
    on_started: Callable[[Runtime], Awaitable[None]] | None = None
    on_stopping: Callable[[Runtime], Awaitable[None]] | None = None
    http_mounts: Callable[[Runtime], Mapping[str, ASGIApp]] | None = None
    """More web apps on the service's HTTP server, by path prefix (e.g. a portal's pages);
    a service with mounts serves HTTP even without an ``api``."""


def build_app(definition: ServiceDefinition, settings: DorpSettings) -> tuple[FastStream, Runtime]:
    """Build (not start) the FastStream app of one service for one region."""
    region = load_region(settings.region, settings.regions_dir)
    metrics = ServiceMetrics()
    guard = DeliveryGuard(
        region=region.id,
        service=definition.name,
        max_deliver=settings.max_deliver,
        metrics=metrics,
    )
    broker = NatsBroker(
        settings.nats_url or PLACEHOLDER_NATS_URL,
        name=f"dorp-{region.id}-{definition.name}",
        middlewares=[guard],
        graceful_timeout=15.0,
        logger=logging.getLogger("dorp.faststream"),
        log_level=logging.DEBUG,  # "Received"/"Processed" per message: too costly at INFO
    )
    runtime = Runtime(
        service=definition.name,
        settings=settings,
        region=region,
        broker=broker,
        guard=guard,
        metrics=metrics,
    )
    definition.wire(runtime)
    if definition.api:
        wire_nats_commands(runtime, definition.api)
    _wire_health(runtime)
    _document_publications(runtime, definition.publishes)

    async def prepare(url: str, dsn: str) -> None:
        await declare_region(url, region.id, settings.stream_replicas)
        applied = await db.migrate(dsn, definition.name, [SHARED_MIGRATIONS, definition.migrations])
        log.info("schema.migrated", schema=definition.name, applied=len(applied))
        runtime._pool = await db.create_pool(dsn, definition.name, max_size=settings.db_pool_max)

    async def start_up() -> None:
        url, dsn = _require_urls(settings)  # missing settings fail at once: waiting won't help
        await wait_for_servers(lambda: prepare(url, dsn), settings.startup_wait_seconds)

    async def after_start() -> None:
        publish = JetStreamPublisher(broker.connection)
        guard.publish = publish
        runtime._relay = OutboxRelay(
            runtime.pool,
            publish,
            metrics=metrics,
            publish_many=publish.many,
            keep=timedelta(days=settings.outbox_keep_days),
        )
        runtime._relay.start()
        await _start_http(runtime, definition)
        if definition.on_started:
            await definition.on_started(runtime)
        runtime.consuming = True
        # What start-up made (modules, models, the region) lives as long as the service: out
        # of the cyclic garbage collector's way, a full collection no longer walks it all
        # (measured under partner intake: a tenth of registration's CPU went to collections).
        gc.freeze()
        log.info("service.started", region=region.id)

    async def shut_down() -> None:
        runtime.consuming = False
        if runtime.http:
            await runtime.http.stop()
        if definition.on_stopping:
            await definition.on_stopping(runtime)

    async def after_shutdown() -> None:
        gc.unfreeze()  # a process that runs on (tests, the demo) may collect it again
        if runtime._relay:
            await runtime._relay.stop()
        if runtime._pool:
            await runtime._pool.close()
        log.info("service.stopped", region=region.id)

    app = FastStream(
        broker,
        on_startup=[start_up],
        after_startup=[after_start],
        on_shutdown=[shut_down],
        after_shutdown=[after_shutdown],
        specification=AsyncAPI(
            broker,
            title=f"Dorp {definition.name}",
            version="1.0.0",
            description=definition.description,
        ),
        logger=logging.getLogger("dorp.faststream"),
    )
    return app, runtime


def create_app(definition: ServiceDefinition, region: str | None = None) -> FastStream:
    """Settings from the environment, logging configured, app built: the app factory
    behind ``dorp serve`` and ``faststream run dorp_<service>.bootstrap:create_app --factory``."""
    settings = load_settings(region=region)
    configure_logging(definition.name, settings.log_format, settings.log_level)
    configure_tracing(definition.name, settings.region)
    return build_app(definition, settings)[0]


def _document_publications(runtime: Runtime, events: tuple[type[Event], ...]) -> None:
    """Declare what the service publishes, for its AsyncAPI document. Publishing itself goes
    through the outbox relay, which sends the stored envelope bytes."""
    for event in events:
        runtime.broker.publisher(
            event_subject(runtime.region.id, event),
            schema=Envelope[event],  # type: ignore[valid-type]
            title=f"{runtime.service}: {event.event_type()} v{event.version}",
            description=(event.__doc__ or "").strip() or None,
        )


def _wire_health(runtime: Runtime) -> None:
    """``dorp.<region>.cmd.<service>.health``: answers once the service consumes."""

    @runtime.broker.subscriber(
        command_subject(runtime.region.id, runtime.service, "health"),
        queue=runtime.service,
        title=f"{runtime.service}: health",
    )
    async def health() -> dict[str, str]:
        return health_report(runtime)


def health_report(runtime: Runtime) -> dict[str, str]:
    report = {"service": runtime.service, "region": runtime.region.id, "status": "ok"}
    if runtime.http and runtime.http.url:
        report["http"] = runtime.http.url
    return report


async def _start_http(runtime: Runtime, definition: ServiceDefinition) -> None:
    api = definition.api
    app = build_http_api(
        title=api_title(definition.name, runtime.region),
        description=definition.description,
        region=runtime.region,
        commands=api.commands if api else (),
        new_uow=lambda: runtime.uow(api.uow) if api else None,
        health=lambda: health_report(runtime),
        metrics=runtime.metrics,
    )
    add_operations_routes(
        app,
        identity={"service": runtime.service, "region": runtime.region.id},
        unready_reasons=lambda: readiness(runtime.broker, runtime._pool, runtime.consuming),
        metrics=lambda: scrape(runtime.metrics, runtime.broker, runtime._pool),
    )
    mounts = definition.http_mounts(runtime) if definition.http_mounts else {}
    for prefix, mounted in mounts.items():
        app.mount(prefix, mounted)
    port = runtime.settings.http_port_for(definition.name)
    runtime.http = HttpServer(app, runtime.settings.http_host, port)
    await runtime.http.start()


def wire_nats_commands(runtime: Runtime, api: Api) -> None:
    for command in api.commands:
        _wire_nats_command(runtime, api, command)


def _wire_nats_command(runtime: Runtime, api: Api, command: Command[Any, Any, Any]) -> None:
    """One queue-group subscriber per command; the reply carries ``Dorp-Status`` (the HTTP
    status code the same reply would have) so a client can tell a result from an error."""

    @runtime.broker.subscriber(
        command_subject(runtime.region.id, runtime.service, command.name),
        queue=runtime.service,
        decoder=raw_body,
        title=f"{runtime.service}: {command.name}",
        description=f"{command.summary} Input: {command.input.__name__}; "
        f"reply: {command.output.__name__} or ErrorReply.",
    )
    async def serve_command(body: bytes) -> NatsResponse:
        # From the context, not a ``NatsMessage`` parameter, which FastStream resolves in a
        # worker thread: a thread switch per command.
        headers = runtime.broker.context.get_local("message").headers or {}
        ctx = CommandContext(
            region=runtime.region,
            now=datetime.now(UTC),
            actor=actor_from(headers),
            idempotency_key=headers.get(IDEMPOTENCY_HEADER),
        )
        served = await observed.serve_command(
            command,
            body,
            ctx,
            lambda: runtime.uow(api.uow),
            headers=headers,
            transport="nats",
            metrics=runtime.metrics,
        )
        reply_headers = {
            STATUS_HEADER: str(served.reply.status),
            CORRELATION_HEADER: served.correlation_id,
        }
        return NatsResponse(served.reply.body, headers=reply_headers)


def actor_from(headers: dict[str, Any]) -> Actor:
    """``Dorp-Actor: staff`` marks a staff tool; anything else is the API. Partners use the
    partner subjects, which carry their id in the subject (checked by NATS permissions)."""
    return Actor("staff") if headers.get(ACTOR_HEADER) == "staff" else Actor("api")


async def raw_body(msg: StreamMessage[Any]) -> bytes:
    """A decoder that leaves the body alone, so bad input becomes a reply, not an error."""
    return bytes(msg.body)


async def wait_for_servers(prepare: Callable[[], Awaitable[None]], patience: float) -> None:
    """Run ``prepare`` until NATS and PostgreSQL answer it, for up to ``patience`` seconds.

    A service started while a server restarts (a node's reboot, a rolling upgrade) waits for
    it instead of exiting; a wrong URL still ends in the one-line error once ``patience`` is
    spent."""

    def waiting(exc: Exception, _pause: float, left: float) -> None:
        log.warning("service.waiting_for_servers", reason=str(exc), seconds_left=round(left))

    await retry_for(
        prepare,
        patience=patience,
        retry_on=InfrastructureUnavailable,
        first_pause=STARTUP_FIRST_PAUSE_SECONDS,
        longest_pause=STARTUP_LONGEST_PAUSE_SECONDS,
        on_retry=waiting,
    )


def _require_urls(settings: DorpSettings) -> tuple[str, str]:
    if not settings.nats_url:
        raise InfrastructureUnavailable(
            "DORP_NATS_URL is not set (for example nats://127.0.0.1:4222); "
            "`dorp demo` starts an embedded NATS for you"
        )
    if not settings.database_url:
        raise InfrastructureUnavailable(
            "DORP_DATABASE_URL is not set (for example postgresql://dorp@127.0.0.1/dorp); "
            "`dorp demo` starts an embedded PostgreSQL for you"
        )
    return settings.nats_url, settings.database_url


def asyncapi_document(app: FastStream) -> dict[str, Any]:
    """The AsyncAPI 3 document of a built app, as a JSON-ready dict."""
    spec = app.schema.to_specification()
    return dict(spec.to_jsonable())
