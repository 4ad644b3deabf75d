"""A FastStream service that does nothing: the framework's own request/reply ceiling.

Run as a process (``python -m dorp_cli.bench.echo NATS_URL SUBJECT``) with the subscriber
set up as partner intake is (queue group, raw body, one message at a time, a pydantic
reply, the same JSON logging), it shows how many requests per second FastStream answers on this
machine before any validation, database or publishing.
"""

from __future__ import annotations

import asyncio
import logging
import sys

from faststream import FastStream
from faststream.nats import NatsBroker
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


def main() -> None:
    url, subject = sys.argv[1], sys.argv[2]
    configure_logging("bench-echo", "json", "INFO")
    asyncio.run(echo_app(url, subject).run())


if __name__ == "__main__":
    main()
