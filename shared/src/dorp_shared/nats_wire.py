"""The few parts of the NATS client protocol a stream replay needs, on a socket of its own.

nats-py turns every delivered message into a ``Msg`` with all its headers decoded (it tests
each character of each header name for white space) after matching the protocol line with a
regular expression: about 20 µs of CPU per message, a third of a rebuild's. A replay reads one
subscription and looks at two or three headers, so :class:`WireConnection` parses the
``HMSG``/``MSG`` frames with plain byte operations and leaves the header block as bytes
(:class:`RawHeaders` finds a header when asked). Plain ``nats://`` only, with a user and
password or a token in the URL; a server that wants TLS raises :class:`WireUnsupported` (the
caller then reads through nats-py).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Iterator, Mapping
from typing import ClassVar, NamedTuple
from urllib.parse import ParseResult, unquote

CRLF = b"\r\n"
STATUS_LINE = b"NATS/1.0"
DEFAULT_PORT = 4222
READ_SIZE = 1 << 18


class WireUnsupported(Exception):
    """This server or URL needs what the wire reader does not do (TLS, keys)."""


class WireError(Exception):
    """The server answered with ``-ERR`` or closed the connection."""


class RawHeaders(Mapping[str, str]):
    """A NATS header block, parsed only for the headers asked for."""

    __slots__ = ("_block",)
    _keys: ClassVar[dict[str, bytes]] = {}
    """``\r\nName:`` of each name asked for, made once."""

    def __init__(self, block: bytes) -> None:
        self._block = block

    def get(self, name: str, default: str | None = None) -> str | None:  # type: ignore[override]
        """The header ``name`` (as written, case and all), or ``default``."""
        key = self._keys.get(name)
        if key is None:
            key = self._keys[name] = CRLF + name.encode("ascii") + b":"
        start = self._block.find(key)
        if start < 0:
            return default
        start += len(key)
        return self._block[start : self._block.find(CRLF, start)].strip().decode()

    def __getitem__(self, name: str) -> str:
        value = self.get(name)
        if value is None:
            raise KeyError(name)
        return value

    def __iter__(self) -> Iterator[str]:
        for line in self._block.split(CRLF)[1:]:
            name, sep, _ = line.partition(b":")
            if sep:
                yield name.strip().decode("ascii", "replace")

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def status(self) -> str | None:
        """The inline status of a server message (``NATS/1.0 404 No Messages``), or None."""
        line = self._block[: self._block.find(CRLF)]
        return line[len(STATUS_LINE) :].split()[0].decode() if len(line) > 9 else None


class WireMessage(NamedTuple):
    """A delivered message (a tuple: a replay makes a million of them, and a frozen
    dataclass's ``__init__`` costs more than parsing its frame)."""

    subject: str
    reply: str
    headers: RawHeaders
    data: bytes


class FrameParser:
    """Bytes in, messages out: ``MSG``/``HMSG`` frames become :class:`WireMessage`; ``PING``
    is answered through ``pong``; ``-ERR`` raises; ``+OK``, ``PONG`` and ``INFO`` pass."""

    def __init__(self) -> None:
        self._buffer = b""
        self.pings = 0

    def feed(self, chunk: bytes) -> list[WireMessage]:
        buffer, position, out = self._buffer + chunk, 0, []
        while (end := buffer.find(CRLF, position)) >= 0:
            line = buffer[position:end]
            if line[:4] == b"HMSG" or line[:3] == b"MSG":
                frame = self._frame(buffer, line, end + 2)
                if frame is None:
                    break
                message, position = frame
                out.append(message)
                continue
            position = end + 2
            if line[:4] == b"PING":
                self.pings += 1
            elif line[:4] == b"-ERR":
                raise WireError(line[5:].decode(errors="replace").strip(" '"))
        self._buffer = buffer[position:]
        return out

    @staticmethod
    def _frame(buffer: bytes, line: bytes, start: int) -> tuple[WireMessage, int] | None:
        """The message whose control line is ``line`` and whose bytes begin at ``start``, and
        where the next frame begins; None while its bytes have not all arrived."""
        parts = line.split()
        with_headers = parts[0] == b"HMSG"
        size = int(parts[-1])
        end = start + size
        if len(buffer) < end + 2:
            return None
        header_size = int(parts[-2]) if with_headers else 0
        has_reply = len(parts) == (6 if with_headers else 5)
        message = WireMessage(
            parts[1].decode(),
            parts[3].decode() if has_reply else "",
            RawHeaders(buffer[start : start + header_size]),
            buffer[start + header_size : end],
        )
        return message, end + 2


class WireConnection:
    """One plain connection: publish, subscribe, and read the messages that arrive."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._reader = reader
        self._writer = writer
        self._parser = FrameParser()

    @classmethod
    async def open(cls, url: ParseResult | None, name: str, timeout: float = 3.0) -> WireConnection:
        if url is None or url.scheme != "nats":
            raise WireUnsupported(f"URL {url.geturl() if url else None}")
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection(url.hostname, url.port or DEFAULT_PORT), timeout
        )
        connection = cls(reader, writer)
        try:
            info = await asyncio.wait_for(reader.readline(), timeout)
            await connection._handshake(json.loads(info.partition(b" ")[2]), url, name, timeout)
        except BaseException:
            await connection.close()
            raise
        return connection

    async def _handshake(
        self, info: dict[str, object], url: ParseResult, name: str, timeout: float
    ) -> None:
        if info.get("tls_required") or info.get("nonce"):
            raise WireUnsupported("the server wants TLS or keys")
        options: dict[str, object] = {
            "verbose": False, "pedantic": False, "headers": True, "no_responders": True,
            "protocol": 1, "lang": "python3", "version": "dorp-wire", "name": name,
        }  # fmt: skip
        if url.username and url.password is not None:
            options.update(user=unquote(url.username), **{"pass": unquote(url.password)})
        elif url.username:
            options["auth_token"] = unquote(url.username)
        self._writer.write(b"CONNECT " + json.dumps(options).encode() + CRLF + b"PING" + CRLF)
        answer = await asyncio.wait_for(self._reader.readline(), timeout)
        if not answer.startswith(b"PONG"):
            raise WireError(answer.decode(errors="replace").strip())

    def subscribe(self, subject: str, sid: int = 1) -> None:
        self._writer.write(f"SUB {subject} {sid}".encode() + CRLF)

    def publish(self, subject: str, data: bytes, reply: str = "") -> None:
        line = f"PUB {subject} {reply} {len(data)}" if reply else f"PUB {subject} {len(data)}"
        self._writer.write(line.encode() + CRLF + data + CRLF)

    async def receive(self) -> list[WireMessage]:
        """The messages in the next bytes that arrive (possibly none), answering pings."""
        await self._writer.drain()
        chunk = await self._reader.read(READ_SIZE)
        if not chunk:
            raise WireError("the server closed the connection")
        messages = self._parser.feed(chunk)
        while self._parser.pings:
            self._parser.pings -= 1
            self._writer.write(b"PONG" + CRLF)
        return messages

    async def close(self) -> None:
        self._writer.close()
        with contextlib.suppress(OSError):
            await self._writer.wait_closed()
