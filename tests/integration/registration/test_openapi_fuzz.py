"""Schemathesis against the running registration service: every operation of its OpenAPI
document, with valid and invalid input, over real HTTP to real PostgreSQL and NATS.

Whatever it sends, the service must never answer 5xx, and every answer must be documented
(status code, content type, body schema); invalid input must be rejected. Valid input that a
region rule rejects (an unknown kern or language) is repaired with the first allowed value
the error lists, and an unknown id with one the service handed out earlier, and sent again:
so the handlers behind the region checks and the lookups are fuzzed too.

``DORP_FUZZ_EXAMPLES`` sets the examples per operation (default 10, for CI). More than that
is a deep run: random instead of repeatable, and with schemathesis' coverage phase too
(boundary values of every field, every method), e.g. ``DORP_FUZZ_EXAMPLES=200``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests
import schemathesis

from dorp_registration.bootstrap import DEFINITION
from dorp_registration.commands import COMMANDS
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


@pytest.fixture(scope="module")
def registration(infra: Infra, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Target]:
    """One running registration service (own region, own database) for all operations."""
    regions_dir = tmp_path_factory.mktemp("fuzz-regions")
    worker = ServiceThread()
    try:
        settings = fuzz_settings(infra, regions_dir, worker, registration_http_port=0)
        with worker.serving(DEFINITION, settings) as url, requests.Session() as session:
            yield Target(url, session)
    finally:
        worker.close()


def registration_document() -> dict[str, Any]:
    """The document the service serves (for Lochem; other regions differ in the title)."""
    return openapi_document(
        service=DEFINITION.name,
        description=DEFINITION.description,
        region=load_region("lochem"),
        commands=COMMANDS,
    )


schema = schemathesis.openapi.from_dict(registration_document(), config=schemathesis_config(DEEP))


@schema.parametrize()
@examples()
def test_every_operation_answers_as_documented_and_never_with_a_server_error(
    case: schemathesis.Case, registration: Target
) -> None:
    assert_answered_as_documented(registration, case)


def test_the_served_document_is_the_one_fuzzed(registration: Target) -> None:
    served = registration.session.get(f"{registration.url}/openapi.json").json()
    expected = registration_document()
    assert {**served, "info": None} == {**expected, "info": None}
