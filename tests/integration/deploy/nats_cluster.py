"""Run deploy/nats/*.conf with the real nats-server on loopback: a 3-node region cluster and a hub.

The configuration files are the ones from deploy/; a test copy only swaps what a test machine
must: ports, the TLS folder, the JetStream folder and the route host names.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import trustme

from dorp_cli.stack import free_port, nats_server_binary

REPO = Path(__file__).resolve().parents[3]
NATS_DIR = REPO / "deploy" / "nats"
SERVICES_PASSWORD = "services-secret"
HUB_LEAF_PASSWORD = "leaf-secret"
HUB_READER_PASSWORD = "reader-secret"
REGIONS = ("lochem", "zutphen", "zwolle", "antwerpen")


def write_tls(folder: Path) -> Path:
    """A CA and a certificate for 127.0.0.1/localhost (server and client use), as in K8s."""
    folder.mkdir(parents=True, exist_ok=True)
    ca = trustme.CA()
    leaf = ca.issue_cert("127.0.0.1", "localhost")
    ca.cert_pem.write_to_path(str(folder / "ca.crt"))
    leaf.cert_chain_pems[0].write_to_path(str(folder / "tls.crt"))
    leaf.private_key_pem.write_to_path(str(folder / "tls.key"))
    return folder


def substitute(text: str, replacements: dict[str, str]) -> str:
    """Replace each key once or more; fail loudly if deploy/ no longer has it."""
    for old, new in replacements.items():
        if old not in text:
            raise AssertionError(f"the deployed config no longer contains {old!r}")
        text = text.replace(old, new)
    return text


def get_json(port: int, path: str) -> dict[str, Any]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=3) as response:
        return dict(json.load(response))


@dataclass
class Node:
    name: str
    folder: Path
    client_port: int
    http_port: int
    extra_env: dict[str, str]
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"tls://127.0.0.1:{self.client_port}"

    def start(self) -> None:
        env = {**os.environ, "NATS_SERVER_NAME": self.name, **self.extra_env}
        log = (self.folder / "server.log").open("ab")
        self.process = subprocess.Popen(
            [str(nats_server_binary()), "-c", str(self.folder / "nats.conf")],
            env=env,
            stdout=log,
            stderr=log,
            stdin=subprocess.DEVNULL,
        )
        wait_until(self.healthy, f"{self.name} to start (see {self.folder}/server.log)")

    def healthy(self) -> bool:
        if self.process is None or self.process.poll() is not None:
            raise AssertionError(f"{self.name} exited; see {self.folder}/server.log")
        try:
            get_json(self.http_port, "/varz")
        except OSError:
            return False
        return True

    def reload(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGHUP)

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()


def wait_until(condition: Any, what: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


@dataclass
class Deployment:
    """A hub and one region's 3-node cluster, each node in its own folder."""

    region: str
    root: Path
    tls: Path
    hub: Node = field(init=False)
    nodes: list[Node] = field(default_factory=list)
    hub_leaf_port: int = 0

    def users_files(self) -> list[Path]:
        return [node.folder / "users.conf" for node in self.nodes]

    def stop(self) -> None:
        for node in [*self.nodes, self.hub]:
            node.stop()


def _hub(deployment: Deployment) -> Node:
    folder = deployment.root / "hub"
    folder.mkdir(parents=True)
    client, http, leaf = free_port(), free_port(), free_port()
    text = substitute(
        (NATS_DIR / "hub.conf").read_text(encoding="utf-8"),
        {
            "/etc/nats/tls/": f"{deployment.tls}/",
            "0.0.0.0:4222": f"127.0.0.1:{client}",
            "http_port: 8222": f"http_port: {http}",
            "0.0.0.0:7422": f"127.0.0.1:{leaf}",
        },
    )
    (folder / "nats.conf").write_text(text, encoding="utf-8")
    env = {f"HUB_LEAF_{region.upper()}_PASSWORD": HUB_LEAF_PASSWORD for region in REGIONS}
    env["HUB_READER_PASSWORD"] = HUB_READER_PASSWORD
    deployment.hub_leaf_port = leaf
    return Node("dorp-hub", folder, client, http, env)


def _cluster_node(deployment: Deployment, index: int, cluster_ports: list[int]) -> Node:
    folder = deployment.root / f"dorp-nats-{index}"
    folder.mkdir(parents=True)
    client, http = free_port(), free_port()
    replacements = {
        "/etc/nats/tls/": f"{deployment.tls}/",
        "/data/jetstream": str(folder / "jetstream"),
        "/var/run/nats/nats.pid": str(folder / "nats.pid"),
        "0.0.0.0:4222": f"127.0.0.1:{client}",
        "http_port: 8222": f"http_port: {http}",
        "0.0.0.0:6222": f"127.0.0.1:{cluster_ports[index]}",
    }
    for other, port in enumerate(cluster_ports):
        replacements[f"dorp-nats-{other}.dorp-nats:6222"] = f"127.0.0.1:{port}"
    text = substitute((NATS_DIR / "cluster.conf").read_text(encoding="utf-8"), replacements)
    (folder / "nats.conf").write_text(text, encoding="utf-8")
    for name in ("accounts.conf", "users.conf"):
        shutil.copy(NATS_DIR / "regions" / deployment.region / name, folder / name)
    leaf_url = f"tls://leaf-{deployment.region}:{HUB_LEAF_PASSWORD}@127.0.0.1:"
    env = {
        "DORP_NATS_SERVICES_PASSWORD": SERVICES_PASSWORD,
        "DORP_HUB_LEAF_URL": f"{leaf_url}{deployment.hub_leaf_port}",
    }
    return Node(f"dorp-nats-{index}", folder, client, http, env)


def start_deployment(root: Path, region: str) -> Deployment:
    deployment = Deployment(region, root, write_tls(root / "tls"))
    deployment.hub = _hub(deployment)
    cluster_ports = [free_port() for _ in range(3)]
    deployment.nodes = [_cluster_node(deployment, i, cluster_ports) for i in range(3)]
    try:
        deployment.hub.start()
        for node in deployment.nodes:
            node.start()
    except BaseException:
        deployment.stop()
        raise
    return deployment
