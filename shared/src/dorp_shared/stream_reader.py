"""Reading a whole JetStream stream fast, for a replay or rebuild.

nats-py's ``PullSubscription.fetch`` waits for each message of a batch with its own
``asyncio.wait_for`` (a task per message), which costs more CPU than the message itself
when a rebuild reads a million of them. :class:`StreamReader` asks the consumer for a batch
with one pull request on a plain subscription and collects the replies in a callback: the
JetStream pull protocol (``$JS.API.CONSUMER.MSG.NEXT``) without the per-message tasks.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from types import TracebackType
from typing import Self

from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.errors import NotFoundError

STATUS_HEADER = "Status"
HEARTBEAT = "100"
PULL_EXPIRES_SECONDS = 5.0


class StreamReader:
    """An ephemeral consumer without acknowledgements over ``subject`` of ``stream``, from
    its first message; :meth:`read` returns the next batch (empty once nothing is left)."""

    def __init__(self, nc: Client, stream: str, subject: str) -> None:
        self.nc = nc
        self.stream = stream
        self.subject = subject
        self.consumer = ""
        self._inbox = nc.new_inbox()
        self._batch: list[Msg] = []
        self._wanted = 0
        self._ready: asyncio.Future[None] | None = None
        self._sub: object | None = None

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
        self.consumer = info.name
        self._sub = await self.nc.subscribe(
            self._inbox, cb=self._received, pending_msgs_limit=-1, pending_bytes_limit=-1
        )
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._sub is not None:
            await self._sub.unsubscribe()  # type: ignore[attr-defined]
        with contextlib.suppress(NotFoundError, TimeoutError):
            await self.nc.jetstream().delete_consumer(self.stream, self.consumer)

    async def read(self, batch: int) -> list[Msg]:
        """Up to ``batch`` messages: fewer when the stream has no more (after the pull
        request expires, or at once when the server says so)."""
        self._batch, self._wanted = [], batch
        self._ready = asyncio.get_running_loop().create_future()
        request = {"batch": batch, "expires": int(PULL_EXPIRES_SECONDS * 1e9)}
        await self.nc.publish(
            f"$JS.API.CONSUMER.MSG.NEXT.{self.stream}.{self.consumer}",
            json.dumps(request).encode(),
            reply=self._inbox,
        )
        await asyncio.wait_for(self._ready, PULL_EXPIRES_SECONDS * 2)
        return self._batch

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
