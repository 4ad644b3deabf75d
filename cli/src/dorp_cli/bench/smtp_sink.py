"""The notifications benchmark's SMTP server: a small asyncio protocol that speaks just
enough SMTP (EHLO with PIPELINING and CHUNKING, MAIL, RCPT, DATA, BDAT, RSET, NOOP, QUIT)
to accept mail, and
appends ``<time> <Message-ID>`` per accepted mail to a log the benchmark reads.

It stands for the mail server of the outside world, so it must not be what the benchmark
measures: aiosmtpd, which the tests and the demo use, needs about 0.5 ms of CPU per mail,
as much as the service itself on this machine. This one parses a pipelined burst of
commands in one go and answers it in one write (RFC 2920); it checks the order of commands,
not addresses. Run as ``python -m dorp_cli.bench.smtp_sink PORT LOG [--no-pipelining]``.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
import time
from pathlib import Path
from typing import IO

EHLO = (
    b"250-bench.invalid\r\n250-PIPELINING\r\n250-CHUNKING\r\n250-8BITMIME\r\n250 SIZE 10485760\r\n"
)
EHLO_NO_PIPELINING = b"250-bench.invalid\r\n250-8BITMIME\r\n250 SIZE 10485760\r\n"
END_OF_DATA = b"\r\n.\r\n"
FLUSH_SECONDS = 0.2


class _Session(asyncio.Protocol):
    def __init__(self, log: IO[str], ehlo: bytes) -> None:
        self._log = log
        self._ehlo = ehlo
        self._buffer = bytearray()
        self._in_data = False
        self._chunk: tuple[int, bool] | None = None
        """A BDAT chunk still to read: its size and whether it is the last."""
        self._content = bytearray()
        self._has_mail = self._has_rcpt = False
        self._transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport
        transport.write(b"220 bench.invalid ESMTP\r\n")

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        replies: list[bytes] = []
        closing = False
        while not closing:
            if self._chunk is not None or self._in_data:
                reply = self._chunk_read() if self._chunk is not None else self._message()
                if reply is None:
                    break  # the rest has not arrived yet
            else:
                end = self._buffer.find(b"\r\n")
                if end < 0:
                    break
                line = bytes(self._buffer[:end])
                del self._buffer[: end + 2]
                reply = self._command(line)
                if reply is None:
                    continue  # BDAT: its chunk follows
                closing = reply.startswith(b"221")
            replies.append(reply)
        if replies and self._transport is not None:
            self._transport.write(b"".join(replies))
            if closing:
                self._transport.close()

    def _message(self) -> bytes | None:
        if self._buffer.startswith(b".\r\n"):
            content, rest = b"", 3
        else:
            end = self._buffer.find(END_OF_DATA)
            if end < 0:
                return None
            content, rest = bytes(self._buffer[: end + 2]), end + len(END_OF_DATA)
        del self._buffer[:rest]
        self._in_data = self._has_mail = self._has_rcpt = False
        self._log.write(f"{time.time():.6f} {message_id(content)}\n")
        return b"250 2.0.0 OK\r\n"

    def _chunk_read(self) -> bytes | None:
        assert self._chunk is not None
        size, last = self._chunk
        if len(self._buffer) < size:
            return None
        self._content += self._buffer[:size]
        del self._buffer[:size]
        self._chunk = None
        if not self._has_rcpt:
            self._content.clear()
            return b"503 5.5.1 RCPT first\r\n"
        if not last:
            return b"250 2.0.0 chunk OK\r\n"
        self._log.write(f"{time.time():.6f} {message_id(bytes(self._content))}\n")
        self._content.clear()
        self._has_mail = self._has_rcpt = False
        return b"250 2.0.0 OK\r\n"

    def _command(self, line: bytes) -> bytes | None:
        verb = line[:4].upper()
        if verb == b"BDAT":
            words = line.split()
            if len(words) < 2 or not words[1].isdigit():
                return b"501 5.5.4 BDAT size [LAST]\r\n"
            self._chunk = (int(words[1]), len(words) > 2 and words[2].upper() == b"LAST")
            return None
        if verb in (b"EHLO", b"HELO"):
            self._has_mail = self._has_rcpt = False
            return self._ehlo if verb == b"EHLO" else b"250 bench.invalid\r\n"
        if verb == b"MAIL":
            self._has_mail, self._has_rcpt = True, False
            return b"250 2.1.0 OK\r\n"
        if verb == b"RCPT":
            if not self._has_mail:
                return b"503 5.5.1 MAIL first\r\n"
            self._has_rcpt = True
            return b"250 2.1.5 OK\r\n"
        if verb == b"DATA":
            if not self._has_rcpt:
                return b"503 5.5.1 RCPT first\r\n"
            self._in_data = True
            return b"354 End data with <CR><LF>.<CR><LF>\r\n"
        if verb == b"RSET":
            self._has_mail = self._has_rcpt = False
            return b"250 2.0.0 OK\r\n"
        if verb == b"NOOP":
            return b"250 2.0.0 OK\r\n"
        if verb == b"QUIT":
            return b"221 2.0.0 Bye\r\n"
        return b"500 5.5.2 unknown command\r\n"


def message_id(content: bytes) -> str:
    """The Message-ID header, without parsing the whole message."""
    head = content.split(b"\r\n\r\n", 1)[0]
    for line in head.split(b"\r\n"):
        if line[:11].lower() == b"message-id:":
            return line[11:].strip().decode("ascii", "replace")
    return "<none>"


async def serve(
    port: int, log_file: Path, *, pipelining: bool = True, stop: asyncio.Event | None = None
) -> None:
    """Until ``stop`` is set (or the task is cancelled); without ``pipelining`` EHLO offers
    neither PIPELINING nor CHUNKING (clients then send their commands one at a time)."""
    ehlo = EHLO if pipelining else EHLO_NO_PIPELINING
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    with log_file.open("a", encoding="ascii", buffering=1 << 16) as log:
        server = await loop.create_server(lambda: _Session(log, ehlo), "127.0.0.1", port)
        async with server:
            while not stop.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), FLUSH_SECONDS)
                log.flush()


async def _main(port: int, log_file: Path, pipelining: bool) -> None:
    stop = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(signum, stop.set)
    await serve(port, log_file, pipelining=pipelining, stop=stop)


if __name__ == "__main__":
    port, log_file, *flags = sys.argv[1:]
    asyncio.run(_main(int(port), Path(log_file), "--no-pipelining" not in flags))
