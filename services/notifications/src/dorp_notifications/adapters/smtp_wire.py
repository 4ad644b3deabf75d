"""A minimal SMTP client for plain connections that pipelines (RFC 2920).

When the server advertises ``PIPELINING``, ``MAIL``, ``RCPT`` and ``DATA`` go in one write
and their three replies are read after it; the message follows the ``354``: two round trips
per mail instead of four. When it also advertises ``CHUNKING`` (RFC 3030, e.g. Postfix),
the message goes as ``BDAT <size> LAST`` in that same write: one round trip, one write per
mail, and mails that wait for the same connection go together in one write
(``send_many``). Socket writes are most of the sending CPU on a virtual machine, so this is
what makes the difference. aiosmtplib cannot pipeline: its protocol parses one reply per read and
drops data that arrives while no command is waiting. Without ``PIPELINING`` the commands
go one at a time. Connections that need STARTTLS or AUTH stay with aiosmtplib.

Failures raise aiosmtplib's exceptions, so the mailer handles both clients alike.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Sequence
from typing import NamedTuple

import aiosmtplib

CRLF = b"\r\n"
MAX_LINE = 8192


class Reply(NamedTuple):
    code: int
    message: str


class PlainSmtp:
    """One open connection, used by one send at a time."""

    def __init__(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        extensions: frozenset[str],
        timeout: float,
    ) -> None:
        self._reader = reader
        self._writer = writer
        self.extensions = extensions
        self.pipelining = "PIPELINING" in extensions
        self.chunking = self.pipelining and "CHUNKING" in extensions
        self._timeout = timeout

    @classmethod
    async def connect(cls, host: str, port: int, timeout: float) -> PlainSmtp:
        async with asyncio.timeout(timeout):
            reader, writer = await asyncio.open_connection(host, port, limit=MAX_LINE)
        connection = cls(reader, writer, frozenset(), timeout)
        try:
            greeting = await connection._reply()
            if greeting.code != 220:
                raise aiosmtplib.SMTPConnectResponseError(greeting.code, greeting.message)
            hello = await connection._command(b"EHLO " + _local_name())
            if hello.code != 250:
                raise aiosmtplib.SMTPHeloError(hello.code, hello.message)
        except BaseException:
            writer.close()
            raise
        names = (line.split(" ", 1)[0].upper() for line in hello.message.splitlines()[1:])
        connection.extensions = frozenset(names)
        connection.pipelining = "PIPELINING" in connection.extensions
        connection.chunking = connection.pipelining and "CHUNKING" in connection.extensions
        return connection

    @property
    def is_connected(self) -> bool:
        return not self._writer.is_closing()

    async def send(self, sender: str, recipient: str, message: bytes) -> None:
        """One mail to one recipient. A refusal resets the transaction (the connection
        stays usable) and raises as aiosmtplib's ``sendmail`` would."""
        if self.chunking:
            [refusal] = await self.send_many(sender, [(recipient, message)])
            if refusal is not None:
                raise refusal
            return
        commands = (
            b"MAIL FROM:<" + _address(sender) + b">\r\n",
            b"RCPT TO:<" + _address(recipient) + b">\r\n",
            b"DATA\r\n",
        )
        replies = await self._exchange(commands)
        if len(replies) == 3 and replies[2].code == 354:
            if replies[0].code != 250 or replies[1].code not in (250, 251):
                await self._reply_to(b".\r\n")  # DATA let through anyway: end it empty
                await self._reset()
            else:
                done = await self._reply_to(_dot_stuffed(message) + b".\r\n")
                if done.code != 250:
                    raise aiosmtplib.SMTPDataError(done.code, done.message)
                return
        else:
            await self._reset()
        raise _refusal(replies, sender, recipient)

    async def send_many(
        self, sender: str, mails: Sequence[tuple[str, bytes]]
    ) -> list[aiosmtplib.SMTPException | None]:
        """Several mails (``(recipient, message)``) in one write, each as RSET, MAIL, RCPT
        and one BDAT LAST chunk (needs ``chunking``: no reply to wait for in between).
        Returns each mail's refusal, or None when it was accepted; when the connection
        breaks, the mails not answered yet get ``SMTPServerDisconnected`` and the
        connection is closed. The server reads a chunk even when it refused the
        transaction."""
        assert self.chunking, "BDAT needs CHUNKING and PIPELINING"
        envelope_from = _address(sender)
        parts = []
        for recipient, message in mails:
            body = message if message.endswith(CRLF) else message + CRLF
            parts.append(
                b"RSET\r\nMAIL FROM:<"
                + envelope_from
                + b">\r\nRCPT TO:<"
                + _address(recipient)
                + b">\r\nBDAT %d LAST\r\n" % len(body)
                + body
            )
        self._writer.write(b"".join(parts))
        await self._writer.drain()
        refusals: list[aiosmtplib.SMTPException | None] = []
        try:
            async with asyncio.timeout(self._timeout):  # one timer for the whole batch
                for recipient, _ in mails:
                    _, mail, rcpt, chunk = [await self._read_reply() for _ in range(4)]
                    accepted = mail.code == 250 and rcpt.code in (250, 251) and chunk.code == 250
                    refusal = None if accepted else _refusal([mail, rcpt, chunk], sender, recipient)
                    refusals.append(refusal)
        except (aiosmtplib.SMTPException, OSError) as exc:
            # The mails answered so far keep their answer; the rest are unknown (sent again
            # later, with the same Message-ID) and this connection is done.
            self._writer.close()
            lost = aiosmtplib.SMTPServerDisconnected(f"no reply: {type(exc).__name__}")
            refusals += [lost] * (len(mails) - len(refusals))
        return refusals

    async def quit(self) -> None:
        try:
            await self._command(b"QUIT")
        finally:
            self._writer.close()

    def close(self) -> None:
        self._writer.close()

    async def _exchange(self, commands: tuple[bytes, ...]) -> list[Reply]:
        """All commands in one write when pipelining, else one by one until one fails."""
        replies: list[Reply] = []
        if self.pipelining:
            self._writer.write(b"".join(commands))
            await self._writer.drain()
            for _ in commands:
                replies.append(await self._reply())
            return replies
        for command in commands:
            reply = await self._reply_to(command)
            replies.append(reply)
            if reply.code >= 400:
                break
        return replies

    async def _command(self, line: bytes) -> Reply:
        return await self._reply_to(line + CRLF)

    async def _reply_to(self, data: bytes) -> Reply:
        self._writer.write(data)
        await self._writer.drain()
        return await self._reply()

    async def _reset(self) -> None:
        await self._command(b"RSET")

    async def _reply(self) -> Reply:
        async with asyncio.timeout(self._timeout):
            return await self._read_reply()

    async def _read_reply(self) -> Reply:
        """One reply, without a timeout of its own (the caller sets one)."""
        lines: list[str] = []
        while True:
            try:
                line = await self._reader.readline()
            except ValueError:  # longer than MAX_LINE
                self._writer.close()
                raise aiosmtplib.SMTPResponseException(-1, "reply line too long") from None
            if not line.endswith(b"\n"):
                self._writer.close()
                raise aiosmtplib.SMTPServerDisconnected("the mail server closed the connection")
            try:
                code = int(line[:3])
            except ValueError:
                raise aiosmtplib.SMTPResponseException(-1, "not an SMTP reply") from None
            lines.append(line[4:].strip().decode("utf-8", "replace"))
            if line[3:4] != b"-":
                return Reply(code, "\n".join(lines))


