"""Sending e-mail over SMTP with aiosmtplib.

A connection problem or a temporary (4xx) refusal is raised as
:class:`InfrastructureUnavailable`, so the delivery guard retries with backoff; a
permanent (5xx) refusal of the recipient becomes :class:`RecipientRefusedError`.
"""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import formataddr, formatdate

import aiosmtplib

from dorp_notifications.domain.model import OutgoingMail
from dorp_notifications.ports import RecipientRefusedError
from dorp_shared.errors import InfrastructureUnavailable
from dorp_shared.settings import DorpSettings

TIMEOUT_SECONDS = 10.0


def email_message(mail: OutgoingMail, sender: str) -> EmailMessage:
    """Plain text first, HTML as the preferred alternative."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = formataddr((mail.to_name, mail.to_address))
    message["Subject"] = mail.subject
    message["Message-ID"] = mail.message_id
    message["Date"] = formatdate(usegmt=True)
    message["Content-Language"] = mail.language
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(mail.text)
    message.add_alternative(mail.html, subtype="html")
    return message


class SmtpMailer:
    def __init__(self, settings: DorpSettings) -> None:
        self._settings = settings

    async def send(self, mail: OutgoingMail) -> None:
        s = self._settings
        try:
            await aiosmtplib.send(
                email_message(mail, s.smtp_from),
                hostname=s.smtp_host,
                port=s.smtp_port,
                username=s.smtp_username,
                password=s.smtp_password.get_secret_value() if s.smtp_password else None,
                start_tls=s.smtp_starttls,
                timeout=TIMEOUT_SECONDS,
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            if all(refused.code >= 500 for refused in exc.recipients):
                raise RecipientRefusedError("the mail server refused the recipient") from exc
            raise InfrastructureUnavailable("the mail server deferred the recipient") from exc
        except (aiosmtplib.SMTPException, OSError) as exc:
            raise InfrastructureUnavailable(
                f"cannot send mail via SMTP at {s.smtp_host}:{s.smtp_port}: {type(exc).__name__}"
            ) from exc
