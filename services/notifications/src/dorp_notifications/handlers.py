"""Use cases of the notifications service: keeping contact details, consent and erasure
in step with registration (and the sessions sign-up mails describe), and deciding who is
told what (sending is in ``sending``)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from functools import partial

import structlog

from dorp_notifications.domain import lifecycle_mails as mails
from dorp_notifications.domain.deliveries import ERASED
from dorp_notifications.domain.match_mail import TEMPLATE, Role, match_mail
from dorp_notifications.domain.model import Proposal, Recipient
from dorp_notifications.domain.session_mails import SIGN_UP, SignUpNews, sign_up_mail
from dorp_notifications.ports import MailSender, NotificationsUnitOfWork
from dorp_notifications.rendering import MailContent
from dorp_notifications.sending import (
    People,
    UowFactory,
    Wanted,
    publish_outcome,
    send_all,
)
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
from dorp_shared.regions import Region

log = structlog.get_logger(__name__)

CONSUMER = "notifications"
NO_CONSENT = "no_consent"


def recipient_from(event: MemberRegistered) -> Recipient:
    return Recipient(
        member_id=event.member_id,
        display_name=event.contact.display_name,
        email=event.contact.email,
        phone=event.contact.phone,
        channel=event.contact.channel,
        preferred_language=event.preferred_language,
        consents_notifications=event.consents.notifications,
    )


async def register_recipient(
    event: Envelope[MemberRegistered], uow: NotificationsUnitOfWork
) -> None:
    async with uow:
        if await uow.first_time(CONSUMER, event.event_id):
            await uow.recipients.save(recipient_from(event.payload))


async def update_recipient(event: Envelope[MemberUpdated], uow: NotificationsUnitOfWork) -> None:
    """New contact details and language; an erased member stays erased."""
    member = event.payload
    async with uow:
        if not await uow.first_time(CONSUMER, event.event_id):
            return
        known = await uow.recipients.update_contact(
            member.member_id, member.contact, member.preferred_language
        )
        if not known:
            log.info("recipient.update_ignored", member_id=str(member.member_id))


async def change_consent(event: Envelope[ConsentChanged], uow: NotificationsUnitOfWork) -> None:
    """Without consent for notifications nothing more is sent, and what is pending is
    suppressed (and published as such)."""
    member_id, allowed = event.payload.member_id, event.payload.consents.notifications
    async with uow:
        if not await uow.first_time(CONSUMER, event.event_id):
            return
        await uow.recipients.set_consent(member_id, allowed)
        if not allowed:
            for cancelled in await uow.deliveries.cancel_pending(member_id, NO_CONSENT):
                await publish_outcome(uow, event, cancelled)


async def erase_recipient(event: Envelope[MemberErased], uow: NotificationsUnitOfWork) -> None:
    """Contact details go; the id stays so later events about the member are suppressed
    quietly. No rendered message is stored anywhere; deliveries keep ids and counts only."""
    member_id = event.payload.member_id
    async with uow:
        if not await uow.first_time(CONSUMER, event.event_id):
            return
        await uow.recipients.erase(member_id)
        await uow.deliveries.cancel_pending(member_id, ERASED)


SideContent = Callable[[Role, Recipient, Recipient, str], MailContent]
"""Content for one side of a proposal: its role, the recipient, the other side, language."""


def _both_sides(
    requester_id: uuid.UUID,
    helper_id: uuid.UUID,
    template: str,
    content: SideContent,
    *,
    about_other: bool = True,
) -> list[Wanted]:
    """One message per side; with ``about_other`` it is not sent once the other was erased."""
    sides: tuple[tuple[uuid.UUID, uuid.UUID, Role], ...] = (
        (requester_id, helper_id, "requester"),
        (helper_id, requester_id, "helper"),
    )
    return [
        Wanted(
            me,
            template,
            partial(_side, content, role, me, other),
            about=(other,) if about_other else (),
        )
        for me, other, role in sides
    ]


def _side(
    content: SideContent,
    role: Role,
    me: uuid.UUID,
    other: uuid.UUID,
    people: People,
    language: str,
) -> MailContent:
    return content(role, people[me], people[other], language)


async def notify_match(
    event: Envelope[MatchProposed], *, uow: UowFactory, mailer: MailSender, region: Region
) -> None:
    """E-mail the requester and the helper, each in their own language, without the other's
    contact details; remember who was asked for later news about the proposal."""
    match = event.payload
    async with uow() as first:
        await first.proposals.save(
            Proposal(
                match.proposal_id, match.requester_id, match.helper_id, match.kind, match.home_area
            )
        )

    def content(role: Role, me: Recipient, other: Recipient, language: str) -> MailContent:
        return match_mail(
            match, recipient=me, other=other, role=role, language=language, region=region
        )

    wanted = _both_sides(match.requester_id, match.helper_id, TEMPLATE, content)
    involved = (match.requester_id, match.helper_id)
    await send_all(event, wanted, involved=involved, uow=uow, mailer=mailer, region=region)


async def notify_confirmed(
    event: Envelope[MatchConfirmed], *, uow: UowFactory, mailer: MailSender, region: Region
) -> None:
    """Both said yes: each gets the other's first name and e-mail address."""
    match = event.payload

    def content(role: Role, me: Recipient, other: Recipient, language: str) -> MailContent:
        head = mails.letterhead(region, me, language)
        return mails.match_confirmed_mail(match, head=head, other=other, role=role)

    wanted = _both_sides(match.requester_id, match.helper_id, mails.MATCH_CONFIRMED, content)
    involved = (match.requester_id, match.helper_id)
    await send_all(event, wanted, involved=involved, uow=uow, mailer=mailer, region=region)


