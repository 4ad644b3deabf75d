"""The SMTP adapter against a real SMTP server (aiosmtpd): pooled connections, a refused
recipient is permanent and leaves the connection usable, a deferred one is transient; the
same with the commands pipelined (the server offers PIPELINING) and one at a time."""

from __future__ import annotations

import asyncio
import contextlib
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from pathlib import Path
from typing import Any

import aiosmtplib
import pytest
from aiosmtpd.controller import Controller

from dorp_cli.bench.smtp_sink import serve
from dorp_cli.stack import free_port
from dorp_notifications.adapters.smtp import SmtpMailer
from dorp_notifications.adapters.smtp_wire import PlainSmtp
from dorp_notifications.domain.model import OutgoingMail
from dorp_notifications.ports import PermanentFailure
from dorp_shared.errors import InfrastructureUnavailable
from dorp_shared.settings import DorpSettings

pytestmark = pytest.mark.integration


class Picky:
    """Refuses ``nobody@`` for good and defers ``later@``; keeps what it accepts."""

    def __init__(self, *, pipelining: bool = True) -> None:
        self.accepted: list[EmailMessage] = []
        self.sessions: set[int] = set()
        self.pipelining = pipelining

    async def handle_EHLO(  # noqa: N802
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        session.host_name = hostname
        extra = ["250-PIPELINING"] if self.pipelining else []
        return [*responses[:-1], *extra, responses[-1]]

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


@pytest.mark.parametrize("pipelining", [True, False], ids=["pipelined", "one-by-one"])
async def test_pooled_sends_refusals_and_deferrals(pipelining: bool) -> None:
    picky, port = Picky(pipelining=pipelining), free_port()
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


async def test_the_client_pipelines_only_when_the_server_offers_it() -> None:
    for offered in (True, False):
        picky, port = Picky(pipelining=offered), free_port()
        controller = Controller(picky, hostname="127.0.0.1", port=port)
        controller.start()
        try:
            client = await PlainSmtp.connect("127.0.0.1", port, timeout=5)
            assert client.pipelining is offered
            await client.send("noreply@dorp.invalid", "anna@example.org", b"Subject: x\r\n\r\n.")
            await client.quit()
        finally:
            controller.stop()
        [received] = picky.accepted
        assert received["Subject"] == "x" and received.get_content() == ".\r\n"  # stuffed


async def test_chunked_sends_to_a_server_that_offers_chunking(tmp_path: Path) -> None:
    """The benchmark's SMTP server offers PIPELINING and CHUNKING: each mail goes as MAIL,
    RCPT and one BDAT LAST chunk, mails handed over together in one write, and arrives
    once."""
    port, log = free_port(), tmp_path / "sink.log"
    server = asyncio.create_task(serve(port, log))
    try:
        client = await _connected(port)
        assert client.chunking
        await client.quit()
        mailer = SmtpMailer(DorpSettings(smtp_port=port), pool_size=2)
        try:
            await mailer.send(mail("anna@example.org", 0))  # CHUNKING known from now on
            together = [mail("anna@example.org", n) for n in range(1, 30)]
            assert await mailer.send_many(together) == [None] * len(together)
        finally:
            await mailer.close()
    finally:
        server.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await server
    received = [line.split(" ", 1)[1] for line in log.read_text().splitlines()]
    assert sorted(received) == sorted(f"<m{n}@dorp>" for n in range(30))


async def _connected(port: int) -> PlainSmtp:
    for _ in range(50):
        with contextlib.suppress(OSError):
            return await PlainSmtp.connect("127.0.0.1", port, timeout=5)
        await asyncio.sleep(0.05)
    raise AssertionError("the server did not listen")


async def test_a_connection_breaking_mid_batch_keeps_the_answers_already_given() -> None:
    """A server that accepts the first of three chunked mails, then hangs up: the first
    counts as sent, the other two as unknown (to be sent again), the connection as gone."""

    async def answer_once(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"220 hi\r\n")
        await reader.readline()
        writer.write(b"250-hi\r\n250-PIPELINING\r\n250 CHUNKING\r\n")
        await reader.readuntil(b"BDAT")
        writer.write(b"250 reset\r\n250 sender\r\n250 recipient\r\n250 queued\r\n")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(answer_once, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        client = await PlainSmtp.connect("127.0.0.1", port, timeout=5)
        mails = [(f"o{n}@example.org", b"Subject: x\r\n\r\nhoi\r\n") for n in range(3)]
        first, *rest = await client.send_many("noreply@dorp.invalid", mails)
    assert first is None
    assert all(isinstance(lost, aiosmtplib.SMTPServerDisconnected) for lost in rest), rest
    assert not client.is_connected
