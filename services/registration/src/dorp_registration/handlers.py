"""Use cases of registration. Each takes its ports as arguments."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable
from dataclasses import dataclass, replace
from datetime import datetime

import structlog

from dorp_registration.commands.members import add_member
from dorp_registration.domain import intake, rules
from dorp_registration.domain.ids import event_id
from dorp_registration.domain.intake import PartnerInput
from dorp_registration.domain.members import Member
from dorp_registration.domain.outcomes import (
    ERASED_MEMBER,
    UNKNOWN_MEMBER,
    Accepted,
    Outcome,
    Rejection,
    reply_for,
)
from dorp_registration.domain.records import (
    MemberProfile,
    Source,
    member_id_of,
    new_offer,
    new_request,
    partner_member,
)
from dorp_registration.ports import RegistrationUnitOfWork
from dorp_shared.commands import Actor, CommandContext
from dorp_shared.contracts.deadletter import DeadLetter
from dorp_shared.contracts.envelope import Event
from dorp_shared.contracts.partner import (
    MAX_PARTNER_PAYLOAD_BYTES,
    PartnerHelpRequest,
    PartnerMember,
    PartnerReply,
)
from dorp_shared.regions import Region

log = structlog.get_logger(__name__)

SERVICE = "registration"


@dataclass(frozen=True)
class PartnerMessage:
    """One partner message as it arrived: ``event`` is the last token of the subject."""

    subject: str
    partner_id: str
    event: str
    body: bytes


async def handle_partner_message(
    uow: RegistrationUnitOfWork, region: Region, message: PartnerMessage, now: datetime
) -> PartnerReply:
    """Validate, then register once, or reject with a reason: always an answer."""
    checked = intake.parse(message.event, message.body)
    if not isinstance(checked, Rejection):
        checked = rules.check(checked, region) or checked
    ctx = CommandContext(
        region=region,
        now=now,
        actor=Actor("partner", message.partner_id),
    )
    async with uow:
        if isinstance(checked, Rejection):
            outcome: Outcome = checked
        else:
            outcome = await _register(uow, ctx, message.partner_id, checked)
        if isinstance(outcome, Rejection):
            await uow.rejections.record(dead_letter(outcome, message, now))
    _log(message, outcome)
    return reply_for(outcome)


async def _register(
    uow: RegistrationUnitOfWork, ctx: CommandContext, partner_id: str, item: PartnerInput
) -> Outcome:
    source = Source(partner_id=partner_id, external_id=item.external_id)
    if isinstance(item, PartnerMember):
        registered = partner_member(item, ctx.region, partner_id, ctx.now)
        return await _register_member(uow, ctx, registered, item.external_id)
    member_id = member_id_of(ctx.region, partner_id, item.member_external_id)
    member = await uow.members.get(member_id)
    if member is None or member.erased:
        return Rejection(UNKNOWN_MEMBER, "member_external_id was never registered by this partner")
    await uow.members.touch(member_id, ctx.now)
    profile = MemberProfile(member_id, member.home_area, member.languages)
    if isinstance(item, PartnerHelpRequest):
        request = new_request(item, ctx.region, partner_id, profile)
        return await _once(uow, request, request.request_id, uow.help.add_request(request, source))
    offer = new_offer(item, ctx.region, partner_id, profile)
    return await _once(uow, offer, offer.offer_id, uow.help.add_offer(offer, source))


async def _register_member(
    uow: RegistrationUnitOfWork, ctx: CommandContext, member: Member, external_id: str
) -> Outcome:
    """New: register. Known and unchanged: a duplicate. Known and changed: an update."""
    known = await uow.members.get(member.member_id)
    if known is None:
        await add_member(uow, ctx, member, external_id)
        return Accepted(member.member_id)
    if known.erased:
        return Rejection(ERASED_MEMBER, "this member was erased and cannot be registered again")
    if known.same_profile(member):
        return Accepted(member.member_id, duplicate=True)
    changed = replace(member, registered_at=known.registered_at, registered_by=known.registered_by)
    await uow.members.save(changed)
    await uow.emit(changed.profile_event())
    await uow.members.touch(member.member_id, ctx.now)
    return Accepted(member.member_id)


async def _once(
    uow: RegistrationUnitOfWork, event: Event, record_id: uuid.UUID, stored: Awaitable[bool]
) -> Accepted:
    """Emit the record's event only if storing it was new: a duplicate changes nothing."""
    if not await stored:
        return Accepted(record_id, duplicate=True)
    await uow.emit(event, event_id=event_id(record_id, event.event_type()))
    return Accepted(record_id)


def dead_letter(rejection: Rejection, message: PartnerMessage, now: datetime) -> DeadLetter:
    """The rejected message, kept whole up to the size limit, with why it was rejected."""
    original = message.body[:MAX_PARTNER_PAYLOAD_BYTES].decode("utf-8", errors="replace")
    return DeadLetter(
        reason=rejection.reason,
        detail=rejection.detail,
        service=SERVICE,
        original_subject=message.subject,
        original_payload=original,
        errors=rejection.errors,
        failed_at=now,
    )


def _log(message: PartnerMessage, outcome: Outcome) -> None:
    """Ids and reasons only: never names, contact details or free text."""
    if isinstance(outcome, Rejection):
        log.info(
            "partner.rejected",
            partner_id=message.partner_id,
            partner_event=message.event,
            reason=outcome.reason,
            fields=[error.field for error in outcome.errors],
        )
    else:
        log.info(
            "partner.accepted",
            partner_id=message.partner_id,
            partner_event=message.event,
            dorp_id=str(outcome.dorp_id),
            duplicate=outcome.duplicate,
        )
