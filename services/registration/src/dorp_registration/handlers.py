"""Use cases of registration. Each takes its ports as arguments."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import datetime

import structlog

from dorp_registration.domain import intake, rules
from dorp_registration.domain.ids import event_id
from dorp_registration.domain.intake import PartnerInput
from dorp_registration.domain.outcomes import (
    UNKNOWN_MEMBER,
    Accepted,
    Outcome,
    Rejection,
    reply_for,
)
from dorp_registration.domain.records import (
    Source,
    member_id_of,
    new_member,
    new_offer,
    new_request,
)
from dorp_registration.ports import RegistrationUnitOfWork
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
    async with uow:
        if isinstance(checked, Rejection):
            outcome: Outcome = checked
        else:
            outcome = await _register(uow, region, message.partner_id, checked)
        if isinstance(outcome, Rejection):
            await uow.rejections.record(dead_letter(outcome, message, now))
    _log(message, outcome)
    return reply_for(outcome)


async def _register(
    uow: RegistrationUnitOfWork, region: Region, partner_id: str, item: PartnerInput
) -> Outcome:
    source = Source(partner_id=partner_id, external_id=item.external_id)
    if isinstance(item, PartnerMember):
        member = new_member(item, region, partner_id)
        return await _once(uow, member, member.member_id, uow.members.add(member, source))
    profile = await uow.members.profile(member_id_of(region, partner_id, item.member_external_id))
    if profile is None:
        return Rejection(UNKNOWN_MEMBER, "member_external_id was never registered by this partner")
    if isinstance(item, PartnerHelpRequest):
        request = new_request(item, region, partner_id, profile)
        return await _once(uow, request, request.request_id, uow.help.add_request(request, source))
    offer = new_offer(item, region, partner_id, profile)
    return await _once(uow, offer, offer.offer_id, uow.help.add_offer(offer, source))


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
