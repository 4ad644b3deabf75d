"""Real NATS and PostgreSQL for tests: configured URLs if set, else testcontainers when a
Docker engine answers, else the embedded binaries (never the machine's own services)."""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from dorp_cli.stack import EmbeddedNats, EmbeddedPostgres

REPO = Path(__file__).resolve().parents[2]
REGIONS = REPO / "deploy" / "regions"


@dataclass(frozen=True)
class Infra:
    nats_url: str
    postgres_url: str
    origin: str


def _docker_answers() -> bool:
    try:
        import docker

        docker.from_env(timeout=3).ping()
    except Exception:
        return False
    return True


@contextlib.contextmanager
def _containers() -> Iterator[Infra]:
    from testcontainers.community.nats import NatsContainer
    from testcontainers.community.postgres import PostgresContainer

    with (
        PostgresContainer("postgres:16", driver=None) as pg,
        NatsContainer("nats:2.11", jetstream=True) as nats,
    ):
        url = f"nats://{nats.get_container_host_ip()}:{nats.get_exposed_port(4222)}"
        yield Infra(url, pg.get_connection_url(), "testcontainers")


@contextlib.contextmanager
def _embedded(base: Path) -> Iterator[Infra]:
    nats = EmbeddedNats(base / "nats")
    postgres = EmbeddedPostgres(base / "pg")
    try:
        url = nats.start()
        dsn = postgres.start()
        yield Infra(url, dsn, "embedded")
    finally:
        nats.stop()
        postgres.stop()


@contextlib.contextmanager
def provide_infra(base: Path) -> Iterator[Infra]:
    nats_url = os.environ.get("DORP_NATS_URL")
    pg_url = os.environ.get("DORP_DATABASE_URL")
    if nats_url and pg_url:
        yield Infra(nats_url, pg_url, "configured")
    elif _docker_answers():
        with _containers() as infra:
            yield infra
    else:
        with _embedded(base) as infra:
            yield infra


def with_database(url: str, database: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{database}"))


async def fresh_database(server_url: str) -> str:
    """Create an empty database for one test and return its URL."""
    name = f"t_{secrets.token_hex(6)}"
    conn = await asyncpg.connect(server_url)
    try:
        await conn.execute(f"CREATE DATABASE {name}")
    finally:
        await conn.close()
    return with_database(server_url, name)


def write_test_region(
    folder: Path, template: str = "lochem", *, connector_review: bool = False
) -> str:
    """Copy a real region file under a unique id, so each test has its own subjects/streams.

    Proposals go straight to the parents unless ``connector_review`` (Lochem and Zutphen
    want a connector's review first; tests of that ask for it)."""
    region_id = f"t{secrets.token_hex(4)}"
    data = (REGIONS / f"{template}.toml").read_text(encoding="utf-8")
    original = tomllib.loads(data)["id"]
    data = re.sub(
        r"^connector_reviews_proposals = (true|false)$",
        f"connector_reviews_proposals = {'true' if connector_review else 'false'}",
        data,
        flags=re.MULTILINE,
    )
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{region_id}.toml").write_text(
        data.replace(f'id = "{original}"', f'id = "{region_id}"', 1), encoding="utf-8"
    )
    return region_id
