"""Notifications as a separate process, SIGKILLed in the middle of a batch of 200 mails
and started again: every mail arrives, and only the ones in flight at the kill may arrive
a second time, with the same Message-ID (what docs/notifications.md promises)."""

from __future__ import annotations

import asyncio
import collections
import contextlib
import threading
from collections.abc import Iterator
from email import message_from_bytes
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from dorp_cli.processes import ServiceProcess
from dorp_cli.stack import free_port
from dorp_notifications.domain.deliveries import notification_id
from dorp_shared.contracts import Envelope, wrap
from dorp_shared.contracts.subjects import event_subject, stream_name
from tests.support.infra import Infra
from tests.support.services import eventually, nats_client
from tests.unit.notifications.builders import member, retention_warning

pytestmark = pytest.mark.e2e
MAILS = 200
POOL = 4
"""DORP_SMTP_POOL_SIZE: the most mails in flight (sent, outcome not yet recorded), so the
most that can arrive twice."""


class SlowInbox:
    """A real SMTP server that takes a moment per mail, so the kill lands mid-batch, and
    that holds every mail until the gate opens (it answers late, it never refuses)."""

    def __init__(self) -> None:
        self.message_ids: list[str] = []
        self.gate = threading.Event()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        while not self.gate.is_set():  # noqa: ASYNC110 - set from the test's own thread
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.01)
        message = message_from_bytes(envelope.original_content or envelope.content)
        self.message_ids.append(str(message["Message-ID"]))
        return "250 OK"


@contextlib.contextmanager
def slow_smtp() -> Iterator[tuple[SlowInbox, int]]:
    inbox, port = SlowInbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


async def test_sigkill_mid_batch_loses_nothing_and_repeats_only_what_was_in_flight(
    infra: Infra, database_url: str, region_id: str, regions_dir: Path, tmp_path: Path
) -> None:
    members = [member(f"Ouder{i}", f"ouder{i}@example.org") for i in range(MAILS)]
    registrations = [wrap(m, region=region_id, source="registration") for m in members]
    warnings = [
        wrap(retention_warning(m), region=region_id, source="registration") for m in members
    ]
    expected = {
        f"<{notification_id(w.event_id, w.payload.member_id, 'email')}@dorp>" for w in warnings
    }
    with slow_smtp() as (inbox, port):
        env = {
            "DORP_REGION": region_id,
            "DORP_REGIONS_DIR": str(regions_dir),
            "DORP_NATS_URL": infra.nats_url,
            "DORP_DATABASE_URL": database_url,
            "DORP_SMTP_PORT": str(port),
            "DORP_LOG_FORMAT": "json",
            "DORP_NOTIFY_BATCH": "20",
            "DORP_SMTP_POOL_SIZE": str(POOL),
            "DORP_NOTIFICATIONS_HTTP_PORT": "0",
            "DORP_NOTIFY_LEASE_SECONDS": "3",
        }
        service = ServiceProcess("notifications", region_id, env, tmp_path / "logs")
        service.start()
        try:
            async with nats_client(infra.nats_url) as nc:
                await service.wait_ready(nc)
                js = nc.jetstream()
                for envelope in registrations + warnings:
                    await publish(js, envelope)
                # Every event recorded and acknowledged first, so the kill interrupts
                # sending only (an unacknowledged event would wait out JetStream's ack_wait).
                await eventually(lambda: consumed(js, region_id, 2 * MAILS), timeout=60)
                inbox.gate.set()
                await eventually(lambda: _true(len(inbox.message_ids) >= MAILS // 4), timeout=60)
                assert service.process is not None
                service.process.kill()  # SIGKILL: no drain, no goodbye
                service.process.wait(10)
                before_restart = len(inbox.message_ids)
                assert before_restart < MAILS, "the kill came too late to test anything"

                service.start()
                await service.wait_ready(nc)
                await eventually(lambda: _true(set(inbox.message_ids) >= expected), timeout=90)
                await asyncio.sleep(1.0)  # anything more would show up now
        finally:
            service.terminate()
            service.wait_stopped(30)

    counts = collections.Counter(inbox.message_ids)
    assert set(counts) == expected  # none lost, nothing else sent
    repeated = sum(n - 1 for n in counts.values())
    assert repeated <= POOL  # at most the mails in flight at the kill
    assert all(n <= 2 for n in counts.values())


async def publish(js: Any, envelope: Envelope[Any]) -> None:
    subject = event_subject(envelope.region, type(envelope.payload))
    await js.publish(subject, envelope.model_dump_json().encode(), headers=envelope.headers())


async def consumed(js: Any, region: str, messages: int) -> bool:
    info = await js.consumer_info(stream_name(region, "registration"), "notifications-registration")
    return bool(
        info.delivered.stream_seq >= messages and info.num_ack_pending == 0 and not info.num_pending
    )


async def _true(value: bool) -> bool:
    return value
