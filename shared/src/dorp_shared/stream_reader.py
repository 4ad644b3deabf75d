"""Reading a whole JetStream stream fast, for a replay or rebuild.

nats-py's ``PullSubscription.fetch`` waits for each message of a batch with its own
``asyncio.wait_for`` (a task per message), which costs more CPU than the message itself
when a rebuild reads a million of them. :class:`StreamReader` asks the consumer for a batch
with one pull request on a plain subscription and collects the replies in a callback: the
JetStream pull protocol (``$JS.API.CONSUMER.MSG.NEXT``) without the per-message tasks.
:class:`WireStreamReader` does the same on a socket of its own (:mod:`dorp_shared.nats_wire`),
without nats-py's parsing of every header of every message; :func:`open_reader` takes it
when the server allows, else :class:`StreamReader`.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
from collections.abc import AsyncIterator, Mapping
from typing import NamedTuple, Protocol, Self

from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.errors import NotFoundError

from dorp_shared.nats_wire import WireConnection, WireError, WireMessage, WireUnsupported

STATUS_HEADER = "Status"
HEARTBEAT = "100"
PULL_EXPIRES_SECONDS = 5.0


class StoredMessage(NamedTuple):
    """A message of the stream: its headers, body and acknowledgement subject (which holds
    its stream sequence, read only when asked for). A tuple: cheaper to make than a frozen
    dataclass, and a replay makes a million."""

    headers: Mapping[str, str]
    data: bytes
    reply: str

    @property
    def sequence(self) -> int:
        return ack_sequence(self.reply)


class Reader(Protocol):
    consumer: str

    async def read(self, batch: int) -> list[StoredMessage]: ...


def _pull_request(batch: int) -> bytes:
    return json.dumps({"batch": batch, "expires": int(PULL_EXPIRES_SECONDS * 1e9)}).encode()


class _Consumer:
    """An ephemeral consumer without acknowledgements over ``subject`` of ``stream``, from
    its first message: made on entering, deleted on leaving; a subclass says how its
    messages arrive (``_open``, ``_close``)."""

    def __init__(self, nc: Client, stream: str, subject: str) -> None:
        self.nc = nc
        self.stream = stream
        self.subject = subject
        self.consumer = ""

    async def __aenter__(self) -> Self:
        info = await self.nc.jetstream().add_consumer(
            self.stream,
            ConsumerConfig(
                deliver_policy=DeliverPolicy.ALL,
                ack_policy=AckPolicy.NONE,
                filter_subject=self.subject,
                inactive_threshold=60.0,
            ),
        )
        self.consumer = str(info.name)
        await self._open()
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self._close()
        with contextlib.suppress(NotFoundError, TimeoutError):
            await self.nc.jetstream().delete_consumer(self.stream, self.consumer)

    async def _open(self) -> None:
        """Start receiving."""

    async def _close(self) -> None:
        """Stop receiving."""


class StreamReader(_Consumer):
    """Reads through nats-py; :meth:`read` returns the next batch (empty once nothing is
    left)."""

    def __init__(self, nc: Client, stream: str, subject: str) -> None:
        super().__init__(nc, stream, subject)
        self._inbox = nc.new_inbox()
        self._batch: list[Msg] = []
        self._wanted = 0
        self._ready: asyncio.Future[None] | None = None
        self._sub: object | None = None

    async def _open(self) -> None:
        self._sub = await self.nc.subscribe(
            self._inbox, cb=self._received, pending_msgs_limit=-1, pending_bytes_limit=-1
        )

    async def _close(self) -> None:
        if self._sub is not None:
            await self._sub.unsubscribe()  # type: ignore[attr-defined]

    async def read(self, batch: int) -> list[StoredMessage]:
        """Up to ``batch`` messages: fewer when the stream has no more (after the pull
        request expires, or at once when the server says so)."""
        self._batch, self._wanted = [], batch
        self._ready = asyncio.get_running_loop().create_future()
        await self.nc.publish(
            f"$JS.API.CONSUMER.MSG.NEXT.{self.stream}.{self.consumer}",
            _pull_request(batch),
            reply=self._inbox,
        )
        await asyncio.wait_for(self._ready, PULL_EXPIRES_SECONDS * 2)
        return [StoredMessage(msg.headers or {}, msg.data, msg.reply) for msg in self._batch]

    async def _received(self, msg: Msg) -> None:
        ready = self._ready
        if ready is None or ready.done():
            return  # a late status after the batch was complete
        status = msg.headers.get(STATUS_HEADER) if msg.headers and not msg.data else None
        if status == HEARTBEAT:
            return
        if status is None:
            self._batch.append(msg)
            if len(self._batch) < self._wanted:
                return
        ready.set_result(None)  # full, or the server ended the request (404, 408, 409)


def ack_sequence(reply: str) -> int:
    """The stream sequence in a JetStream message's reply subject (``$JS.ACK.<stream>.
    <consumer>.<delivered>.<stream seq>...``; with a domain and account hash, two tokens
    more before the stream)."""
    tokens = reply.split(".")
    return int(tokens[5] if len(tokens) == 9 else tokens[7])


class WireStreamReader(_Consumer):
    """:class:`StreamReader`'s pull requests on a :class:`WireConnection`. Each pull has an
    inbox subject of its own: the stream's messages keep their own subject (and carry an
    acknowledgement subject as reply), a status comes on the pull's inbox, so a late status
    of an earlier pull is told apart from the end of the current one."""

    def __init__(self, nc: Client, stream: str, subject: str, wire: WireConnection) -> None:
        super().__init__(nc, stream, subject)
        self._wire = wire
        self._prefix = nc.new_inbox()
        self._pulls = itertools.count(1)

    async def _open(self) -> None:
        self._wire.subscribe(f"{self._prefix}.*")

    async def _close(self) -> None:
        await self._wire.close()

    async def read(self, batch: int) -> list[StoredMessage]:
        """As :meth:`StreamReader.read`."""
        inbox = f"{self._prefix}.{next(self._pulls)}"
        self._wire.publish(
            f"$JS.API.CONSUMER.MSG.NEXT.{self.stream}.{self.consumer}",
            _pull_request(batch),
            reply=inbox,
        )
        return await asyncio.wait_for(self._collect(inbox, batch), PULL_EXPIRES_SECONDS * 2)

    async def _collect(self, inbox: str, batch: int) -> list[StoredMessage]:
        out: list[StoredMessage] = []
        while True:
            for msg in await self._wire.receive():
                if not msg.reply and msg.subject != inbox:
                    continue  # a late status of an earlier pull
                if not self._take(msg, out) or len(out) >= batch:
                    return out

    @staticmethod
    def _take(msg: WireMessage, out: list[StoredMessage]) -> bool:
        """Add a stored message to ``out``; False when the server ended the pull."""
        if msg.reply:
            out.append(StoredMessage(msg.headers, msg.data, msg.reply))
            return True
        return msg.headers.status() == HEARTBEAT


@contextlib.asynccontextmanager
async def open_reader(nc: Client, stream: str, subject: str) -> AsyncIterator[Reader]:
    """A reader of ``subject`` in ``stream``: on a connection of its own to the server
    ``nc`` is connected to when it speaks plain NATS, else through ``nc``."""
    try:
        wire = await WireConnection.open(nc.connected_url, f"{nc.options['name'] or 'dorp'}-reader")
    except (WireUnsupported, WireError):  # TLS or keys; or it refused what nc was allowed
        async with StreamReader(nc, stream, subject) as reader:
            yield reader
        return
    async with WireStreamReader(nc, stream, subject, wire) as wire_reader:
        yield wire_reader
