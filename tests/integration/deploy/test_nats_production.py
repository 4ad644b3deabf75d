"""The production NATS configuration of deploy/nats, run as 3 nodes and a hub on loopback."""

from __future__ import annotations

import asyncio
import functools
import json
import shutil
import ssl
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import nats
import pytest
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.errors import NoServersError
from nats.js.api import StreamInfo

from dorp_cli.nats_config import PartnerCredential, add_partner, remove_user
from dorp_matching.bootstrap import DEFINITION as MATCHING
from dorp_registration.bootstrap import DEFINITION as REGISTRATION
from dorp_shared.contracts.subjects import region_streams, stream_name
from dorp_shared.messaging import declare_region, wait_for_stream_messages
from dorp_shared.settings import DorpSettings
from tests.integration.deploy.nats_cluster import (
    HUB_READER_PASSWORD,
    REPO,
    SERVICES_PASSWORD,
    Deployment,
    Node,
    get_json,
    start_deployment,
    wait_until,
)
from tests.support.services import eventually, running_service

pytestmark = pytest.mark.integration
REGION = "lochem"


def cluster_formed(deployment: Deployment) -> bool:
    for node in deployment.nodes:
        meta = get_json(node.http_port, "/jsz").get("meta_cluster", {})
        if meta.get("cluster_size") != 3 or not meta.get("leader"):
            return False
    return True


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    started = start_deployment(tmp_path_factory.mktemp("nats-production"), REGION)
    try:
        wait_until(lambda: cluster_formed(started), "the JetStream meta cluster to form")
        yield started
    finally:
        started.stop()


@pytest.fixture
def tls(deployment: Deployment) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(deployment.tls / "ca.crt"))


def violations(errors: list[str]) -> Callable[[Exception], Awaitable[None]]:
    """An error callback keeping what the server refused (nats-py lowercases the text)."""

    async def record(error: Exception) -> None:
        errors.append(str(error).lower())

    return record


async def connect(
    node: Node, tls: ssl.SSLContext, user: str, password: str, **options: object
) -> Client:
    return await nats.connect(
        node.url,
        tls=tls,
        user=user,
        password=password,
        allow_reconnect=False,
        connect_timeout=5,
        **options,
    )


def services_url(node: Node) -> str:
    """``DORP_NATS_URL`` as the services get it in production."""
    return f"tls://dorp-services:{SERVICES_PASSWORD}@127.0.0.1:{node.client_port}"


@pytest.fixture
async def services(deployment: Deployment, tls: ssl.SSLContext) -> AsyncIterator[Client]:
    nc = await connect(deployment.nodes[0], tls, "dorp-services", SERVICES_PASSWORD)
    yield nc
    await nc.close()


def reload_with(deployment: Deployment, change: Callable[[Path], object]) -> object:
    """Change the users file as an operator would, give every running node the new file, and
    reload them (SIGHUP is ``nats-server --signal reload``); wait until each has reloaded."""
    first, *others = deployment.nodes
    result = change(first.folder / "users.conf")
    for node in others:
        shutil.copy(first.folder / "users.conf", node.folder / "users.conf")
    for node in deployment.nodes:
        before = get_json(node.http_port, "/varz")["config_load_time"]
        node.reload()
        wait_until(
            lambda node=node, before=before: (
                get_json(node.http_port, "/varz")["config_load_time"] != before
            ),
            f"{node.name} to reload",
        )
    return result


def new_credential(deployment: Deployment, partner: str) -> PartnerCredential:
    credential = reload_with(deployment, lambda path: add_partner(path, REGION, partner))
    assert isinstance(credential, PartnerCredential)
    return credential


async def partner_client(
    deployment: Deployment, tls: ssl.SSLContext, credential: PartnerCredential, **options: object
) -> Client:
    return await connect(
        deployment.nodes[1],
        tls,
        credential.user,
        credential.password,
        inbox_prefix=credential.inbox_prefix,
        **options,
    )


PROBE = f"dorp.{REGION}.partner.probe.ping"


