"""FastStream subscribers: one durable consumer on the registration area.

Handlers are tried in order; the last one, without a filter, acks every other event type
(tolerant reader: a new registration event must not block this consumer).
"""

from __future__ import annotations

import structlog

from dorp_matching import handlers
from dorp_matching.adapters.uow import PgMatchingUnitOfWork
from dorp_shared.contracts import Envelope, HelpOffered, HelpRequested, MemberRegistered
from dorp_shared.contracts.events import (
    ConsentChanged,
    HelpRenewed,
    HelpWithdrawn,
    MemberErased,
    MemberUpdated,
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
        await handlers.member_registered(event, uow())

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

    @sub
    async def on_other_event() -> None:
        log.debug("event.ignored")
