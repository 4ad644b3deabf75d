"""The Kustomize base and region overlays in deploy/kubernetes, built and checked."""

from __future__ import annotations

import re
import shutil
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from dorp_shared.settings import DorpSettings
from tests.integration.deploy.kustomize import Resource, build, find, load_all, pod_spec

REPO = Path(__file__).resolve().parents[3]
KUBERNETES = REPO / "deploy" / "kubernetes"
REGIONS = sorted(path.stem for path in (REPO / "deploy" / "regions").glob("*.toml"))
SERVICES = ("registration", "matching", "notifications", "reporting")
SETTINGS = {f"DORP_{name.upper()}" for name in DorpSettings.model_fields}
SECRET_LOOKING = re.compile(r"password|secret|token|://[^/\s]*:[^/\s]*@", re.IGNORECASE)


@pytest.fixture(scope="module", params=REGIONS)
def overlay(request: pytest.FixtureRequest) -> tuple[str, list[Resource]]:
    region = str(request.param)
    return region, build(KUBERNETES / "overlays" / region)


def containers(resource: Resource) -> list[dict[str, Any]]:
    spec = pod_spec(resource) or {}
    return list(spec.get("initContainers", [])) + list(spec.get("containers", []))


def test_every_manifest_is_valid_yaml_with_kind_and_name() -> None:
    files = sorted(KUBERNETES.rglob("*.yaml"))
    assert len(files) >= 10
    for path in files:
        for document in load_all(path):
            if path.name == "kustomization.yaml":
                assert document["kind"] == "Kustomization"
            else:
                assert document["kind"] and document["metadata"]["name"], path


def test_every_region_file_has_an_overlay() -> None:
    overlays = sorted(path.name for path in (KUBERNETES / "overlays").iterdir())
    assert overlays == REGIONS


def test_the_overlay_names_its_region_everywhere(overlay: tuple[str, list[Resource]]) -> None:
    region, resources = overlay
    namespace = f"dorp-{region}"
    assert find(resources, "Namespace", namespace)
    for resource in resources:
        if resource["kind"] != "Namespace":
            assert resource["metadata"]["namespace"] == namespace
        assert resource["metadata"]["labels"]["dorp.region"] == region
    settings = find(resources, "ConfigMap", "dorp-settings")["data"]
    assert settings["DORP_REGION"] == region
    region_map = find(resources, "ConfigMap", "dorp-region")["data"]
    assert list(region_map) == [f"{region}.toml"]
    assert tomllib.loads(region_map[f"{region}.toml"])["id"] == region
    accounts = find(resources, "ConfigMap", "dorp-nats-region")["data"]["accounts.conf"]
    assert f"DORP_{region.upper()} {{" in accounts


def test_each_service_is_probed_limited_and_autoscaled(overlay: tuple[str, list[Resource]]) -> None:
    _, resources = overlay
    defaults = DorpSettings()
    for service in SERVICES:
        deployment = find(resources, "Deployment", f"dorp-{service}")
        spec = pod_spec(deployment)
        assert spec is not None
        assert spec["securityContext"]["runAsNonRoot"] is True
        (container,) = spec["containers"]
        assert container["args"] == ["serve", service, "--region", "$(DORP_REGION)"]
        assert container["image"].startswith("registry.example.org/dorp/dorp:")
        (port,) = container["ports"]
        assert port == {"name": "http", "containerPort": defaults.http_port_for(service)}
        assert container["livenessProbe"]["httpGet"] == {"path": "/health/live", "port": "http"}
        assert container["readinessProbe"]["httpGet"] == {"path": "/health/ready", "port": "http"}
        annotations = deployment["spec"]["template"]["metadata"]["annotations"]
        assert annotations["prometheus.io/path"] == "/metrics"
        for box in containers(deployment):
            for kind in ("requests", "limits"):
                assert set(box["resources"][kind]) == {"cpu", "memory"}, box["name"]
        hpa = find(resources, "HorizontalPodAutoscaler", f"dorp-{service}")["spec"]
        assert hpa["scaleTargetRef"]["name"] == f"dorp-{service}"
        assert 2 <= hpa["minReplicas"] <= hpa["maxReplicas"]
        assert (
            find(resources, "Service", f"dorp-{service}")["spec"]["ports"][0]["port"]
            == (port["containerPort"])
        )