async def answer_partners(
    deployment: Deployment, tls: ssl.SSLContext, services: Client, heard: list[str]
) -> None:
    """Registration's role: answer every partner message, remembering what arrived.

    Returns once every node routes partner subjects to the answer: interest crosses the
    cluster's routes a moment after the subscription, longer on a busy machine."""

    async def reply(msg: Msg) -> None:
        if msg.subject != PROBE:
            heard.append(msg.subject)
        await msg.respond(b'{"status":"accepted"}')

    await services.subscribe(f"dorp.{REGION}.partner.*.*", cb=reply)
    await services.flush()
    for node in deployment.nodes:
        prober = await connect(node, tls, "dorp-services", SERVICES_PASSWORD)
        try:
            await eventually(functools.partial(_answered, prober), timeout=20)
        finally:
            await prober.close()


async def _answered(prober: Client) -> bool:
    try:
        await prober.request(PROBE, b"{}", timeout=1)
    except (nats.errors.NoRespondersError, nats.errors.TimeoutError):
        return False
    return True


def test_the_three_nodes_form_one_jetstream_cluster_with_routes(deployment: Deployment) -> None:
    names = {node.name for node in deployment.nodes}
    for node in deployment.nodes:
        routes = get_json(node.http_port, "/routez")["routes"]
        assert {route["remote_name"] for route in routes} == names - {node.name}
        meta = get_json(node.http_port, "/jsz")["meta_cluster"]
        assert meta["cluster_size"] == 3
        assert meta["leader"] in names
        jetstream = get_json(node.http_port, "/varz")["jetstream"]["config"]
        assert jetstream["sync_always"] is True  # an acknowledged write is on disk


