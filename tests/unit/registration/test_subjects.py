"""A partner's subject tells registration who sent what."""

from __future__ import annotations

from dorp_registration.entrypoints.subscribers import partner_message
from dorp_shared.contracts.subjects import partner_subject


def test_partner_and_event_come_from_the_subject() -> None:
    subject = partner_subject("lochem", "ko-het-speelhuis", "help_offer")
    message = partner_message(subject, b"{}")
    assert (message.partner_id, message.event, message.subject) == (
        "ko-het-speelhuis",
        "help_offer",
        subject,
    )
