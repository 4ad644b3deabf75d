"""Fuzzing a running service's HTTP API with schemathesis: the service in a thread of its own,
the checks every answer must pass, and the repairs that let generated input get past the
region rules and id lookups, so the handlers behind them are fuzzed too."""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import threading
import uuid
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import hypothesis
import requests
import schemathesis
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from dorp_shared.commands import IDEMPOTENCY_HEADER
from dorp_shared.service import ServiceDefinition
from dorp_shared.settings import DorpSettings
from tests.support.infra import Infra, fresh_database, write_test_region
from tests.support.services import running_service

CI_EXAMPLES = 10
EXAMPLES = int(os.environ.get("DORP_FUZZ_EXAMPLES", CI_EXAMPLES))
"""Examples per HTTP operation: 10 in CI, 200 with ``--profile deep``."""
DEEP = EXAMPLES > CI_EXAMPLES

DOCUMENTED = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
REPAIRS = 3
CONFIG = {
    # invalid input is refused with 413 (too large) as well as with 404, 409 or 422
    "checks": {"negative_data_rejection": {"expected-statuses": [404, 405, 409, 413, 422]}},
}
T = TypeVar("T")
KnownIds = dict[str, list[str]]


def schemathesis_config(deep: bool) -> schemathesis.Config:
    """A deep run adds schemathesis' coverage phase (boundary values of every field)."""
    return schemathesis.Config.from_dict({"phases": {"coverage": {"enabled": deep}}, **CONFIG})


def examples() -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Hypothesis settings of an HTTP fuzz test: repeatable in CI, random in a deep run."""
    return hypothesis.settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=list(hypothesis.HealthCheck),
        derandomize=not DEEP,
    )


def fuzz_settings(
    infra: Infra, regions_dir: Path, worker: ServiceThread, **ports: int
) -> DorpSettings:
    """Settings for services under fuzzing: a test region and a database of their own,
    warnings only in the log; ``ports``: each service's ``<name>_http_port``."""
    return DorpSettings(
        region=write_test_region(regions_dir),
        regions_dir=regions_dir,
        nats_url=infra.nats_url,
        database_url=worker.run(fresh_database(infra.postgres_url)),
        log_format="console",
        log_level="WARNING",
        **ports,  # type: ignore[arg-type]
    )


class ServiceThread:
    """The services' event loop in a thread of its own, so the synchronous schemathesis
    tests can call them over HTTP while they keep serving."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, coroutine: Awaitable[T]) -> T:
        async def wrapped() -> T:
            return await coroutine

        return asyncio.run_coroutine_threadsafe(wrapped(), self.loop).result(timeout=60)

    @contextlib.contextmanager
    def serving(self, definition: ServiceDefinition, settings: DorpSettings) -> Iterator[str]:
        service = running_service(definition, settings)
        runtime = self.run(service.__aenter__())
        try:
            assert runtime.http is not None
            yield runtime.http.url
        finally:
            self.run(service.__aexit__(None, None, None))

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.loop.close()


@dataclass
class Target:
    """A running service, one connection to it, and the ids it handed out so far."""

    url: str
    session: requests.Session
    known_ids: KnownIds = field(default_factory=dict)

    def call(self, case: schemathesis.Case, checks: list[Any]) -> Any:
        response = case.call_and_validate(base_url=self.url, session=self.session, checks=checks)
        if response.status_code == 200:
            _remember_ids(response.json(), self.known_ids)
        return response


def assert_answered_as_documented(target: Target, case: schemathesis.Case) -> None:
    """One generated case: answered as documented, never with a server error, invalid input
    refused; valid input that a region rule or lookup refused is repaired and sent again."""
    response = target.call(case, [*DOCUMENTED, negative_data_rejection])
    # The schemathesis checks above raise on any deviation; the one a user cares most about,
    # spelt out: whatever is sent, the answer is never a server error.
    assert response.status_code < 500, (case.operation.label, response.text)
    if case.meta is None or not case.meta.generation.mode.is_positive:
        return
    for _ in range(REPAIRS):
        body = repaired(case.body, response, target.known_ids)
        if body is None:
            return
        case.body = body
        if IDEMPOTENCY_HEADER in (case.headers or {}):  # a key used before would answer 409
            case.headers = {**case.headers, IDEMPOTENCY_HEADER: uuid.uuid4().hex}
        response = target.call(case, DOCUMENTED)
        assert response.status_code < 500, (case.operation.label, response.text)


def repaired(body: Any, response: Any, known: KnownIds) -> Any | None:
    """``body`` made more likely to pass, or None if there is nothing to repair: each field
    a region rule rejected set to the first allowed value its error lists, and each id the
    service did not find replaced by one it handed out."""
    if response.status_code not in (404, 422) or not isinstance(body, dict):
        return None
    changed = False
    for error in response.json().get("errors", ()):
        if error.get("allowed") and _set_at(body, error["field"].split("."), error["allowed"][0]):
            changed = True
    return body if _use_known_ids(body, known) or changed else None


def _remember_ids(data: Any, known: KnownIds) -> None:
    """Every ``<thing>_id`` in a result, so later examples can refer to real records."""
    if isinstance(data, list):
        for item in data:
            _remember_ids(item, known)
    elif isinstance(data, dict):
        for key, value in data.items():
            if key.endswith("_id") and isinstance(value, str):
                seen = known.setdefault(key, [])
                if value not in seen:
                    seen.append(value)
            else:
                _remember_ids(value, known)


def _use_known_ids(body: dict[str, Any], known: KnownIds) -> bool:
    """Picks among the known ids by the body, so a run is repeatable yet not every example
    meets the same record (which one of them may have erased)."""
    changed = False
    for key, value in body.items():
        if isinstance(value, dict):
            changed = _use_known_ids(value, known) or changed
        elif key.endswith("_id") and known.get(key) and value not in known[key]:
            body[key] = random.Random(repr(body)).choice(known[key])
            changed = True
    return changed


def _set_at(body: Any, path: list[str], value: str) -> bool:
    *parents, last = path
    for part in parents:
        body = _child(body, part)
    if isinstance(body, dict) and last in body and body[last] != value:
        body[last] = value
        return True
    if isinstance(body, list) and last.isdigit() and int(last) < len(body):
        body[int(last)] = value
        return True
    return False


def _child(body: Any, part: str) -> Any:
    if isinstance(body, dict):
        return body.get(part)
    if isinstance(body, list) and part.isdigit() and int(part) < len(body):
        return body[int(part)]
    return None
