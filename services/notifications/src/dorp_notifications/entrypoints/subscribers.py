"""Durable subscribers: the registration area (contact details, consent, erasure, sessions,
sign-ups, dialogue tables, retention warnings) and the matching area (proposals, their
outcome, dates and recommendations). Other event types are acknowledged and ignored."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from faststream.nats.subscriber.usecases.basic import LogicSubscriber

from dorp_notifications import activity_notices, handlers, match_notices, pairing_notices
from dorp_notifications.adapters.uow import PgNotificationsUnitOfWork
from dorp_notifications.ports import NotificationsUnitOfWork
from dorp_notifications.sending import Notifier, UowFactory
from dorp_shared.contracts import Envelope, MatchProposed, MemberRegistered
from dorp_shared.contracts.envelope import Event
from dorp_shared.contracts.events import (
    CoffeeDatePaired,
    ConsentChanged,
    DecisionRecorded,
    DialogueTableOpened,
    InitiativeRegistered,
    MatchCompleted,
    MatchConfirmed,
    MemberErased,
    MemberUpdated,
    ParentGroupJoined,
    ProposalAccepted,
    ProposalApproved,
    ProposalCancelled,
    ProposalChanged,
    ProposalDeclined,
    ProposalExpired,
    ProposalRejected,
    ProposalReviewOverdue,
    RetentionWarningIssued,
    SessionCancelled,
    SessionScheduled,
    SessionsRecommended,
    SignedUp,
    SignUpCancelled,
    WaitlistPromoted,
)
from dorp_shared.messaging import area_subscriber, is_event
from dorp_shared.service import Runtime

SERVICE = "notifications"

Record = Callable[[Envelope[Any], NotificationsUnitOfWork], Awaitable[None]]
"""A use case that only updates records: one unit of work."""
Notice = Callable[..., Awaitable[None]]
"""A use case that decides what is sent: ``(event, uow=factory, notifier=...)``."""

RECORDS: dict[str, tuple[tuple[type[Event], Record], ...]] = {
    "registration": (
        (MemberRegistered, handlers.register_recipient),
        (MemberUpdated, handlers.update_recipient),
        (ConsentChanged, handlers.change_consent),
        (MemberErased, handlers.erase_recipient),
        (InitiativeRegistered, handlers.remember_initiative),
        (SessionScheduled, handlers.remember_session),
        (DialogueTableOpened, handlers.remember_table),
        (ParentGroupJoined, handlers.remember_group_member),
        (SignUpCancelled, activity_notices.forget_sign_up),
    ),
    "matching": (),
}
NOTICES: dict[str, tuple[tuple[type[Event], Notice], ...]] = {
    "registration": (
        (RetentionWarningIssued, activity_notices.notify_retention_warning),
        (SignedUp, activity_notices.notify_sign_up),
        (WaitlistPromoted, activity_notices.notify_sign_up),
        (SessionCancelled, activity_notices.notify_session_cancelled),
        (DecisionRecorded, activity_notices.notify_decision),
    ),
    "matching": (
        (MatchProposed, match_notices.notify_match),
        (ProposalApproved, match_notices.notify_approved),
        (ProposalAccepted, match_notices.notify_accepted),
        (ProposalDeclined, match_notices.notify_declined),
        (MatchConfirmed, match_notices.notify_confirmed),
        (MatchCompleted, match_notices.notify_completed),
        (ProposalCancelled, match_notices.notify_proposal_ended),
        (ProposalExpired, match_notices.notify_proposal_ended),
        (ProposalReviewOverdue, pairing_notices.notify_review_overdue),
        (CoffeeDatePaired, pairing_notices.notify_coffee_date),
        (SessionsRecommended, pairing_notices.notify_sessions_recommended),
    ),
}
REVIEW_CLOSED = (ProposalRejected, ProposalChanged)


def register(runtime: Runtime, notifier: Notifier) -> None:
    uow = _uow_factory(runtime)
    for area in ("registration", "matching"):
        sub = _subscriber(runtime, area)
        for event, record in RECORDS[area]:
            _wire_record(sub, event, record, uow)
        for event, notice in NOTICES[area]:
            _wire_notice(sub, event, notice, uow, notifier)
        if area == "matching":
            for closed in REVIEW_CLOSED:
                _wire_notice(sub, closed, _closing, uow, notifier)
        _wire_rest(sub, area)


async def _closing(event: Envelope[Any], *, uow: UowFactory, notifier: Notifier) -> None:
    await match_notices.close_review(event, uow)


def _subscriber(runtime: Runtime, area: str) -> LogicSubscriber[Any]:
    return area_subscriber(
        runtime.broker,
        region=runtime.region.id,
        service=SERVICE,
        area=area,
        max_deliver=runtime.settings.max_deliver,
    )


def _uow_factory(runtime: Runtime) -> UowFactory:
    def uow() -> NotificationsUnitOfWork:
        return runtime.uow(PgNotificationsUnitOfWork)

    return uow


def _wire_record(
    sub: LogicSubscriber[Any], event: type[Event], record: Record, uow: UowFactory
) -> None:
    async def on_event(body: Envelope[Any]) -> None:
        await record(body, uow())

    _typed(on_event, event)
    on_event.__doc__ = (record.__doc__ or "").strip().split("\n")[0] or None
    on_event.__name__ = f"on_{event.event_type().replace('.', '_')}"
    sub(filter=is_event(event))(on_event)


def _wire_notice(
    sub: LogicSubscriber[Any],
    event: type[Event],
    notice: Notice,
    uow: UowFactory,
    notifier: Notifier,
) -> None:
    async def on_event(body: Envelope[Any]) -> None:
        await notice(body, uow=uow, notifier=notifier)

    _typed(on_event, event)
    on_event.__doc__ = (notice.__doc__ or "").strip().split("\n")[0] or None
    on_event.__name__ = f"on_{event.event_type().replace('.', '_')}"
    sub(filter=is_event(event))(on_event)


def _typed(handler: Callable[..., Any], event: type[Event]) -> None:
    """FastStream validates the body against the annotation: the envelope of this event."""
    handler.__annotations__ = {"body": Envelope[event], "return": None}  # type: ignore[valid-type]


def _wire_rest(sub: LogicSubscriber[Any], area: str) -> None:
    async def on_other_event() -> None:
        """Tolerant reader: events notifications does not need are acknowledged."""

    on_other_event.__name__ = f"on_other_{area}_event"
    sub(on_other_event)
