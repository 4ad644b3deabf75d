"""deploy/compose: one region with Docker Compose, checked without a Docker engine."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from dorp_shared.settings import DorpSettings

REPO = Path(__file__).resolve().parents[3]
COMPOSE = REPO / "deploy" / "compose"
REGIONS = sorted(path.stem for path in (REPO / "deploy" / "regions").glob("*.toml"))
SERVICES = ("registration", "matching", "notifications", "reporting")
SETTINGS = {f"DORP_{name.upper()}" for name in DorpSettings.model_fields}
VARIABLE = re.compile(r"\$\{([A-Z_][A-Z0-9_]*)(:?[-?][^}]*)?\}")


def read_env_file(path: Path) -> dict[str, str]:
    values = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            key, _, value = line.partition("=")
            values[key] = value.strip('"')
    return values


def interpolate(value: Any, env: dict[str, str]) -> Any:
    """Compose's ${VAR}, ${VAR:-default} and ${VAR:?error}; a missing required one fails."""
    if isinstance(value, dict):
        return {key: interpolate(item, env) for key, item in value.items()}
    if isinstance(value, list):
        return [interpolate(item, env) for item in value]
    if not isinstance(value, str):
        return value

    def substitute(match: re.Match[str]) -> str:
        name, modifier = match.group(1), match.group(2) or ""
        if name in env:
            return env[name]
        if modifier.startswith((":-", "-")):
            return modifier.lstrip(":")[1:]
        raise AssertionError(f"${{{name}}} is not set by the region's env file")

    return VARIABLE.sub(substitute, value)


@pytest.fixture(scope="module")
def raw() -> dict[str, Any]:
    return dict(yaml.safe_load((COMPOSE / "compose.yaml").read_text(encoding="utf-8")))


@pytest.fixture(scope="module", params=REGIONS)
def region(request: pytest.FixtureRequest, raw: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    env_file = COMPOSE / f"{request.param}.env"
    assert env_file.is_file(), f"no {env_file.name}: every region needs an env file"
    env = read_env_file(env_file)
    assert env["DORP_REGION"] == request.param
    return str(request.param), interpolate(raw, env)


def test_one_region_has_nats_postgres_smtp_and_the_four_services(
    region: tuple[str, dict[str, Any]],
) -> None:
    name, compose = region
    assert compose["name"] == f"dorp-{name}"
    services = compose["services"]
    assert set(services) == {"nats", "postgres", "mailpit", *SERVICES}
    for service in services.values():
        assert service["healthcheck"]["test"][0] == "CMD"
    for service in SERVICES:
        definition = services[service]
        assert definition["command"] == ["serve", service, "--region", name]
        assert definition["build"]["dockerfile"] == "deploy/docker/Dockerfile"
        assert (COMPOSE / definition["build"]["context"] / "deploy/docker/Dockerfile").is_file()
        conditions = {dep: spec["condition"] for dep, spec in definition["depends_on"].items()}
        assert conditions["nats"] == conditions["postgres"] == "service_healthy"
    assert services["notifications"]["depends_on"]["mailpit"]["condition"] == "service_healthy"


def test_the_services_get_every_setting_they_need(region: tuple[str, dict[str, Any]]) -> None:
    name, compose = region
    for service in SERVICES:
        environment = compose["services"][service]["environment"]
        assert set(environment) <= SETTINGS, set(environment) - SETTINGS
        settings = DorpSettings(**{key[5:].lower(): value for key, value in environment.items()})
        assert settings.region == name
        assert settings.http_host == "0.0.0.0"
        assert settings.nats_url and settings.nats_url.endswith("@nats:4222")
        assert settings.database_url and settings.database_url.endswith("@postgres:5432/dorp")
        assert settings.smtp_host == "mailpit"


def test_nats_runs_the_production_single_node_config_on_file_storage(
    region: tuple[str, dict[str, Any]],
) -> None:
    name, compose = region
    nats = compose["services"]["nats"]
    mounts = dict(volume.rsplit(":", 2)[:2] for volume in nats["volumes"])
    assert mounts["nats-data"] == "/data"
    config = {target: source for source, target in mounts.items() if source != "nats-data"}
    assert config == {
        "/etc/nats/nats.conf": "../nats/single-node.conf",
        "/etc/nats/region": f"../nats/regions/{name}",
    }
    assert (COMPOSE / config["/etc/nats/region"] / "accounts.conf").is_file()
    assert (COMPOSE / config["/etc/nats/region"] / "users.conf").is_file()
    text = (COMPOSE / config["/etc/nats/nats.conf"]).read_text(encoding="utf-8")
    assert 'include "region/accounts.conf"' in text
    assert 'store_dir: "/data/jetstream"' in text
    assert "sync_interval: always" in text
    password = nats["environment"]["DORP_NATS_SERVICES_PASSWORD"]
    assert (
        f"dorp-services:{password}@"
        in compose["services"]["matching"]["environment"]["DORP_NATS_URL"]
    )
    postgres = compose["services"]["postgres"]
    assert "postgres-data:/var/lib/postgresql/data" in postgres["volumes"]
    assert set(compose["volumes"]) == {"nats-data", "postgres-data"}


def test_regions_on_one_machine_publish_different_ports() -> None:
    published = [read_env_file(COMPOSE / f"{region}.env") for region in REGIONS]
    for key in ("NATS_PUBLISHED_PORT", "REGISTRATION_PUBLISHED_PORT", "MAILPIT_PUBLISHED_PORT"):
        ports = [values[key] for values in published]
        assert len(set(ports)) == len(ports), key
