"""Use cases of registration. Each takes its ports as arguments."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import structlog

from dorp_registration.commands import PARTNER_COMMANDS
from dorp_registration.commands.help import open_help
from dorp_registration.commands.members import add_member
from dorp_registration.commands.organisations import put_organisation
from dorp_registration.domain import intake, rules
from dorp_registration.domain.help import draft_of
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
    Source,
    help_id_of,
    member_id_of,
    organisation_id_of,
    partner_member,
    partner_organisation,
)
from dorp_registration.ports import RegistrationUnitOfWork
from dorp_shared.commands import (
    Actor,
    Command,
    CommandContext,
    CommandRejected,
    execute,
    parse_input,
)
from dorp_shared.contracts.deadletter import DeadLetter
from dorp_shared.contracts.events import Side
from dorp_shared.contracts.partner import (
    MAX_PARTNER_PAYLOAD_BYTES,
    PartnerHelpOffer,
    PartnerHelpRequest,
    PartnerMember,
    PartnerOrganisation,
    PartnerReply,
)
from dorp_shared.regions import Region

log = structlog.get_logger(__name__)
_levels = logging.getLogger(__name__)
"""The level structlog's lines go out at (the stdlib logger's): checked before building one."""

SERVICE = "registration"


@dataclass(frozen=True)
class PartnerMessage:
    """One partner message as it arrived: ``event`` is the last token of the subject."""

    subject: str
    partner_id: str
    event: str
    body: bytes
    idempotency_key: str | None = None
    data: dict[str, Any] | None = None
    """The body's JSON object, if the receiver read it already (partner intake does, for the
    lane key): then it is not parsed a second time."""


async def handle_partner_message(
    uow: RegistrationUnitOfWork, region: Region, message: PartnerMessage, now: datetime
) -> PartnerReply:
    """Validate, then register once, or reject with a reason: always an answer."""
    command = PARTNER_COMMANDS.get(message.event)
    if command is not None:
        return await _partner_command(uow, region, message, now, command)
    checked = intake.parse(message.event, message.body, tuple(PARTNER_COMMANDS), message.data)
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


async def _partner_command(
    uow: RegistrationUnitOfWork,
    region: Region,
    message: PartnerMessage,
    now: datetime,
    command: Command[RegistrationUnitOfWork, Any, Any],
) -> PartnerReply:
    """A command sent as a partner event: the same input, handling and errors as over the
    API; a rejection is also dead-lettered and counted, in a transaction of its own (the
    command's own transaction was rolled back, so nothing of it is stored)."""
    key = message.idempotency_key
    ctx = CommandContext(
        region=region,
        now=now,
        actor=Actor("partner", message.partner_id),
        idempotency_key=f"partner:{message.partner_id}:{key}" if key else None,
    )
    try:
        result = await execute(command, uow, ctx, parse_input(command, message.body))
    except CommandRejected as rejected:
        rejection = Rejection(rejected.reason, rejected.detail, rejected.errors)
        async with uow:
            await uow.rejections.record(dead_letter(rejection, message, now))
        _log(message, rejection)
        return reply_for(rejection)
    answer = result.model_dump(mode="json")
    ids = [str(value) for name, value in answer.items() if name.endswith("_id")]
    log.debug("partner.accepted", partner_id=message.partner_id, partner_event=message.event)
    return PartnerReply(status="accepted", dorp_id=ids[0] if ids else None, result=answer)


async def _register(
    uow: RegistrationUnitOfWork, ctx: CommandContext, partner_id: str, item: PartnerInput
) -> Outcome:
    source = Source(partner_id=partner_id, external_id=item.external_id)
    if isinstance(item, PartnerMember):
        registered = partner_member(item, ctx.region, partner_id, ctx.now)
        return await _register_member(uow, ctx, registered, item.external_id)
    if isinstance(item, PartnerOrganisation):
        return await _register_organisation(uow, ctx, item, source)
    return await _register_help(uow, ctx, item, source)


async def _register_member(
    uow: RegistrationUnitOfWork, ctx: CommandContext, member: Member, external_id: str
) -> Outcome:
    """New: register. Known and unchanged: a duplicate. Known and changed: an update.

    The consents in a re-sent record are not applied: the member may have changed them since
    (``set_consent``), and a partner's nightly re-send must not undo that."""
    known = await uow.members.get(member.member_id)
    if known is None:
        await add_member(uow, ctx, member, external_id)
        return Accepted(member.member_id)
    if known.erased:
        return Rejection(ERASED_MEMBER, "this member was erased and cannot be registered again")
    changed = replace(
        member,
        consents=known.consents,
        registered_at=known.registered_at,
        registered_by=known.registered_by,
        last_active_at=known.last_active_at,
    )
    if known.same_profile(changed):
        return Accepted(member.member_id, duplicate=True)
    await uow.members.save(changed)
    await uow.emit(changed.profile_event())
    await uow.members.touch(member.member_id, ctx.now)
    return Accepted(member.member_id)


async def _register_help(
    uow: RegistrationUnitOfWork,
    ctx: CommandContext,
    item: PartnerHelpRequest | PartnerHelpOffer,
    source: Source,
) -> Outcome:
    """A request or offer sent again is a duplicate, even if changed (updates are not
    supported on this path)."""
    member_id = member_id_of(ctx.region, source.partner_id, item.member_external_id)
    member = await uow.members.get(member_id)
    if member is None or member.erased:
        return Rejection(UNKNOWN_MEMBER, "member_external_id was never registered by this partner")
    side: Side = "request" if isinstance(item, PartnerHelpRequest) else "offer"
    help_id = help_id_of(ctx.region, source.partner_id, side, item.external_id)
    _, new = await open_help(
        uow, ctx, member, draft_of(item), side=side, help_id=help_id, source=source
    )
    return Accepted(help_id, duplicate=not new)


async def _register_organisation(
    uow: RegistrationUnitOfWork, ctx: CommandContext, item: PartnerOrganisation, source: Source
) -> Outcome:
    """New: register. Known and unchanged: a duplicate. Known and changed: an update."""
    organisation_id = organisation_id_of(ctx.region, source.partner_id, item.external_id)
    known = await uow.organisations.get(organisation_id)
    described = partner_organisation(item, ctx.region, source.partner_id, ctx.now, known)
    changed = await put_organisation(uow, described, known=known, source=source)
    return Accepted(organisation_id, duplicate=not changed)


def dead_letter(rejection: Rejection, message: PartnerMessage, now: datetime) -> DeadLetter:
    """The rejected message, kept whole up to the size limit, with why it was rejected.
    Bytes that are not UTF-8 are kept as ``\\xNN``: replaced by one "?" sign, different inputs
    became one dead letter (found by the deep fuzz run: 9,912 rejected inputs, 9,189 letters)."""
    original = message.body[:MAX_PARTNER_PAYLOAD_BYTES].decode("utf-8", errors="backslashreplace")
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
            subject=message.subject,
            partner_id=message.partner_id,
            partner_event=message.event,
            reason=outcome.reason,
            fields=[error.field for error in outcome.errors],
        )
    elif _levels.isEnabledFor(logging.DEBUG):  # one line per accepted message costs too much
        log.debug(
            "partner.accepted",
            partner_id=message.partner_id,
            partner_event=message.event,
            dorp_id=str(outcome.dorp_id),
            duplicate=outcome.duplicate,
        )
