"""Wiring of the notifications service: subscribers, the dispatcher loop, the inbox API."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable
from datetime import timedelta

import asyncpg
from faststream import FastStream

from dorp_notifications.adapters.sms import HttpSmsGateway
from dorp_notifications.adapters.smtp import SmtpMailer
from dorp_notifications.adapters.uow import PgNotificationsUnitOfWork
from dorp_notifications.commands import COMMANDS
from dorp_notifications.dispatch import Dispatcher, DispatchSettings
from dorp_notifications.entrypoints.jobs import DispatchLoop, Soon
from dorp_notifications.entrypoints.subscribers import SERVICE, register
from dorp_notifications.sending import Notifier
from dorp_notifications.settings import NotificationSettings, load_notification_settings
from dorp_shared import db
from dorp_shared.contracts.events import NotificationSent
from dorp_shared.service import Api, Runtime, ServiceDefinition, create_app

_LOOP = "dispatch"
RELAY_DELAY_SECONDS = 0.1
"""How long outcomes wait for the outbox relay at most, so it publishes many at a time."""
_CLOSE = "close"
_POOL = "dispatch_pool"
DISPATCH_CONNECTIONS = 4
CLOSE_SECONDS = 10.0
"""The dispatcher's own connections: its two lanes, the lease renewal and the claim."""


def dispatch_settings(settings: NotificationSettings) -> DispatchSettings:
    return DispatchSettings(
        batch=settings.notify_batch,
        concurrency=settings.smtp_pool_size,
        lease=timedelta(seconds=settings.notify_lease_seconds),
        max_attempts=settings.notify_max_attempts,
    )


def service_clock(offset_seconds: float) -> Callable[[], dt.datetime]:
    """The real clock, or (a demo) one running ``offset_seconds`` ahead of it."""
    shift = timedelta(seconds=offset_seconds)
    return lambda: dt.datetime.now(dt.UTC) + shift


def wire(runtime: Runtime) -> None:
    own = load_notification_settings()
    clock = service_clock(own.notify_clock_offset_seconds)
    mailer = SmtpMailer(runtime.settings, pool_size=own.smtp_pool_size)
    sms = HttpSmsGateway.from_settings(own)

    relay_soon = Soon(runtime.wake_relay, RELAY_DELAY_SECONDS)

    def dispatch_uow() -> PgNotificationsUnitOfWork:
        pool = runtime.extras.get(_POOL)
        return PgNotificationsUnitOfWork(
            pool if isinstance(pool, asyncpg.Pool) else runtime.pool,
            region=runtime.region.id,
            source=runtime.service,
            on_commit=relay_soon,
        )

    dispatcher = Dispatcher(
        dispatch_uow,
        runtime.region,
        mailer=mailer,
        sms=sms,
        settings=dispatch_settings(own),
        clock=clock,
    )
    loop = DispatchLoop(dispatcher, own.notify_poll_seconds)
    runtime.extras[_LOOP] = loop
    runtime.extras[_CLOSE] = (mailer, sms)
    notifier = Notifier(runtime.region, sms_available=sms is not None, wake=loop.wake, clock=clock)
    register(runtime, notifier)


async def start_dispatch(runtime: Runtime) -> None:
    """The dispatcher gets a pool of its own whose connections are not reset on release:
    it changes no session state, and the reset was a round trip per batch of outcomes."""
    loop = runtime.extras[_LOOP]
    assert isinstance(loop, DispatchLoop)
    if runtime.settings.database_url:
        runtime.extras[_POOL] = await db.create_pool(
            runtime.settings.database_url,
            runtime.service,
            max_size=DISPATCH_CONNECTIONS,
            keep_session=True,
        )
    loop.start()


async def stop_dispatch(runtime: Runtime) -> None:
    loop = runtime.extras.get(_LOOP)
    if isinstance(loop, DispatchLoop):
        await loop.stop()
    pool = runtime.extras.pop(_POOL, None)
    if isinstance(pool, asyncpg.Pool):
        try:
            await asyncio.wait_for(pool.close(), CLOSE_SECONDS)
        except TimeoutError:  # a connection never given back: stop waiting for it
            pool.terminate()
    closing = runtime.extras.get(_CLOSE, ())
    for adapter in closing if isinstance(closing, tuple) else ():
        if isinstance(adapter, SmtpMailer | HttpSmsGateway):
            await adapter.close()


DEFINITION = ServiceDefinition(
    name=SERVICE,
    description=(
        "Tells people what concerns them, once, in their language and on their channel "
        "(e-mail, SMS, in-app inbox): proposals and their outcome, connectors' review "
        "tasks, coffee dates, sign-ups with a reminder the day before, cancelled sessions, "
        "decisions of their dialogue table and retention warnings; quiet hours for SMS and "
        "a daily digest. The only service that stores contact details; it follows their "
        "updates, consent and erasure."
    ),
    migrations="dorp_notifications.migrations",
    wire=wire,
    publishes=(NotificationSent,),
    api=Api(commands=COMMANDS, uow=PgNotificationsUnitOfWork),
    on_started=start_dispatch,
    on_stopping=stop_dispatch,
)


def app() -> FastStream:
    """App factory (settings from DORP_*):

    ``faststream run dorp_notifications.bootstrap:app --factory``
    """
    return create_app(DEFINITION)