async def test_the_region_streams_get_three_current_replicas(
    deployment: Deployment, services: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The services' own code path: a tls:// URL with the user in it, the CA from SSL_CERT_FILE.
    monkeypatch.setenv("SSL_CERT_FILE", str(deployment.tls / "ca.crt"))
    await declare_region(services_url(deployment.nodes[2]), REGION, replicas=3)
    js = services.jetstream()

    for config in region_streams(REGION, 3):
        assert config.name

        async def replicated(name: str = config.name) -> bool:
            info = await js.stream_info(name)
            cluster = info.cluster
            return bool(
                cluster
                and cluster.leader
                and len(cluster.replicas or []) == 2
                and all(peer.current for peer in cluster.replicas or [])
            )

        await eventually(replicated, timeout=20)
        info = await js.stream_info(config.name)
        assert info.config.num_replicas == 3


async def test_a_partner_may_only_use_its_own_subjects_and_inbox(
    deployment: Deployment, tls: ssl.SSLContext, services: Client
) -> None:
    heard: list[str] = []
    await answer_partners(deployment, tls, services, heard)
    credential = new_credential(deployment, "bs-de-brink")
    errors: list[str] = []
    partner = await partner_client(deployment, tls, credential, error_cb=violations(errors))
    try:
        forbidden_publish = [
            f"dorp.{REGION}.partner.bs-de-esch.member_registration",  # another partner
            "dorp.zutphen.partner.bs-de-brink.member_registration",  # another region
            f"dorp.{REGION}.registration.member_registered.v1.m-1",  # a member event
            f"dorp.{REGION}.cmd.registration.register_member",  # a service command
            "$JS.API.STREAM.LIST",  # the JetStream API
        ]
        for subject in forbidden_publish:
            await partner.publish(subject, b"{}")
        await partner.subscribe(f"dorp.{REGION}.registration.>")  # member events
        await partner.subscribe("_INBOX.>")  # others' replies
        await partner.flush()

        reply = await partner.request(
            f"dorp.{REGION}.partner.bs-de-brink.member_registration", b"{}", timeout=10
        )
        assert reply.data == b'{"status":"accepted"}'
        assert reply.subject.startswith("_INBOX_bs-de-brink.")
        assert heard == [f"dorp.{REGION}.partner.bs-de-brink.member_registration"]
        for subject in forbidden_publish:
            assert f'nats: permissions violation for publish to "{subject.lower()}"' in errors
        for subject in (f"dorp.{REGION}.registration.>", "_INBOX.>"):
            assert f'nats: permissions violation for subscription to "{subject.lower()}"' in errors
    finally:
        await partner.close()


async def test_a_partner_credential_rotates_by_reload_without_dropping_the_client(
    deployment: Deployment, tls: ssl.SSLContext, services: Client
) -> None:
    heard: list[str] = []
    await answer_partners(deployment, tls, services, heard)
    subject = f"dorp.{REGION}.partner.jeugdplatform.help_request"
    old = new_credential(deployment, "jeugdplatform")
    drops: list[str] = []

    async def dropped() -> None:
        drops.append("disconnected")

    client = await partner_client(deployment, tls, old, disconnected_cb=dropped)
    try:
        new = new_credential(deployment, "jeugdplatform")
        assert new.user != old.user
        assert (await client.request(subject, b"{}", timeout=10)).data  # old still works
        assert drops == []
        assert client.is_connected
        switched = await partner_client(deployment, tls, new)
        assert (await switched.request(subject, b"{}", timeout=10)).data
        await switched.close()

        reload_with(deployment, lambda path: remove_user(path, old.user))
        with pytest.raises((nats.errors.Error, NoServersError, OSError)):
            await partner_client(deployment, tls, old)
        renewed = await partner_client(deployment, tls, new)
        assert (await renewed.request(subject, b"{}", timeout=10)).data
        await renewed.close()
        assert heard.count(subject) == 3

        async def revoked() -> bool:
            return not client.is_connected

        await eventually(revoked, timeout=20)
    finally:
        await client.close()


async def test_only_aggregate_subjects_cross_to_the_hub(
    deployment: Deployment, tls: ssl.SSLContext, services: Client
) -> None:
    hub_reader = await nats.connect(
        f"tls://127.0.0.1:{deployment.hub.client_port}",
        tls=tls,
        user="hub-reader",
        password=HUB_READER_PASSWORD,
        allow_reconnect=False,
    )
    received: list[str] = []
    subscription = await hub_reader.subscribe(">", cb=functools.partial(_record, received))
    await hub_reader.flush()
    probe = f"dorp.{REGION}.aggregate.probe"
    try:

        async def crossed() -> bool:
            await services.publish(probe, b"{}")
            await services.flush()
            await asyncio.sleep(0.05)
            return probe in received

        await eventually(crossed, timeout=20)
        received.clear()
        member_event = f"dorp.{REGION}.registration.member_registered.v1.{uuid.uuid4()}"
        for subject in (
            member_event,
            f"dorp.{REGION}.partner.bs-de-brink.member_registration",
            f"dorp.{REGION}.cmd.reporting.report",
            f"dorp.{REGION}.deadletter.matching",
        ):
            await services.publish(subject, b"{}")
        figures = f"dorp.{REGION}.aggregate.report_figures.v1"
        await services.publish(figures, b'{"members": 12}')
        await services.flush()
        await eventually(_contains(received, figures), timeout=20)
        assert [subject for subject in received if subject != probe] == [figures]
        leafz = get_json(deployment.hub.http_port, "/leafz")
        assert {leaf["account"] for leaf in leafz["leafs"]} == {"FEDERATION"}
        assert leafz["leafnodes"] == 3
    finally:
        await subscription.unsubscribe()
        await hub_reader.close()


async def _record(received: list[str], msg: Msg) -> None:
    received.append(msg.subject)


def _contains(received: list[str], subject: str) -> Callable[[], Awaitable[bool]]:
    async def check() -> bool:
        return subject in received

    return check


async def test_the_services_run_with_their_user_and_a_partner_with_its_own(
    deployment: Deployment,
    tls: ssl.SSLContext,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Registration and matching on the cluster with only the services' permissions: a
    partner's parents, request and offer are accepted and matching proposes a match."""
    monkeypatch.setenv("SSL_CERT_FILE", str(deployment.tls / "ca.crt"))
    settings = DorpSettings(
        region=REGION,
        regions_dir=REPO / "deploy" / "regions",
        nats_url=services_url(deployment.nodes[0]),
        database_url=database_url,
        stream_replicas=3,
        log_format="console",
        registration_http_port=0,
        matching_http_port=0,
        notifications_http_port=0,
        reporting_http_port=0,
    )
    credential = new_credential(deployment, "ko-het-speelhuis")
    partner = await partner_client(deployment, tls, credential)
    observer = await connect(deployment.nodes[2], tls, "dorp-services", SERVICES_PASSWORD)
    proposals = stream_name(REGION, "matching")
    try:
        before = await wait_for_stream_messages(observer.jetstream(), proposals, 0, 0)
        async with running_service(REGISTRATION, settings), running_service(MATCHING, settings):
            for event, body in PARTNER_MESSAGES:
                subject = f"dorp.{REGION}.partner.ko-het-speelhuis.{event}"
                reply = await partner.request(subject, json.dumps(body).encode(), timeout=10)
                assert json.loads(reply.data)["status"] == "accepted", reply.data
            held = await wait_for_stream_messages(observer.jetstream(), proposals, before + 1, 30)
        assert held > before
        info = await observer.jetstream().stream_info(proposals)
        assert info.config.num_replicas == 3
        latest = await observer.jetstream().get_msg(proposals, info.state.last_seq)
        assert json.loads(latest.data or b"{}")["type"] == "matching.match_proposed"
    finally:
        await partner.close()
        await observer.close()


PARENT = {
    "home_area": "lochem",
    "languages": ["nl"],
    "consents": {"matching": True, "notifications": True},
}
PARTNER_MESSAGES: list[tuple[str, dict[str, object]]] = [
    (
        "member_registration",
        {**PARENT, "external_id": "p-a", "display_name": "Sanne", "email": "sanne@example.org"},
    ),
    (
        "member_registration",
        {**PARENT, "external_id": "p-b", "display_name": "Jeroen", "email": "jeroen@example.org"},
    ),
    ("help_request", {"external_id": "r-1", "member_external_id": "p-a", "kind": "babysitting"}),
    ("help_offer", {"external_id": "o-1", "member_external_id": "p-b", "kind": "babysitting"}),
]


async def test_an_acknowledged_write_survives_killing_the_stream_leader(
    deployment: Deployment, tls: ssl.SSLContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Last in this module: it kills a node."""
    stream = stream_name(REGION, "registration")
    monkeypatch.setenv("SSL_CERT_FILE", str(deployment.tls / "ca.crt"))
    await declare_region(services_url(deployment.nodes[0]), REGION, replicas=3)
    writer = await connect(deployment.nodes[0], tls, "dorp-services", SERVICES_PASSWORD)
    js = writer.jetstream()
    subject = f"dorp.{REGION}.registration.member_registered.v1.{uuid.uuid4()}"
    ack = await js.publish(subject, b"kept", headers={"Nats-Msg-Id": str(uuid.uuid4())})
    info = await js.stream_info(stream)
    await writer.close()
    assert info.cluster and info.cluster.leader
    leader = next(node for node in deployment.nodes if node.name == info.cluster.leader)
    leader.kill()

    survivor = next(node for node in deployment.nodes if node is not leader)
    reader = await connect(survivor, tls, "dorp-services", SERVICES_PASSWORD)
    try:
        survivors_js = reader.jetstream(timeout=2)

        async def new_leader() -> bool:
            try:
                current: StreamInfo = await survivors_js.stream_info(stream)
            except (nats.errors.Error, TimeoutError):
                return False
            return bool(current.cluster and current.cluster.leader not in (None, leader.name))

        await eventually(new_leader, timeout=20)
        kept = await survivors_js.get_msg(stream, ack.seq)
        assert (kept.subject, kept.data) == (subject, b"kept")
        again = await survivors_js.publish(subject, b"still writable")
        assert again.seq > ack.seq
    finally:
        await reader.close()
