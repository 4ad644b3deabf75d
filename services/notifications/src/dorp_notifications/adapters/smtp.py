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
from dataclasses import dataclass
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


@dataclass(frozen=True)
class _Waiting:
    mail: OutgoingMail
    done: asyncio.Future[None]


class SmtpMailer:
    """``pool_size`` connections, each kept by a worker that takes the mails waiting in
    turn. A worker whose server offers CHUNKING takes every mail waiting (up to
    ``MAX_BATCH``) and writes them in one go; otherwise one mail at a time. How many are
    sent at once is the dispatcher's to bound (its concurrency)."""

    def __init__(self, settings: DorpSettings, pool_size: int = 8) -> None:
        self._settings = settings
        self._envelope_from = parseaddr(settings.smtp_from)[1]
        self._pool_size = pool_size
        self._waiting: asyncio.Queue[_Waiting] = asyncio.Queue()
        self._workers: list[asyncio.Task[None]] = []

    async def send(self, mail: OutgoingMail) -> None:
        if not valid_address(mail.to_address):
            raise PermanentFailure("not an e-mail address that SMTP can carry")
        if not self._workers:
            self._workers = [
                asyncio.create_task(self._work(), name=f"smtp-{n}") for n in range(self._pool_size)
            ]
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.put_nowait(_Waiting(mail, done))
        await done

    async def _work(self) -> None:
        client: Connection | None = None
        try:
            while True:
                batch = [await self._waiting.get()]
                if isinstance(client, PlainSmtp) and client.chunking:
                    while len(batch) < MAX_BATCH and not self._waiting.empty():
                        batch.append(self._waiting.get_nowait())
                batch = [w for w in batch if not w.done.done()]  # its sender gave up: stopping
                if not batch:
                    continue
                try:
                    client = await self._deliver(client, batch)
                except Exception as exc:  # a bug must not leave senders waiting forever
                    _fail(batch, exc)
        finally:
            await _discard(client)

    async def _deliver(self, client: Connection | None, batch: list[_Waiting]) -> Connection | None:
        """Send the batch; returns the connection to keep (None: it broke)."""
        s = self._settings
        try:
            client = client or await self._connect()
            messages = [(w.mail.to_address, mime_message(w.mail, s.smtp_from)) for w in batch]
            if isinstance(client, PlainSmtp) and client.chunking:
                refusals = await client.send_many(self._envelope_from, messages)
            else:
                [(to, message)] = messages
                refusals = [await _one(client, self._envelope_from, to, message)]
        except (aiosmtplib.SMTPException, OSError) as exc:
            await _discard(client)
            _fail(
                batch,
                InfrastructureUnavailable(
                    f"cannot send mail via SMTP at {s.smtp_host}:{s.smtp_port}: "
                    f"{type(exc).__name__}"
                ),
            )
            return None
        for waiting, refusal in zip(batch, refusals, strict=True):
            _resolve(waiting.done, None if refusal is None else _failure(refusal))
        if not client.is_connected:  # broke in the middle of a batch
            await _discard(client)
            return None
        return client

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
        workers, self._workers = self._workers, []
        for worker in workers:
            worker.cancel()
        for worker in workers:
            with contextlib.suppress(asyncio.CancelledError):
                await worker
        while not self._waiting.empty():
            _fail([self._waiting.get_nowait()], InfrastructureUnavailable("the mailer closed"))


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


def _resolve(done: asyncio.Future[None], error: Exception | None) -> None:
    if done.done():  # the sender was cancelled meanwhile
        return
    if error is None:
        done.set_result(None)
    else:
        done.set_exception(error)


def _fail(batch: list[_Waiting], error: Exception) -> None:
    for waiting in batch:
        _resolve(waiting.done, error)


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
