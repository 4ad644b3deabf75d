"""Schemathesis against the HTTP APIs of matching, notifications and reporting (registration's
has a module of its own): every operation of each service's OpenAPI document, with valid and
invalid input, over real HTTP to the running service on real PostgreSQL and NATS.

Whatever is sent, no answer is a server error, every answer is documented (status, content
type, body schema: a rejection always carries its ``reason``), and invalid input is rejected.

``DORP_FUZZ_EXAMPLES`` sets the examples per operation (default 10, for CI; ``--profile deep``
sets 200, random instead of repeatable, with schemathesis' coverage phase).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
import schemathesis

from dorp_cli.main import definition_of
from dorp_shared.http import openapi_document
from dorp_shared.regions import load_region
from tests.support.fuzz import (
    DEEP,
    ServiceThread,
    Target,
    assert_answered_as_documented,
    examples,
    fuzz_settings,
    schemathesis_config,
)
from tests.support.infra import Infra

pytestmark = pytest.mark.integration

FUZZED = ("matching", "notifications", "reporting")


@pytest.fixture(scope="module")
def services(infra: Infra, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Target]]:
    """The three services running in one region and database, each on its own port."""
    regions_dir = tmp_path_factory.mktemp("fuzz-services")
    worker = ServiceThread()
    try:
        settings = fuzz_settings(
            infra, regions_dir, worker, **{f"{name}_http_port": 0 for name in FUZZED}
        ).model_copy(update={"portal_schedule_minutes": 0})
        with contextlib.ExitStack() as stack, requests.Session() as session:
            targets = {
                name: Target(
                    stack.enter_context(worker.serving(definition_of(name), settings)), session
                )
                for name in FUZZED
            }
            yield targets
    finally:
        worker.close()


def document(service: str) -> dict[str, Any]:
    """The document the service serves (for Lochem; other regions differ in the title)."""
    definition = definition_of(service)
    assert definition.api is not None, f"{service} has an HTTP API"
    return openapi_document(
        service=service,
        description=definition.description,
        region=load_region("lochem"),
        commands=definition.api.commands,
    )


def _fuzz(service: str) -> Callable[..., None]:
    schema = schemathesis.openapi.from_dict(document(service), config=schemathesis_config(DEEP))

    @schema.parametrize()
    @examples()
    def test(case: schemathesis.Case, services: dict[str, Target]) -> None:
        assert_answered_as_documented(services[service], case)

    return test


test_matching_answers_as_documented_and_never_with_a_server_error = _fuzz("matching")
test_notifications_answers_as_documented_and_never_with_a_server_error = _fuzz("notifications")
test_reporting_answers_as_documented_and_never_with_a_server_error = _fuzz("reporting")


@pytest.mark.parametrize("service", FUZZED)
def test_the_served_document_is_the_one_fuzzed(service: str, services: dict[str, Target]) -> None:
    target = services[service]
    served = target.session.get(f"{target.url}/openapi.json").json()
    assert {**served, "info": None} == {**document(service), "info": None}
