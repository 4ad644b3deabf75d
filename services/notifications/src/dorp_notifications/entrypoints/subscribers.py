"""Durable subscribers: the registration area (contact details, consent, erasure,
retention warnings, sessions and sign-ups) and the matching area (proposals and their
outcome). Other event types of those areas are acknowledged and ignored."""

from __future__ import annotations

from typing import Any

from faststream.nats.subscriber.usecases.basic import LogicSubscriber

from dorp_notifications import handlers
from dorp_notifications.adapters.smtp import SmtpMailer
from dorp_notifications.adapters.uow import PgNotificationsUnitOfWork
from dorp_notifications.ports import NotificationsUnitOfWork
from dorp_notifications.sending import UowFactory
from dorp_shared.contracts import Envelope, MatchProposed, MemberRegistered
from dorp_shared.contracts.events import (
    ConsentChanged,
    InitiativeRegistered,
    MatchConfirmed,
    MemberErased,
    MemberUpdated,
    ProposalCancelled,
    ProposalExpired,
    RetentionWarningIssued,
    SessionScheduled,
    SignedUp,
    WaitlistPromoted,
)
from dorp_shared.messaging import area_subscriber, is_event
from dorp_shared.service import Runtime

SERVICE = "notifications"


def register(runtime: Runtime) -> None:
    mailer = SmtpMailer(runtime.settings)
    _registration(runtime, mailer)
    _matching(runtime, mailer)


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


def _registration(runtime: Runtime, mailer: SmtpMailer) -> None:
    sub = _subscriber(runtime, "registration")
    uow = _uow_factory(runtime)

    @sub(filter=is_event(MemberRegistered))
    async def on_member_registered(event: Envelope[MemberRegistered]) -> None:
        """Store the new member's contact details, language and consent."""
        await handlers.register_recipient(event, uow())

    @sub(filter=is_event(MemberUpdated))
    async def on_member_updated(event: Envelope[MemberUpdated]) -> None:
        """Use the new contact details and language from now on."""
        await handlers.update_recipient(event, uow())

    @sub(filter=is_event(ConsentChanged))
    async def on_consent_changed(event: Envelope[ConsentChanged]) -> None:
        """Without consent for notifications, send nothing more and cancel what is pending."""
        await handlers.change_consent(event, uow())

    @sub(filter=is_event(MemberErased))
    async def on_member_erased(event: Envelope[MemberErased]) -> None:
        """Delete the member's contact details; later events about them are suppressed."""
        await handlers.erase_recipient(event, uow())

    @sub(filter=is_event(RetentionWarningIssued))
    async def on_retention_warning(event: Envelope[RetentionWarningIssued]) -> None:
        """Tell the member their data will be erased unless they are active again."""
        await handlers.notify_retention_warning(
            event, uow=uow, mailer=mailer, region=runtime.region
        )

    @sub(filter=is_event(InitiativeRegistered))
    async def on_initiative_registered(event: Envelope[InitiativeRegistered]) -> None:
        """Remember the initiative's name for sign-up mails."""
        await handlers.remember_initiative(event, uow())

    @sub(filter=is_event(SessionScheduled))
    async def on_session_scheduled(event: Envelope[SessionScheduled]) -> None:
        """Remember the session's time and place for sign-up mails."""
        await handlers.remember_session(event, uow())

    @sub(filter=is_event(SignedUp))
    async def on_signed_up(event: Envelope[SignedUp]) -> None:
        """Confirm a sign-up or a place on the waiting list."""
        await handlers.notify_sign_up(event, uow=uow, mailer=mailer, region=runtime.region)

    @sub(filter=is_event(WaitlistPromoted))
    async def on_waitlist_promoted(event: Envelope[WaitlistPromoted]) -> None:
        """Tell the member a place came free for them."""
        await handlers.notify_sign_up(event, uow=uow, mailer=mailer, region=runtime.region)

    @sub
    async def on_other_registration_event() -> None:
        """Tolerant reader: events notifications does not need are acknowledged."""


def _matching(runtime: Runtime, mailer: SmtpMailer) -> None:
    sub = _subscriber(runtime, "matching")
    uow = _uow_factory(runtime)

    @sub(filter=is_event(MatchProposed))
    async def on_match_proposed(event: Envelope[MatchProposed]) -> None:
        """E-mail both sides of a proposal, without contact details."""
        await handlers.notify_match(event, uow=uow, mailer=mailer, region=runtime.region)

    @sub(filter=is_event(MatchConfirmed))
    async def on_match_confirmed(event: Envelope[MatchConfirmed]) -> None:
        """E-mail both sides the other's first name and e-mail address."""
        await handlers.notify_confirmed(event, uow=uow, mailer=mailer, region=runtime.region)

    @sub(filter=is_event(ProposalCancelled))
    async def on_proposal_cancelled(event: Envelope[ProposalCancelled]) -> None:
        """Tell both who were asked that the proposal will not go ahead."""
        await handlers.notify_proposal_ended(event, uow=uow, mailer=mailer, region=runtime.region)

    @sub(filter=is_event(ProposalExpired))
    async def on_proposal_expired(event: Envelope[ProposalExpired]) -> None:
        """Tell both who were asked that the proposal expired."""
        await handlers.notify_proposal_ended(event, uow=uow, mailer=mailer, region=runtime.region)

    @sub
    async def on_other_matching_event() -> None:
        """Tolerant reader: events notifications does not need are acknowledged."""
