"""Fault test on the production NATS configuration (deploy/nats, 3 nodes on loopback): the
stream leader is killed while events are being published; every event whose publish was
acknowledged is in the stream afterwards, exactly once.

The publisher behaves as the outbox relay does: a publish that fails or times out is sent
again with the same ``Nats-Msg-Id``, so the stream's duplicate window keeps it single.
"""

from __future__ import annotations

import asyncio
import ssl
import uuid
from collections.abc import Iterator
from pathlib import Path

import nats
import pytest
from nats.aio.client import Client
from nats.js import JetStreamContext

from dorp_shared.contracts.subjects import stream_name
from dorp_shared.messaging import ensure_streams
from tests.integration.deploy.nats_cluster import (
    SERVICES_PASSWORD,
    Deployment,
    get_json,
    start_deployment,
    wait_until,
)

pytestmark = [pytest.mark.integration, pytest.mark.faults]

REGION = "lochem"
EVENTS = 3000
KILL_AT = EVENTS // 3
IN_FLIGHT = 64


def _cluster_formed(deployment: Deployment) -> bool:
    for node in deployment.nodes:
        meta = get_json(node.http_port, "/jsz").get("meta_cluster", {})
        if meta.get("cluster_size") != 3 or not meta.get("leader"):
            return False
    return True


@pytest.fixture
def deployment(tmp_path: Path) -> Iterator[Deployment]:
    started = start_deployment(tmp_path / "nats", REGION)
    try:
        wait_until(lambda: _cluster_formed(started), "the JetStream meta cluster to form")
        yield started
    finally:
        started.stop()


async def _connect(deployment: Deployment) -> Client:
    """To every node, as the services are configured: the client fails over by itself."""
    tls = ssl.create_default_context(cafile=str(deployment.tls / "ca.crt"))
    return await nats.connect(
        servers=[node.url for node in deployment.nodes],
        tls=tls,
        user="dorp-services",
        password=SERVICES_PASSWORD,
        reconnect_time_wait=0.2,
        max_reconnect_attempts=-1,
        connect_timeout=5,
    )


async def _publish_until_acknowledged(
    js: JetStreamContext, subject: str, msg_id: str, acked: dict[str, int]
) -> None:
    while True:
        try:
            ack = await js.publish(subject, msg_id.encode(), headers={"Nats-Msg-Id": msg_id})
        except (nats.errors.Error, TimeoutError):
            await asyncio.sleep(0.1)
            continue
        acked[msg_id] = ack.seq
        return


async def test_killing_the_stream_leader_under_load_loses_no_acknowledged_event(
    deployment: Deployment,
) -> None:
    nc = await _connect(deployment)
    try:
        js = nc.jetstream(timeout=3)
        await ensure_streams(js, REGION, replicas=3)
        stream = stream_name(REGION, "registration")
        info = await js.stream_info(stream)
        assert info.config.num_replicas == 3 and info.cluster and info.cluster.leader
        leader = next(node for node in deployment.nodes if node.name == info.cluster.leader)

        acked: dict[str, int] = {}
        gate = asyncio.Semaphore(IN_FLIGHT)

        async def one(index: int) -> None:
            async with gate:
                member = uuid.UUID(int=index)
                subject = f"dorp.{REGION}.registration.member_registered.v1.{member}"
                await _publish_until_acknowledged(js, subject, f"event-{index}", acked)
                if len(acked) == KILL_AT:
                    leader.kill()

        await asyncio.gather(*(one(index) for index in range(EVENTS)))
        assert leader.process is not None and leader.process.poll() is not None, "leader killed"

        after = await js.stream_info(stream)
        assert after.cluster and after.cluster.leader != leader.name
        consumer = await js.pull_subscribe(
            f"dorp.{REGION}.registration.>", durable=None, stream=stream
        )
        stored: list[str] = []
        while len(stored) < after.state.messages:
            for message in await consumer.fetch(500, timeout=10):
                stored.append(message.data.decode())
                await message.ack()
    finally:
        await nc.close()

    assert len(acked) == EVENTS
    assert sorted(stored) == sorted(acked), "every acknowledged event once, nothing else"
