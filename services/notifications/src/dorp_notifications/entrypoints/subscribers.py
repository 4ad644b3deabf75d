"""Durable subscribers: the registration area (contact details) and the matching area
(proposals). Other event types of those areas are acknowledged and ignored."""

from __future__ import annotations

from typing import Any

from faststream.nats.subscriber.usecases.basic import LogicSubscriber

from dorp_notifications import handlers
from dorp_notifications.adapters.smtp import SmtpMailer
from dorp_notifications.adapters.uow import PgNotificationsUnitOfWork
from dorp_shared.contracts import Envelope, MatchProposed, MemberRegistered
from dorp_shared.messaging import area_subscriber, is_event
from dorp_shared.service import Runtime

SERVICE = "notifications"


def register(runtime: Runtime) -> None:
    _registration(runtime)
    _matching(runtime)


def _subscriber(runtime: Runtime, area: str) -> LogicSubscriber[Any]:
    return area_subscriber(
        runtime.broker,
        region=runtime.region.id,
        service=SERVICE,
        area=area,
        max_deliver=runtime.settings.max_deliver,
    )


def _registration(runtime: Runtime) -> None:
    sub = _subscriber(runtime, "registration")

    @sub(filter=is_event(MemberRegistered))
    async def on_member_registered(event: Envelope[MemberRegistered]) -> None:
        await handlers.register_recipient(event, runtime.uow(PgNotificationsUnitOfWork))

    @sub
    async def on_other_registration_event() -> None:
        """Tolerant reader: events notifications does not need are acknowledged."""


def _matching(runtime: Runtime) -> None:
    sub = _subscriber(runtime, "matching")
    mailer = SmtpMailer(runtime.settings)

    @sub(filter=is_event(MatchProposed))
    async def on_match_proposed(event: Envelope[MatchProposed]) -> None:
        await handlers.notify_match(
            event,
            uow=lambda: runtime.uow(PgNotificationsUnitOfWork),
            mailer=mailer,
            region=runtime.region,
        )

    @sub
    async def on_other_matching_event() -> None:
        """Tolerant reader: events notifications does not need are acknowledged."""
