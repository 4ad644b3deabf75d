"""The SMTP adapter against a real SMTP server (aiosmtpd): pooled connections, a refused
recipient is permanent and leaves the connection usable, a deferred one is transient."""

from __future__ import annotations

from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from dorp_cli.stack import free_port
from dorp_notifications.adapters.smtp import SmtpMailer
from dorp_notifications.domain.model import OutgoingMail
from dorp_notifications.ports import PermanentFailure
from dorp_shared.errors import InfrastructureUnavailable
from dorp_shared.settings import DorpSettings

pytestmark = pytest.mark.integration


class Picky:
    """Refuses ``nobody@`` for good and defers ``later@``; keeps what it accepts."""

    def __init__(self) -> None:
        self.accepted: list[EmailMessage] = []
        self.sessions: set[int] = set()

    async def handle_RCPT(  # noqa: N802
        self,
        server: Any,
        session: Any,
        envelope: Any,
        address: str,
        options: Any,
    ) -> str:
        if address.startswith("nobody@"):
            return "550 5.1.1 no such user"
        if address.startswith("later@"):
            return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.sessions.add(id(session))
        parsed = message_from_bytes(envelope.original_content, policy=default)
        assert isinstance(parsed, EmailMessage)
        self.accepted.append(parsed)
        return "250 OK"


def mail(to: str, n: int) -> OutgoingMail:
    return OutgoingMail(
        to,
        "Zoë",
        f"Bericht {n}: één",
        "tekst\n.begint met punt\n",
        "<p>html</p>",
        "nl",
        f"<m{n}@dorp>",
    )


async def test_pooled_sends_refusals_and_deferrals() -> None:
    picky, port = Picky(), free_port()
    controller = Controller(picky, hostname="127.0.0.1", port=port)
    controller.start()
    mailer = SmtpMailer(
        DorpSettings(smtp_port=port, smtp_from="Dorp <noreply@dorp.invalid>"), pool_size=2
    )
    try:
        with pytest.raises(PermanentFailure):
            await mailer.send(mail("nobody@example.org", 0))
        with pytest.raises(InfrastructureUnavailable):
            await mailer.send(mail("later@example.org", 1))
        for n in range(2, 8):
            await mailer.send(mail("anna@example.org", n))
    finally:
        await mailer.close()
        controller.stop()

    assert [m["Message-ID"] for m in picky.accepted] == [f"<m{n}@dorp>" for n in range(2, 8)]
    first = picky.accepted[0]
    assert first["Subject"] == "Bericht 2: één" and first["To"] == "Zoë <anna@example.org>"
    plain = first.get_body(("plain",))
    assert plain is not None and plain.get_content() == "tekst\n.begint met punt\n"
    assert len(picky.sessions) <= 2  # six mails over at most two open connections