async def notify_proposal_ended(
    event: Envelope[ProposalCancelled] | Envelope[ProposalExpired],
    *,
    uow: UowFactory,
    mailer: MailSender,
    region: Region,
) -> None:
    """Tell both who had been asked that the proposal will not lead to a match (not why)."""
    async with uow() as lookup:
        proposal = await lookup.proposals.get(event.payload.proposal_id)
    if proposal is None:
        log.info("proposal.unknown", proposal_id=str(event.payload.proposal_id))
        return
    expired = isinstance(event.payload, ProposalExpired)

    def content(role: Role, me: Recipient, other: Recipient, language: str) -> MailContent:
        head = mails.letterhead(region, me, language)
        return mails.proposal_ended_mail(proposal, head=head, region=region, expired=expired)

    wanted = _both_sides(
        proposal.requester_id,
        proposal.helper_id,
        mails.PROPOSAL_ENDED,
        content,
        about_other=False,  # an erased other side is one reason a proposal ends
    )
    involved = (proposal.requester_id, proposal.helper_id)
    await send_all(event, wanted, involved=involved, uow=uow, mailer=mailer, region=region)


async def notify_retention_warning(
    event: Envelope[RetentionWarningIssued],
    *,
    uow: UowFactory,
    mailer: MailSender,
    region: Region,
) -> None:
    """The member's data is erased on ``erase_on`` unless they are active again."""
    warning = event.payload

    def content(people: People, language: str) -> MailContent:
        head = mails.letterhead(region, people[warning.member_id], language)
        return mails.retention_warning_mail(warning.erase_on, head=head)

    wanted = [Wanted(warning.member_id, mails.RETENTION_WARNING, content)]
    involved = (warning.member_id,)
    await send_all(event, wanted, involved=involved, uow=uow, mailer=mailer, region=region)


async def remember_initiative(
    event: Envelope[InitiativeRegistered], uow: NotificationsUnitOfWork
) -> None:
    async with uow:
        if await uow.first_time(CONSUMER, event.event_id):
            initiative = event.payload
            await uow.sessions.save_initiative(initiative.initiative_id, initiative.initiative_name)


async def remember_session(event: Envelope[SessionScheduled], uow: NotificationsUnitOfWork) -> None:
    async with uow:
        if await uow.first_time(CONSUMER, event.event_id):
            s = event.payload
            await uow.sessions.save_session(
                s.session_id, s.initiative_id, s.starts_at, s.ends_at, s.place
            )


async def notify_sign_up(
    event: Envelope[SignedUp] | Envelope[WaitlistPromoted],
    *,
    uow: UowFactory,
    mailer: MailSender,
    region: Region,
) -> None:
    """Confirm a sign-up, a place on the waiting list or a promotion from it, with the
    session's day, time and place when registration's details of it have reached us."""
    news: SignUpNews
    position = None
    if isinstance(event.payload, SignedUp):
        news, position = event.payload.status, event.payload.waitlist_position
    else:
        news = "promoted"
    member_id, session_id = event.payload.member_id, event.payload.session_id
    async with uow() as lookup:
        session = await lookup.sessions.get(session_id)

    def content(people: People, language: str) -> MailContent:
        return sign_up_mail(
            news,
            head=mails.letterhead(region, people[member_id], language),
            session_id=session_id,
            session=session,
            time_zone=region.time_zone,
            waitlist_position=position,
        )

    wanted = [Wanted(member_id, SIGN_UP, content)]
    await send_all(event, wanted, involved=(member_id,), uow=uow, mailer=mailer, region=region)
