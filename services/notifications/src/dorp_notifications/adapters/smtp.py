"""Sending e-mail over SMTP with aiosmtplib, over a small pool of open connections.

A connection problem or a temporary (4xx) refusal is transient (the dispatcher retries
with backoff); a permanent (5xx) refusal of the recipient is a :class:`PermanentFailure`.
A connection that failed is closed and opened again on its next use.

Plain connections use :class:`PlainSmtp`, which pipelines MAIL, RCPT and DATA when the
server offers it; with STARTTLS or AUTH configured, aiosmtplib does the work.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
from collections.abc import Sequence
from email.utils import formataddr, formatdate, parseaddr

import aiosmtplib
from aiosmtplib.typing import SMTPStatus

from dorp_notifications.adapters.smtp_wire import PlainSmtp, valid_address
from dorp_notifications.domain.model import OutgoingMail
from dorp_notifications.ports import PermanentFailure
from dorp_shared.errors import InfrastructureUnavailable
from dorp_shared.settings import DorpSettings

TIMEOUT_SECONDS = 10.0
Connection = PlainSmtp | aiosmtplib.SMTP
MAX_BATCH = 32
"""Mails written to one connection in one go, at most (CHUNKING servers only)."""
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
            _base64_lines(body),
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
    """UTF-8 in base64, 76 characters a line, CRLF between lines (``encodebytes`` cuts
    the lines in a Python loop, at a third more of the cost)."""
    encoded = base64.b64encode(text.encode("utf-8")).decode("ascii")
    return CRLF.join([encoded[n : n + 76] for n in range(0, len(encoded), 76)])


class SmtpMailer:
    """Up to ``pool_size`` open connections, each used by one send at a time, opened when
    none is free and kept for the next. Mails handed over together (``send_many``) go over
    one connection in one write when the server offers CHUNKING (up to ``MAX_BATCH`` a
    write), otherwise one mail at a time over as many connections. How many are sent at
    once is the dispatcher's to bound (its concurrency)."""

    def __init__(self, settings: DorpSettings, pool_size: int = 8) -> None:
        self._settings = settings
        self._envelope_from = parseaddr(settings.smtp_from)[1]
        self._free: list[Connection] = []
        self._in_use = asyncio.Semaphore(pool_size)
        self._chunking = False
        """What the last connection opened offered: mails go together only then."""

    async def send(self, mail: OutgoingMail) -> None:
        [error] = await self.send_many([mail])
        if error is not None:
            raise error

    async def send_many(self, mails: Sequence[OutgoingMail]) -> list[Exception | None]:
        errors: list[Exception | None] = [None] * len(mails)
        sendable = []
        for i, mail in enumerate(mails):
            if valid_address(mail.to_address):
                sendable.append(i)
            else:
                errors[i] = PermanentFailure("not an e-mail address that SMTP can carry")
        size = MAX_BATCH if self._chunking else 1
        chunks = [sendable[start : start + size] for start in range(0, len(sendable), size)]
        answers = await asyncio.gather(*(self._over_one([mails[i] for i in c]) for c in chunks))
        for chunk, answer in zip(chunks, answers, strict=True):
            for i, error in zip(chunk, answer, strict=True):
                errors[i] = error
        return errors

    async def _over_one(self, mails: list[OutgoingMail]) -> list[Exception | None]:
        """The mails over one connection: a free one, or a new one."""
        async with self._in_use:
            client = self._free.pop() if self._free else None
            try:
                client, errors = await self._deliver(client, mails)
            except BaseException as exc:  # where the conversation stands is unknown
                if client is not None:
                    client.close()
                if not isinstance(exc, Exception):  # cancelled
                    raise
                client, errors = None, [exc] * len(mails)  # a bug: tried again later
            if client is not None:
                self._free.append(client)
            return errors

    async def _deliver(
        self, client: Connection | None, mails: list[OutgoingMail]
    ) -> tuple[Connection | None, list[Exception | None]]:
        """Send the mails; returns the connection to keep (None: it broke) and each
        mail's failure."""
        s = self._settings
        try:
            if client is None:
                client = await self._connect()
                self._chunking = isinstance(client, PlainSmtp) and client.chunking
            messages = [(mail.to_address, mime_message(mail, s.smtp_from)) for mail in mails]
            if isinstance(client, PlainSmtp) and client.chunking:
                refusals = await client.send_many(self._envelope_from, messages)
            else:
                refusals = [
                    await _one(client, self._envelope_from, to, message) for to, message in messages
                ]
        except (aiosmtplib.SMTPException, OSError) as exc:
            await _discard(client)
            error = InfrastructureUnavailable(
                f"cannot send mail via SMTP at {s.smtp_host}:{s.smtp_port}: {type(exc).__name__}"
            )
            return None, [error] * len(mails)
        errors = [None if refusal is None else _failure(refusal) for refusal in refusals]
        if not client.is_connected:  # broke in the middle of a batch
            await _discard(client)
            return None, errors
        return client, errors

    async def _connect(self) -> Connection:
        s = self._settings
        if not (s.smtp_starttls or s.smtp_username):
            return await PlainSmtp.connect(s.smtp_host, s.smtp_port, TIMEOUT_SECONDS)
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
        """Closes the connections not in use (sends still under way close theirs)."""
        free, self._free = self._free, []
        for client in free:
            await _discard(client)


async def _one(
    client: Connection, sender: str, recipient: str, message: bytes
) -> aiosmtplib.SMTPException | None:
    """One mail; a refusal the server answered is returned (the connection stays usable),
    a broken connection raises."""
    try:
        if isinstance(client, PlainSmtp):
            await client.send(sender, recipient, message)
        else:
            await _transaction(client, sender, recipient, message)
    except (aiosmtplib.SMTPRecipientsRefused, aiosmtplib.SMTPSenderRefused) as refused:
        return refused
    except aiosmtplib.SMTPDataError as refused:
        return refused
    return None


def _failure(refusal: aiosmtplib.SMTPException) -> Exception:
    """Permanent when the server refused every recipient for good (5xx), else transient."""
    if isinstance(refusal, aiosmtplib.SMTPRecipientsRefused) and all(
        refused.code >= 500 for refused in refusal.recipients
    ):
        return PermanentFailure("the mail server refused the recipient")
    if isinstance(refusal, aiosmtplib.SMTPRecipientsRefused):
        return InfrastructureUnavailable("the mail server deferred the recipient")
    if isinstance(refusal, aiosmtplib.SMTPServerDisconnected):
        return InfrastructureUnavailable("the mail server's connection broke before it answered")
    code = getattr(refusal, "code", "?")
    return InfrastructureUnavailable(f"the mail server refused the mail: {code}")


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


async def _discard(client: Connection | None) -> None:
    if client is not None and client.is_connected:
        with contextlib.suppress(aiosmtplib.SMTPException, OSError):
            await client.quit()
