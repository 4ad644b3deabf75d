"""Use cases that keep notifications' records in step: contact details, role and language,
consent, erasure, preferences, sessions and who is signed up, dialogue tables and groups.
What is sent is decided in ``match_notices`` and ``activity_notices``."""

from __future__ import annotations

import structlog

from dorp_notifications.domain.deliveries import ERASED, NO_CONSENT
from dorp_notifications.domain.model import Recipient
from dorp_notifications.ports import NotificationsUnitOfWork
from dorp_notifications.sending import CONSUMER, publish_outcome
from dorp_shared.contracts import Envelope, MemberRegistered
from dorp_shared.contracts.events import (
    ConsentChanged,
    DialogueTableOpened,
    InitiativeRegistered,
    MemberErased,
    MemberUpdated,
    ParentGroupJoined,
    SessionScheduled,
)

log = structlog.get_logger(__name__)


def recipient_from(event: MemberRegistered) -> Recipient:
    return Recipient(
        member_id=event.member_id,
        display_name=event.contact.display_name,
        email=event.contact.email,
        phone=event.contact.phone,
        channel=event.contact.channel,
        preferred_language=event.preferred_language,
        consents_notifications=event.consents.notifications,
        role=event.role,
    )


async def register_recipient(
    event: Envelope[MemberRegistered], uow: NotificationsUnitOfWork
) -> None:
    async with uow:
        if await uow.first_time(CONSUMER, event.event_id):
            await uow.recipients.save(recipient_from(event.payload))


async def update_recipient(event: Envelope[MemberUpdated], uow: NotificationsUnitOfWork) -> None:
    """New contact details, role and language; an erased member stays erased."""
    member = event.payload
    async with uow:
        if not await uow.first_time(CONSUMER, event.event_id):
            return
        known = await uow.recipients.update_contact(
            member.member_id, member.contact, member.preferred_language, member.role
        )
        if not known:
            log.info("recipient.update_ignored", member_id=str(member.member_id))


async def change_consent(event: Envelope[ConsentChanged], uow: NotificationsUnitOfWork) -> None:
    """Without consent for notifications nothing more is sent: what is pending (reminders,
    digests, held SMS) is suppressed, its letters deleted, and published as suppressed;
    the stored e-mail address, phone number and inbox messages are deleted."""
    member_id, allowed = event.payload.member_id, event.payload.consents.notifications
    async with uow:
        if not await uow.first_time(CONSUMER, event.event_id):
            return
        await uow.recipients.set_consent(member_id, allowed)
        if not allowed:
            for cancelled in await uow.deliveries.cancel_pending(member_id, NO_CONSENT):
                await publish_outcome(uow, cancelled)
            await uow.inbox_messages.delete_for(member_id)


async def erase_recipient(event: Envelope[MemberErased], uow: NotificationsUnitOfWork) -> None:
    """Contact details, pending letters and inbox messages go; the id stays so later events
    about the member are suppressed quietly. Deliveries keep ids and counts only."""
    member_id = event.payload.member_id
    async with uow:
        if not await uow.first_time(CONSUMER, event.event_id):
            return
        await uow.recipients.erase(member_id)
        await uow.deliveries.cancel_pending(member_id, ERASED)
        await uow.inbox_messages.delete_for(member_id)


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


async def remember_table(
    event: Envelope[DialogueTableOpened], uow: NotificationsUnitOfWork
) -> None:
    async with uow:
        if await uow.first_time(CONSUMER, event.event_id):
            table = event.payload
            await uow.dialogue.save_table(table.table_id, table.topic, table.group_ids)


async def remember_group_member(
    event: Envelope[ParentGroupJoined], uow: NotificationsUnitOfWork
) -> None:
    async with uow:
        if await uow.first_time(CONSUMER, event.event_id):
            await uow.dialogue.join_group(event.payload.group_id, event.payload.member_id)
