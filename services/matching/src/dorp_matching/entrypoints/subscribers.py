"""FastStream subscribers: one durable consumer on the registration area.

Handlers are tried in order; the last one, without a filter, acks every other event type
(tolerant reader: a new registration event must not block this consumer).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import structlog
from faststream.nats.subscriber.usecases.basic import LogicSubscriber

from dorp_matching import handlers, recommendations
from dorp_matching.adapters.uow import PgMatchingUnitOfWork
from dorp_shared.contracts import Envelope, HelpOffered, HelpRequested, MemberRegistered
from dorp_shared.contracts.events import (
    ConsentChanged,
    HelpRenewed,
    HelpWithdrawn,
    InitiativeRegistered,
    MemberErased,
    MemberUpdated,
    SessionCancelled,
    SessionScheduled,
    SignedUp,
    SignUpCancelled,
    WaitlistPromoted,
)
from dorp_shared.messaging import area_subscriber, is_event
from dorp_shared.service import Runtime

SERVICE = "matching"

log = structlog.get_logger(__name__)


def wire_subscribers(runtime: Runtime) -> None:
    sub = area_subscriber(
        runtime.broker,
        region=runtime.region.id,
        service=SERVICE,
        area="registration",
        max_deliver=runtime.settings.max_deliver,
    )

    def uow() -> PgMatchingUnitOfWork:
        return runtime.uow(PgMatchingUnitOfWork)

    @sub(filter=is_event(MemberRegistered))
    async def on_member_registered(event: Envelope[MemberRegistered]) -> None:
        await handlers.member_registered(event, uow(), runtime.region)

    @sub(filter=is_event(HelpRequested))
    async def on_help_requested(event: Envelope[HelpRequested]) -> None:
        await handlers.help_requested(event, uow(), runtime.region)

    @sub(filter=is_event(HelpOffered))
    async def on_help_offered(event: Envelope[HelpOffered]) -> None:
        await handlers.help_offered(event, uow(), runtime.region)

    @sub(filter=is_event(MemberUpdated))
    async def on_member_updated(event: Envelope[MemberUpdated]) -> None:
        await handlers.member_updated(event, uow())

    @sub(filter=is_event(ConsentChanged))
    async def on_consent_changed(event: Envelope[ConsentChanged]) -> None:
        await handlers.consent_changed(event, uow(), runtime.region)

    @sub(filter=is_event(MemberErased))
    async def on_member_erased(event: Envelope[MemberErased]) -> None:
        await handlers.member_erased(event, uow(), runtime.region)

    @sub(filter=is_event(HelpWithdrawn))
    async def on_help_withdrawn(event: Envelope[HelpWithdrawn]) -> None:
        await handlers.help_withdrawn(event, uow(), runtime.region)

    @sub(filter=is_event(HelpRenewed))
    async def on_help_renewed(event: Envelope[HelpRenewed]) -> None:
        await handlers.help_renewed(event, uow(), runtime.region)

    wire_activities(sub, uow)

    @sub
    async def on_other_event() -> None:
        log.debug("event.ignored")


def wire_activities(sub: LogicSubscriber[Any], uow: Callable[[], PgMatchingUnitOfWork]) -> None:
    """The projection of what already exists: initiatives, sessions and sign-ups."""

    @sub(filter=is_event(InitiativeRegistered))
    async def on_initiative(event: Envelope[InitiativeRegistered]) -> None:
        await recommendations.initiative_registered(event, uow())

    @sub(filter=is_event(SessionScheduled))
    async def on_session(event: Envelope[SessionScheduled]) -> None:
        await recommendations.session_scheduled(event, uow())

    @sub(filter=is_event(SessionCancelled))
    async def on_session_cancelled(event: Envelope[SessionCancelled]) -> None:
        await recommendations.session_cancelled(event, uow())

    @sub(filter=is_event(SignedUp))
    async def on_signed_up(event: Envelope[SignedUp]) -> None:
        await recommendations.signed_up(event, uow())

    @sub(filter=is_event(WaitlistPromoted))
    async def on_promoted(event: Envelope[WaitlistPromoted]) -> None:
        await recommendations.signed_up(event, uow())

    @sub(filter=is_event(SignUpCancelled))
    async def on_sign_up_cancelled(event: Envelope[SignUpCancelled]) -> None:
        await recommendations.sign_up_cancelled(event, uow())