def _local_name() -> bytes:
    """What EHLO says: this host's name, as aiosmtplib sends it."""
    return socket.getfqdn().encode("idna")


def valid_address(address: str) -> bool:
    """Nothing that could end the command line or the angle brackets around it."""
    return bool(address) and not any(char in address for char in "\r\n<>")


def _address(address: str) -> bytes:
    if not valid_address(address):
        raise ValueError("an e-mail address with a line break or angle bracket")
    return address.encode("utf-8")


def _dot_stuffed(message: bytes) -> bytes:
    """Lines starting with a dot get another (RFC 5321 4.5.2); the message ends in CRLF."""
    stuffed = message.replace(b"\r\n.", b"\r\n..")
    if stuffed.startswith(b"."):
        stuffed = b"." + stuffed
    return stuffed if stuffed.endswith(CRLF) else stuffed + CRLF


def _refusal(replies: list[Reply], sender: str, recipient: str) -> aiosmtplib.SMTPException:
    mail, rest = replies[0], replies[1:]
    if mail.code != 250:
        return aiosmtplib.SMTPSenderRefused(mail.code, mail.message, sender)
    rcpt = rest[0] if rest else Reply(-1, "no reply")
    if rcpt.code not in (250, 251):
        refused = aiosmtplib.SMTPRecipientRefused(rcpt.code, rcpt.message, recipient)
        return aiosmtplib.SMTPRecipientsRefused([refused])
    data = rest[1] if len(rest) > 1 else Reply(-1, "no reply")
    return aiosmtplib.SMTPDataError(data.code, data.message)
