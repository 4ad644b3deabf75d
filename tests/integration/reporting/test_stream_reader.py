"""The rebuild's two stream readers against a real NATS: the protocol parser of our own and
the nats-py one read the same messages (bodies, the headers the rebuild asks for, stream
sequences) in the same order, batch by batch, to the end of the stream."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from dorp_shared.settings import DorpSettings
from dorp_shared.stream_reader import StreamReader, WireStreamReader, open_reader
from tests.support.services import nats_client

pytestmark = pytest.mark.integration

MESSAGES = 2_500
BATCH = 1_000


async def read_all(reader: Any) -> list[tuple[bytes, str | None, str | None, int]]:
    out, left = [], MESSAGES
    while left > 0 and (batch := await reader.read(min(BATCH, left))):
        left -= len(batch)
        out += [
            (m.data, m.headers.get("Dorp-Event-Type"), m.headers.get("Dorp-Missing"), m.sequence)
            for m in batch
        ]
    return out


async def test_both_readers_read_the_same_stream(settings: DorpSettings) -> None:
    stream, subject = f"READER_{uuid.uuid4().hex[:8]}", f"reader.{uuid.uuid4().hex[:8]}"
    async with nats_client(settings.nats_url or "") as nc:
        js = nc.jetstream()
        await js.add_stream(name=stream, subjects=[f"{subject}.>"])
        try:
            for n in range(MESSAGES):
                kind = "registration.signed_up" if n % 3 else "notifications.notification_sent"
                body = f'{{"n": {n}, "naam": "Łucja Çelik"}}'.encode()
                await js.publish(f"{subject}.x", body, headers={"Dorp-Event-Type": kind})
            async with open_reader(nc, stream, f"{subject}.>") as reader:
                assert isinstance(reader, WireStreamReader)  # plain nats:// in the tests
                wire = await read_all(reader)
            async with StreamReader(nc, stream, f"{subject}.>") as plain:
                through_nats_py = await read_all(plain)
        finally:
            await js.delete_stream(stream)
    assert wire == through_nats_py
    assert [sequence for *_, sequence in wire] == list(range(1, MESSAGES + 1))
    assert wire[1][0].decode() == '{"n": 1, "naam": "Łucja Çelik"}'
    assert wire[0][1:3] == ("notifications.notification_sent", None)
