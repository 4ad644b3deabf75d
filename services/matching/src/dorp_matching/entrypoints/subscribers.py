"""FastStream subscribers: one durable consumer on the registration area.

Handlers are tried in order; the last one, without a filter, acks every other event type
(tolerant reader: a new registration event must not block this consumer).

Requests and offers are matched through the intake queue (``entrypoints/intake.py``):
runs of requests in one transaction each; the other events that touch members or help
first wait until what was queued before them is done.

Up to ``BATCH`` events are fetched and handled at once (a prompt fetch: what is waiting
once the first event is there, never a wait for the batch to fill), in stream order where
it matters (``order_keys``): a member's events in order, requests and offers of one help
kind in order (who gets which offer stays as the stream says), what already exists
(initiatives, sessions, sign-ups) in order and before the new members and requests that are
recommended from it, and events that can touch every kind (consent, erasure, a profile,
withdrawing or renewing help) in order with everything. Requests end their turn once
queued, so the requests of a fetch queue up at once and are matched together. The database
keeps this safe as before: a transaction takes the advisory lock of a help kind before it
looks at that kind's offers, and takes several kinds in sorted order (``lock_kinds``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import structlog
from faststream.nats.subscriber.usecases.basic import LogicSubscriber
from nats.aio.msg import Msg

from dorp_matching import handlers, recommendations
from dorp_matching.adapters.uow import PgMatchingUnitOfWork
from dorp_matching.entrypoints.intake import IntakeQueue
from dorp_shared.contracts import Envelope, HelpOffered, HelpRequested, MemberRegistered
from dorp_shared.contracts.envelope import EVENT_TYPE_HEADER
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
from dorp_shared.messaging import EVERYTHING, Order, area_subscriber, is_event
from dorp_shared.service import Runtime

SERVICE = "matching"
BATCH = 128
"""Events fetched and handled at once (in order where ``order_keys`` says so)."""
_MEMBER_ID = re.compile(rb'"member_id"\s*:\s*"([0-9a-fA-F-]{36})"')
_KIND = re.compile(rb'"kind"\s*:\s*"([^"]{1,100})"')
_BY_KIND = {HelpRequested.event_type(), HelpOffered.event_type()}
ACTIVITIES = "activities"
_ACTIVITIES = {
    event.event_type()
    for event in (
        InitiativeRegistered,
        SessionScheduled,
        SessionCancelled,
        SignedUp,
        WaitlistPromoted,
        SignUpCancelled,
    )
}
"""What already exists: in order among themselves; new members and requests, who are
recommended sessions, run after them."""


def order_keys(msg: Msg) -> Order:
    """Which earlier events this one waits for (see the module docstring)."""
    event_type = (msg.headers or {}).get(EVENT_TYPE_HEADER, "")
    data = msg.data or b""
    member = _MEMBER_ID.search(data)
    who = f"member:{member.group(1).decode()}" if member else ""
    if event_type in _ACTIVITIES:
        return Order(keys=(ACTIVITIES, who) if who else (ACTIVITIES,))
    if not who:
        return EVERYTHING
    if event_type == MemberRegistered.event_type():  # recommended what exists
        return Order(keys=(who,), after=(ACTIVITIES,))
    if event_type in _BY_KIND:
        kind = _KIND.search(data)
        if kind is None:
            return EVERYTHING
        return Order(keys=(who, f"kind:{kind.group(1).decode()}"), after=(ACTIVITIES,))
    return EVERYTHING


log = structlog.get_logger(__name__)


def wire_subscribers(runtime: Runtime) -> None:
    sub = area_subscriber(
        runtime.broker,
        region=runtime.region.id,
        service=SERVICE,
        area="registration",
        max_deliver=runtime.settings.max_deliver,
        batch_size=BATCH,
        order_keys=order_keys,
        prompt=True,
    )

    def uow() -> PgMatchingUnitOfWork:
        return runtime.uow(PgMatchingUnitOfWork)

    intake = IntakeQueue(uow, runtime.region)

    @sub(filter=is_event(MemberRegistered))
    async def on_member_registered(event: Envelope[MemberRegistered]) -> None:
        await intake.settled()
        await handlers.member_registered(event, uow(), runtime.region)

    @sub(filter=is_event(HelpRequested))
    async def on_help_requested(event: Envelope[HelpRequested]) -> None:
        data = event.payload
        handlers.check_place(event, runtime.region, data.home_area, data.kind)
        await intake.request(event)

    @sub(filter=is_event(HelpOffered))
    async def on_help_offered(event: Envelope[HelpOffered]) -> None:
        await intake.offer(event)

    @sub(filter=is_event(MemberUpdated))
    async def on_member_updated(event: Envelope[MemberUpdated]) -> None:
        await intake.settled()
        await handlers.member_updated(event, uow())

    @sub(filter=is_event(ConsentChanged))
    async def on_consent_changed(event: Envelope[ConsentChanged]) -> None:
        await intake.settled()
        await handlers.consent_changed(event, uow(), runtime.region)

    @sub(filter=is_event(MemberErased))
    async def on_member_erased(event: Envelope[MemberErased]) -> None:
        await intake.settled()
        await handlers.member_erased(event, uow(), runtime.region)

    @sub(filter=is_event(HelpWithdrawn))
    async def on_help_withdrawn(event: Envelope[HelpWithdrawn]) -> None:
        await intake.settled()
        await handlers.help_withdrawn(event, uow(), runtime.region)

    @sub(filter=is_event(HelpRenewed))
    async def on_help_renewed(event: Envelope[HelpRenewed]) -> None:
        await intake.settled()
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
