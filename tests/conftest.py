"""Fixtures giving tests a real NATS with JetStream and a real PostgreSQL."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from dorp_shared.settings import DorpSettings
from tests.support.infra import Infra, fresh_database, provide_infra, write_test_region

DEEP_PROFILE = {
    "DORP_PARTNER_FUZZ_EXAMPLES": "1000",  # per partner subject: 12,000 cases in all
    "DORP_FUZZ_EXAMPLES": "200",  # per HTTP operation and property
    "DORP_FAULT_EVENTS": "20000",  # the load of the fault test
}


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--profile",
        choices=("ci", "deep"),
        default="ci",
        help="ci: a few hundred fuzz cases (the default); deep: at least 10,000 partner "
        "messages, 200 cases per HTTP operation, and 20,000 events in the fault test",
    )


def pytest_configure(config: pytest.Config) -> None:
    """Test modules read the case counts from the environment when they are imported."""
    if config.getoption("--profile") == "deep":
        for name, value in DEEP_PROFILE.items():
            os.environ.setdefault(name, value)


@pytest.fixture(scope="session")
def infra(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Infra]:
    with provide_infra(tmp_path_factory.mktemp("infra")) as provided:
        yield provided


@pytest.fixture
async def database_url(infra: Infra) -> str:
    return await fresh_database(infra.postgres_url)


@pytest.fixture
def regions_dir(tmp_path: Path) -> Path:
    return tmp_path / "regions"


@pytest.fixture
def region_id(regions_dir: Path) -> str:
    return write_test_region(regions_dir)


@pytest.fixture
def settings(infra: Infra, database_url: str, region_id: str, regions_dir: Path) -> DorpSettings:
    return DorpSettings(
        region=region_id,
        regions_dir=regions_dir,
        nats_url=infra.nats_url,
        database_url=database_url,
        log_format="console",
        max_deliver=3,
        registration_http_port=0,
        matching_http_port=0,
        notifications_http_port=0,
        reporting_http_port=0,
        portal_schedule_minutes=0,  # tests that want the report schedule turn it on
    )
