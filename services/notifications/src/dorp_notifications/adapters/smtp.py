"""Sending e-mail over SMTP with aiosmtplib, over a small pool of open connections.

A connection problem or a temporary (4xx) refusal is transient (the dispatcher retries
with backoff); a permanent (5xx) refusal of the recipient is a :class:`PermanentFailure`.
A connection that failed is closed and opened again on its next use.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
from email.utils import formataddr, formatdate, parseaddr

import aiosmtplib
from aiosmtplib.typing import SMTPStatus

from dorp_notifications.domain.model import OutgoingMail
from dorp_notifications.ports import PermanentFailure
from dorp_shared.errors import InfrastructureUnavailable
from dorp_shared.settings import DorpSettings

TIMEOUT_SECONDS = 10.0
CRLF = "\r\n"
MAX_WORD_BYTES = 45


def mime_message(mail: OutgoingMail, sender: str) -> bytes:
    """The mail as bytes on the wire: plain text first, HTML as the preferred alternative,
    both UTF-8 in base64. Written out directly because the ``email`` package's
    ``EmailMessage`` costs milliseconds per message, most of the sending CPU."""
    boundary = "=_dorp_" + hashlib.sha1(mail.message_id.encode(), usedforsecurity=False).hexdigest()
    headers = (
        ("From", sender),
        ("To", formataddr((mail.to_name, mail.to_address))),
        ("Subject", encoded_words(mail.subject)),
        ("Message-ID", mail.message_id),
        ("Date", formatdate(usegmt=True)),
        ("MIME-Version", "1.0"),
        ("Content-Language", mail.language),
        ("Auto-Submitted", "auto-generated"),
        ("Content-Type", f'multipart/alternative; boundary="{boundary}"'),
    )
    lines = [f"{name}: {value}" for name, value in headers]
    for subtype, body in (("plain", mail.text), ("html", mail.html)):
        lines += [
            "",
            f"--{boundary}",
            f'Content-Type: text/{subtype}; charset="utf-8"',
            "Content-Transfer-Encoding: base64",
            "",
            base64.encodebytes(body.encode("utf-8"))
            .decode("ascii")
            .rstrip("\n")
            .replace("\n", CRLF),
        ]
    lines += ["", f"--{boundary}--", ""]
    return CRLF.join(lines).encode("ascii")


def encoded_words(text: str) -> str:
    """A header value as RFC 2047 encoded words when it is not ASCII (UTF-8, base64, at
    most 45 bytes a word, folded): much cheaper than ``email.header.Header``."""
    if text.isascii():
        return text
    words, chunk = [], ""
    for char in text:
        if len((chunk + char).encode("utf-8")) > MAX_WORD_BYTES:
            words.append(chunk)
            chunk = ""
        chunk += char
    words.append(chunk)
    encoded = (base64.b64encode(word.encode("utf-8")).decode("ascii") for word in words)
    return (CRLF + " ").join(f"=?utf-8?b?{word}?=" for word in encoded)


def _base64_lines(text: str) -> str:
    """UTF-8 in base64, 76 characters a line, CRLF between lines."""
    return base64.encodebytes(text.encode("utf-8")).decode("ascii").rstrip("\n").replace("\n", CRLF)


class SmtpMailer:
    """``pool_size`` connections, each used by one send at a time."""

    def __init__(self, settings: DorpSettings, pool_size: int = 8) -> None:
        self._settings = settings
        self._envelope_from = parseaddr(settings.smtp_from)[1]
        self._idle: asyncio.Queue[aiosmtplib.SMTP | None] = asyncio.Queue()
        for _ in range(pool_size):
            self._idle.put_nowait(None)

    async def send(self, mail: OutgoingMail) -> None:
        s = self._settings
        client = await self._idle.get()
        try:
            client = client or await self._connect()
            await _transaction(
                client, self._envelope_from, mail.to_address, mime_message(mail, s.smtp_from)
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            if all(refused.code >= 500 for refused in exc.recipients):
                raise PermanentFailure("the mail server refused the recipient") from exc
            raise InfrastructureUnavailable("the mail server deferred the recipient") from exc
        except (aiosmtplib.SMTPException, OSError) as exc:
            await _discard(client)
            client = None
            raise InfrastructureUnavailable(
                f"cannot send mail via SMTP at {s.smtp_host}:{s.smtp_port}: {type(exc).__name__}"
            ) from exc
        finally:
            self._idle.put_nowait(client)

    async def _connect(self) -> aiosmtplib.SMTP:
        s = self._settings
        client = aiosmtplib.SMTP(
            hostname=s.smtp_host,
            port=s.smtp_port,
            username=s.smtp_username,
            password=s.smtp_password.get_secret_value() if s.smtp_password else None,
            start_tls=s.smtp_starttls,
            timeout=TIMEOUT_SECONDS,
        )
        await client.connect()
        if not client.last_ehlo_response:  # connect() greets only when it logs in or TLS
            await client.ehlo()
        return client

    async def close(self) -> None:
        while not self._idle.empty():
            await _discard(self._idle.get_nowait())


async def _transaction(client: aiosmtplib.SMTP, sender: str, recipient: str, data: bytes) -> None:
    """MAIL, RCPT and DATA for one recipient, without ``sendmail``'s address parsing
    (a fifth of the sending CPU); a refusal resets the transaction, so the connection stays
    usable, and raises as ``sendmail`` would."""
    answer = await client.execute_command(b"MAIL", b"FROM:<" + sender.encode() + b">")
    if answer.code != SMTPStatus.completed:
        await _reset(client)
        raise aiosmtplib.SMTPSenderRefused(answer.code, answer.message, sender)
    answer = await client.execute_command(b"RCPT", b"TO:<" + recipient.encode() + b">")
    if answer.code not in (SMTPStatus.completed, SMTPStatus.will_forward):
        await _reset(client)
        refused = aiosmtplib.SMTPRecipientRefused(answer.code, answer.message, recipient)
        raise aiosmtplib.SMTPRecipientsRefused([refused])
    await client.data(data)


async def _reset(client: aiosmtplib.SMTP) -> None:
    with contextlib.suppress(aiosmtplib.SMTPException, OSError):
        await client.execute_command(b"RSET")


async def _discard(client: aiosmtplib.SMTP | None) -> None:
    if client is not None and client.is_connected:
        with contextlib.suppress(aiosmtplib.SMTPException, OSError):
            await client.quit()