def test_secrets_are_references_and_settings_exist(overlay: tuple[str, list[Resource]]) -> None:
    _, resources = overlay
    assert not [resource for resource in resources if resource["kind"] == "Secret"]
    settings = find(resources, "ConfigMap", "dorp-settings")["data"]
    assert set(settings) <= SETTINGS
    for resource in resources:
        for box in containers(resource):
            names = set()
            for variable in box.get("env", []):
                names.add(variable["name"])
                literal = str(variable.get("value", ""))
                assert not SECRET_LOOKING.search(literal), (box["name"], variable)
                if SECRET_LOOKING.search(variable["name"]):
                    assert "secretKeyRef" in variable["valueFrom"], variable
            if box["name"] in SERVICES:
                assert {name for name in names if name.startswith("DORP_")} <= SETTINGS
                from_secrets = {
                    variable["name"]
                    for variable in box["env"]
                    if "secretKeyRef" in variable.get("valueFrom", {})
                }
                assert {"DORP_NATS_URL", "DORP_DATABASE_URL"} <= from_secrets
    for value in settings.values():
        assert not SECRET_LOOKING.search(value)


def test_nats_is_a_three_node_jetstream_cluster(overlay: tuple[str, list[Resource]]) -> None:
    _, resources = overlay
    nats = find(resources, "StatefulSet", "dorp-nats")
    assert nats["spec"]["replicas"] == 3
    service = find(resources, "Service", nats["spec"]["serviceName"])
    assert service["spec"]["clusterIP"] == "None"
    assert nats["spec"]["volumeClaimTemplates"][0]["metadata"]["name"] == "data"
    cluster_conf = find(resources, "ConfigMap", "dorp-nats-config")["data"]["nats.conf"]
    assert cluster_conf == (REPO / "deploy" / "nats" / "cluster.conf").read_text(encoding="utf-8")
    for index in range(3):
        assert f"nats-route://dorp-nats-{index}.dorp-nats:6222" in cluster_conf
    assert "sync_interval: always" in cluster_conf
    (server,) = [box for box in containers(nats) if box["name"] == "nats"]
    assert server["livenessProbe"]["httpGet"]["port"] == "monitor"
    assert server["readinessProbe"]["httpGet"]["path"].startswith("/healthz")
    assert server["startupProbe"]["httpGet"]["path"] == "/healthz"
    sources = nats["spec"]["template"]["spec"]["volumes"][0]["projected"]["sources"]
    assert [source["configMap"]["name"] for source in sources] == [
        "dorp-nats-config",
        "dorp-nats-region",
    ]
    settings = find(resources, "ConfigMap", "dorp-settings")["data"]
    assert int(settings["DORP_STREAM_REPLICAS"]) == nats["spec"]["replicas"]


HASH_SUFFIX = re.compile(r"-[a-z0-9]{10}$")


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
@pytest.mark.parametrize("region", REGIONS)
def test_kubectl_kustomize_builds_the_same_objects(region: str) -> None:
    """Where kubectl is installed, the real Kustomize agrees with the test's own build."""
    rendered = subprocess.run(
        [
            "kubectl",
            "kustomize",
            "--load-restrictor",
            "LoadRestrictionsNone",
            str(KUBERNETES / "overlays" / region),
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    real = {
        (doc["kind"], HASH_SUFFIX.sub("", doc["metadata"]["name"])): doc
        for doc in yaml.safe_load_all(rendered)
    }
    ours = {
        (doc["kind"], doc["metadata"]["name"]): doc
        for doc in build(KUBERNETES / "overlays" / region)
    }
    assert set(real) == set(ours)
    for key in real:
        if key[0] == "ConfigMap":
            assert real[key]["data"] == ours[key]["data"], key
        if key[0] in ("Deployment", "StatefulSet", "HorizontalPodAutoscaler"):
            assert _without_hashes(real[key]["spec"]) == ours[key]["spec"], key


def _without_hashes(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _without_hashes(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_without_hashes(item) for item in value]
    if isinstance(value, str) and value.startswith("dorp-"):
        return HASH_SUFFIX.sub("", value)
    return value
