"""Wiring of the notifications service: subscribers, the dispatcher loop, the inbox API."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from datetime import timedelta

from faststream import FastStream

from dorp_notifications.adapters.sms import HttpSmsGateway
from dorp_notifications.adapters.smtp import SmtpMailer
from dorp_notifications.adapters.uow import PgNotificationsUnitOfWork
from dorp_notifications.commands import COMMANDS
from dorp_notifications.dispatch import Dispatcher, DispatchSettings
from dorp_notifications.entrypoints.jobs import DispatchLoop
from dorp_notifications.entrypoints.subscribers import SERVICE, register
from dorp_notifications.sending import Notifier
from dorp_notifications.settings import NotificationSettings, load_notification_settings
from dorp_shared.contracts.events import NotificationSent
from dorp_shared.service import Api, Runtime, ServiceDefinition, create_app

_LOOP = "dispatch"
_CLOSE = "close"


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

    def uow() -> PgNotificationsUnitOfWork:
        return runtime.uow(PgNotificationsUnitOfWork)

    dispatcher = Dispatcher(
        uow, runtime.region, mailer=mailer, sms=sms, settings=dispatch_settings(own), clock=clock
    )
    loop = DispatchLoop(dispatcher, own.notify_poll_seconds)
    runtime.extras[_LOOP] = loop
    runtime.extras[_CLOSE] = (mailer, sms)
    notifier = Notifier(runtime.region, sms_available=sms is not None, wake=loop.wake, clock=clock)
    register(runtime, notifier)


async def start_dispatch(runtime: Runtime) -> None:
    loop = runtime.extras[_LOOP]
    assert isinstance(loop, DispatchLoop)
    loop.start()


async def stop_dispatch(runtime: Runtime) -> None:
    loop = runtime.extras.get(_LOOP)
    if isinstance(loop, DispatchLoop):
        await loop.stop()
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
