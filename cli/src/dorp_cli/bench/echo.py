"""A service that does nothing: the request/reply ceiling of what partner intake runs on.

Run as a process (``python -m dorp_cli.bench.echo NATS_URL SUBJECT [plain]``), it shows how
many requests per second are answered on this machine before any validation, database or
publishing. ``plain`` is set up as partner intake is: a nats-py subscription in a queue group
(one callback at a time), a pydantic reply, the same JSON logging. Without it, the same as a
FastStream subscriber (raw body), what partner intake was before.
"""

from __future__ import annotations

import asyncio
import logging
import sys

import nats
from faststream import FastStream
from faststream.nats import NatsBroker
from nats.aio.msg import Msg
from pydantic import BaseModel

from dorp_shared.logging import configure_logging
from dorp_shared.service import raw_body


class EchoReply(BaseModel):
    status: str = "accepted"
    size: int


def echo_app(url: str, subject: str) -> FastStream:
    broker = NatsBroker(url, name="dorp-bench-echo", logger=logging.getLogger("dorp.faststream"))

    @broker.subscriber(subject, queue="echo", decoder=raw_body)
    async def echo(body: bytes) -> EchoReply:
        return EchoReply(size=len(body))

    return FastStream(broker, logger=logging.getLogger("dorp.faststream"))


async def plain_echo(url: str, subject: str) -> None:
    nc = await nats.connect(url, name="dorp-bench-echo")

    async def echo(msg: Msg) -> None:
        reply = EchoReply(size=len(msg.data)).model_dump_json().encode()
        await nc.publish(msg.reply, reply, headers={"content-type": "application/json"})

    await nc.subscribe(subject, queue="echo", cb=echo)
    await asyncio.Event().wait()  # until terminated


def main() -> None:
    url, subject, *mode = sys.argv[1:]
    configure_logging("bench-echo", "json", "INFO")
    if mode == ["plain"]:
        asyncio.run(plain_echo(url, subject))
    else:
        asyncio.run(echo_app(url, subject).run())


if __name__ == "__main__":
    main()
