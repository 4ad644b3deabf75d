"""Hypothesis against the partner subjects of a running registration: for every partner event
and partner command, payloads drawn from its JSON schema (some repaired to fit the region, so
they are accepted), payloads that break it, and bytes that are not JSON at all. The payloads
come from schemathesis' generators (valid and negative modes) over each model's schema.

Whatever a partner sends: an answer comes, it says accepted or rejected, a rejection carries a
machine-readable reason (and the fields at fault when fields are at fault), never an internal
error, and every rejection is on the dead-letter subject.

A few hundred cases in CI; ``./run-tests --profile deep`` runs at least 10,000.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import hypothesis
import pytest
import schemathesis
from hypothesis import HealthCheck, given
from hypothesis import strategies as st
from nats.aio.client import Client
from pydantic import BaseModel
from schemathesis.generation import GenerationMode

from dorp_registration.commands import PARTNER_COMMANDS
from dorp_shared.contracts.partner import PARTNER_EVENTS, PartnerReply
from dorp_shared.contracts.subjects import command_subject, partner_subject, stream_name
from dorp_shared.messaging import wait_for_stream_messages
from dorp_shared.regions import Region, load_region
from tests.support.fuzz import ServiceThread, fuzz_settings
from tests.support.infra import Infra

pytestmark = pytest.mark.integration

EXAMPLES = int(os.environ.get("DORP_PARTNER_FUZZ_EXAMPLES", "25"))
PARTNER = "fuzz-partner"
MODELS: dict[str, type[BaseModel]] = {
    **PARTNER_EVENTS,
    **{name: command.input for name, command in PARTNER_COMMANDS.items()},
}


def partner_document() -> dict[str, Any]:
    """One operation per partner subject, whose body is that subject's model: so schemathesis
    can generate its payloads (the subjects are NATS, not HTTP; nothing here is served)."""
    paths: dict[str, Any] = {}
    components: dict[str, Any] = {}
    for name, model in MODELS.items():
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        components.update(schema.pop("$defs", {}))
        body = {"required": True, "content": {"application/json": {"schema": schema}}}
        paths[f"/{name}"] = {
            "post": {"requestBody": body, "responses": {"200": {"description": "answered"}}}
        }
    return {
        "openapi": "3.1.0",
        "info": {"title": "Dorp partner subjects", "version": "1"},
        "paths": paths,
        "components": {"schemas": components},
    }


DOCUMENT = schemathesis.openapi.from_dict(partner_document())


@dataclass
class Partner:
    worker: ServiceThread
    nc: Client
    region: Region
    answers: Counter[str] = field(default_factory=Counter)
    rejected: set[tuple[str, bytes]] = field(default_factory=set)

    def send(self, event: str, data: bytes) -> PartnerReply:
        async def request() -> bytes:
            reply = await self.nc.request(
                partner_subject(self.region.id, PARTNER, event), data, timeout=10
            )
            return bytes(reply.data)

        answer = PartnerReply.model_validate_json(self.worker.run(request()))
        self.answers[answer.status] += 1
        if answer.status == "rejected":
            self.rejected.add((event, data))
        return answer


@pytest.fixture(scope="module")
def partner(infra: Infra, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Partner]:
    import nats

    from dorp_registration.bootstrap import DEFINITION
    from tests.support.services import running_service

    regions_dir = tmp_path_factory.mktemp("partner-fuzz")
    worker = ServiceThread()
    try:
        settings = fuzz_settings(infra, regions_dir, worker, registration_http_port=0)
        service = running_service(DEFINITION, settings)
        worker.run(service.__aenter__())
        nc = worker.run(nats.connect(infra.nats_url))
        try:
            yield Partner(worker, nc, load_region(settings.region, regions_dir))
        finally:
            worker.run(nc.drain())
            worker.run(service.__aexit__(None, None, None))
    finally:
        worker.close()


def repaired(region: Region, payload: Any) -> Any:
    """The same payload with region-bound values made valid, so that some cases get past the
    region's rules into the handlers (and are accepted)."""
    if not isinstance(payload, dict):
        return payload
    fixes: dict[str, Any] = {
        "home_area": region.areas[0].id,
        "kind": region.help_kinds[0],
        "languages": [region.default_language],
        "preferred_language": region.default_language,
    }
    return {key: fixes.get(key, value) for key, value in payload.items()}


def as_bytes(body: Any) -> bytes:
    return body if isinstance(body, bytes) else json.dumps(body).encode()


def payloads(event: str, region: Region) -> st.SearchStrategy[bytes]:
    operation = DOCUMENT[f"/{event}"]["POST"]
    valid = operation.as_strategy(generation_mode=GenerationMode.POSITIVE).map(lambda c: c.body)
    broken = operation.as_strategy(generation_mode=GenerationMode.NEGATIVE).map(lambda c: c.body)
    return st.one_of(
        valid.map(lambda body: repaired(region, body)),
        valid,
        broken,
        st.binary(max_size=200),
    ).map(as_bytes)


@pytest.mark.parametrize("event", sorted(MODELS))
def test_every_partner_message_is_answered_with_a_reason(partner: Partner, event: str) -> None:
    @hypothesis.settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        derandomize=EXAMPLES <= 25,
        database=None,
    )
    @given(data=payloads(event, partner.region))
    def answered(data: bytes) -> None:
        reply = partner.send(event, data)
        assert reply.status in ("accepted", "rejected")
        if reply.status == "rejected":
            assert reply.reason, f"a rejection without a reason for {data!r}"
            assert reply.reason != "internal_error", f"{event} failed inside on {data!r}"
            if reply.reason == "invalid_fields":
                assert reply.errors, "invalid fields are named"

    answered()


def test_the_service_still_answers_and_dead_lettered_every_rejected_input(partner: Partner) -> None:
    """Runs after the fuzzing above (same module, same service)."""

    async def health_and_letters() -> tuple[bytes, int]:
        reply = await partner.nc.request(
            command_subject(partner.region.id, "registration", "health"), b"", timeout=5
        )
        rejected = len(partner.rejected)
        letters = await wait_for_stream_messages(
            partner.nc.jetstream(), stream_name(partner.region.id, "deadletter"), rejected, 15
        )
        return bytes(reply.data), letters

    health, letters = partner.worker.run(health_and_letters())
    assert json.loads(health)["status"] == "ok"
    assert partner.answers["accepted"] > 0, "some fuzzed payloads were valid"
    # Input sent again and rejected again is still one dead letter.
    assert letters == len(partner.rejected) > 0
