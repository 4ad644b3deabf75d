"""The replay's own NATS frame parser: messages split anywhere across reads come out whole,
with the headers a rebuild asks for, the stream sequence, the server's status and pings."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest

from dorp_shared.nats_wire import (
    FrameParser,
    RawHeaders,
    WireConnection,
    WireError,
    WireUnsupported,
)
from dorp_shared.stream_reader import ack_sequence

HEADERS = (
    b"NATS/1.0\r\nNats-Msg-Id: 6f1c\r\nDorp-Event-Type: registration.signed_up\r\n"
    b"Dorp-Schema-Version: 1\r\nDorp-Correlation-Id: abc\r\n\r\n"
)
BODY = '{"naam": "Ayşe Çelik"}'.encode()
REPLY = b"$JS.ACK.DORP_LOCHEM_REGISTRATION.c1.1.4711.4711.1700000000000000000.0"


def hmsg(subject: bytes, reply: bytes, headers: bytes, body: bytes) -> bytes:
    line = b"HMSG %s 1 %s %d %d\r\n" % (subject, reply, len(headers), len(headers) + len(body))
    return line + headers + body + b"\r\n"


STREAM = (
    b"+OK\r\nPING\r\n"
    + hmsg(b"dorp.lochem.registration.signed_up", REPLY, HEADERS, BODY)
    + b"MSG plain.subject 1 5\r\nhallo\r\n"
    + hmsg(b"_INBOX.x.1", b"", b"NATS/1.0 404 No Messages\r\n\r\n", b"").replace(b"  ", b" ")
)


@pytest.mark.parametrize("size", [1, 7, 64, len(STREAM)])
def test_frames_split_anywhere_come_out_whole(size: int) -> None:
    parser = FrameParser()
    messages = []
    for start in range(0, len(STREAM), size):
        messages += parser.feed(STREAM[start : start + size])
    assert [m.subject for m in messages] == [
        "dorp.lochem.registration.signed_up", "plain.subject", "_INBOX.x.1"
    ]  # fmt: skip
    event, plain, status = messages
    assert event.data == BODY and event.data.decode() == '{"naam": "Ayşe Çelik"}'
    assert event.headers.get("Dorp-Event-Type") == "registration.signed_up"
    assert event.headers["Dorp-Schema-Version"] == "1"
    assert event.headers.get("Dorp-Missing") is None and event.headers.status() is None
    assert ack_sequence(event.reply) == 4711
    assert plain.data == b"hallo" and plain.reply == "" and len(plain.headers) == 0
    assert status.headers.status() == "404" and status.data == b""
    assert parser.pings == 1


def test_headers_iterate_like_a_mapping() -> None:
    headers = RawHeaders(HEADERS)
    assert dict(headers) == {
        "Nats-Msg-Id": "6f1c",
        "Dorp-Event-Type": "registration.signed_up",
        "Dorp-Schema-Version": "1",
        "Dorp-Correlation-Id": "abc",
    }


def test_a_sequence_with_a_domain_in_the_reply() -> None:
    reply = "$JS.ACK.hub.ACCHASH.DORP_LOCHEM_MATCHING.c1.1.99.98.1700000000000000000.0.tok"
    assert ack_sequence(reply) == 99


def test_a_server_error_is_raised() -> None:
    with pytest.raises(WireError, match="Authorization Violation"):
        FrameParser().feed(b"-ERR 'Authorization Violation'\r\n")


async def test_a_tls_url_is_left_to_nats_py() -> None:
    with pytest.raises(WireUnsupported):
        await WireConnection.open(urlparse("tls://nats.example:4222"), "dorp-reader")
