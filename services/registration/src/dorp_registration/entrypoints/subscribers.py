"""Partner intake: core NATS request/reply on ``dorp.<region>.partner.<partner_id>.<event>``.

The body reaches the handler as raw bytes (no FastStream decoding), so a malformed payload
becomes a rejection reply instead of an error. Every message gets a ``PartnerReply``.
"""

from __future__ import annotations

from datetime import UTC, datetime

import structlog
from faststream.nats.annotations import NatsMessage

from dorp_registration.adapters.uow import RegistrationPgUnitOfWork
from dorp_registration.handlers import PartnerMessage, handle_partner_message
from dorp_shared.contracts.partner import PartnerReply
from dorp_shared.contracts.subjects import partner_wildcard
from dorp_shared.service import Runtime, raw_body

log = structlog.get_logger(__name__)

UNAVAILABLE = PartnerReply(status="rejected", reason="temporarily_unavailable")


def partner_message(subject: str, body: bytes) -> PartnerMessage:
    """``dorp.<region>.partner.<partner_id>.<event>`` → partner id and event name."""
    *_, partner_id, event = subject.split(".")
    return PartnerMessage(subject=subject, partner_id=partner_id, event=event, body=body)


def wire_partner_intake(runtime: Runtime) -> None:
    @runtime.broker.subscriber(
        partner_wildcard(runtime.region.id),
        queue="registration",
        decoder=raw_body,
        title="registration: partner intake",
        description="Partner systems register members, help requests and help offers.",
    )
    async def partner_intake(body: bytes, message: NatsMessage) -> PartnerReply:
        request = partner_message(message.raw_message.subject, body)
        uow = runtime.uow(RegistrationPgUnitOfWork)
        try:
            return await handle_partner_message(uow, runtime.region, request, datetime.now(UTC))
        except Exception as exc:  # the partner may retry; it must not wait for a timeout
            log.error("partner.failed", error=type(exc).__name__, partner_event=request.event)
            return UNAVAILABLE
