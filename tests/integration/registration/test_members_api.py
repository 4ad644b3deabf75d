"""Members over the HTTP API and NATS request/reply, on real NATS and PostgreSQL."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest

from dorp_registration.bootstrap import DEFINITION
from dorp_shared.contracts.subjects import stream_name
from dorp_shared.settings import DorpSettings
from tests.support.api import ApiClient, service_api
from tests.support.services import eventually

pytestmark = pytest.mark.integration

SANNE: dict[str, Any] = {
    "display_name": "Sanne",
    "email": "sanne@example.org",
    "home_area": "laren",
    "languages": ["nl", "en"],
    "age_bands": ["1-4"],
    "consents": {"matching": True, "notifications": True},
}


@pytest.fixture
async def api(settings: DorpSettings) -> AsyncIterator[ApiClient]:
    async with service_api(DEFINITION, settings) as client:
        yield client


async def registration_events(api: ApiClient) -> list[dict[str, Any]]:
    js = api.nc.jetstream()
    stream = stream_name(api.region, "registration")
    info = await js.stream_info(stream)
    found = []
    for seq in range(info.state.first_seq, info.state.last_seq + 1):
        try:
            message = await js.get_msg(stream, seq)
        except Exception:  # purged
            continue
        found.append({"subject": message.subject, **json.loads(message.data or b"{}")})
    return found


async def test_register_then_read_back_with_region_defaults(api: ApiClient) -> None:
    created = await api.ok("register_member", SANNE)
    member = await api.ok("get_member", {"member_id": created["member_id"]})
    assert member["home_area"] == "laren"
    assert member["preferred_language"] == "nl"
    assert member["consents"]["matching"] is True
    assert member["contact"]["display_name"] == "Sanne"
    events = await eventually(lambda: registration_events(api))
    assert events[0]["type"] == "registration.member_registered"
    assert events[0]["subject"].endswith(created["member_id"])


async def test_invalid_fields_are_named_with_allowed_values_over_http_and_nats(
    api: ApiClient,
) -> None:
    bad = {**SANNE, "home_area": "atlantis", "role": "king", "languages": ["nl", "xx"]}
    response = await api.post("register_member", bad)
    assert response.status_code == 422
    body = response.json()
    assert body["reason"] == "invalid_fields"
    by_field = {error["field"]: error for error in body["errors"]}
    assert "parent" in by_field["role"]["allowed"]
    status, reply = await api.request("register_member", bad)
    assert status == 422 and reply["errors"] == body["errors"]
    region_bad = {**SANNE, "home_area": "atlantis", "languages": ["nl", "xx"]}
    body = (await api.post("register_member", region_bad)).json()
    by_field = {error["field"]: error for error in body["errors"]}
    assert "lochem" in by_field["home_area"]["allowed"]
    assert by_field["languages.1"]["allowed"][0] == "nl"


async def test_same_idempotency_key_registers_once(api: ApiClient) -> None:
    first = await api.ok("register_member", SANNE, key="form-42")
    again = await api.ok("register_member", SANNE, key="form-42")
    assert first == again
    status, over_nats = await api.request("register_member", SANNE, key="form-42")
    assert status == 200 and over_nats == first
    other = await api.post("register_member", {**SANNE, "display_name": "Eva"}, key="form-42")
    assert other.status_code == 409 and other.json()["reason"] == "idempotency_key_reused"
    events = await eventually(lambda: registration_events(api))
    assert sum(e["type"] == "registration.member_registered" for e in events) == 1


async def test_bad_bodies_are_rejected_not_crashed(api: ApiClient) -> None:
    assert (await api.post("register_member", b"{not json")).json()["reason"] == "invalid_json"
    huge = json.dumps({**SANNE, "display_name": "x" * 70_000}).encode()
    response = await api.post("register_member", huge)
    assert response.status_code == 413 and response.json()["reason"] == "payload_too_large"
    unknown = await api.post("get_member", {"member_id": str(uuid.uuid4())})
    assert unknown.status_code == 404


async def test_consent_is_recorded_and_published_only_on_change(api: ApiClient) -> None:
    member_id = (await api.ok("register_member", SANNE))["member_id"]
    change = {"member_id": member_id, "purpose": "quotes", "granted": True}
    assert (await api.ok("set_consent", change))["consents"]["quotes"] is True
    await api.ok("set_consent", change)
    withdrawn = await api.ok("set_consent", {**change, "purpose": "matching", "granted": False})
    assert withdrawn["consents"]["matching"] is False
    exported = await api.ok("export_member", {"member_id": member_id})
    history = exported["records"]["consent_history"]
    assert [(c["purpose"], c["granted"]) for c in history][-3:] == [
        ("quotes", True),
        ("quotes", True),
        ("matching", False),
    ]

    async def consent_events() -> list[dict[str, Any]] | None:
        events = await registration_events(api)
        found = [e for e in events if e["type"] == "registration.consent_changed"]
        return found if len(found) >= 2 else None

    changes = await eventually(consent_events)
    assert [(c["payload"]["purpose"], c["payload"]["granted"]) for c in changes] == [
        ("quotes", True),
        ("matching", False),
    ]


async def test_update_changes_profile_and_publishes_snapshot(api: ApiClient) -> None:
    member_id = (await api.ok("register_member", SANNE))["member_id"]
    updated = await api.ok(
        "update_member", {"member_id": member_id, "home_area": "almen", "languages": ["en"]}
    )
    assert updated["home_area"] == "almen"
    assert updated["preferred_language"] == "en"  # nl is no longer spoken
    assert updated["contact"]["email"] == "sanne@example.org"

    async def updated() -> list[dict[str, Any]]:
        events = await registration_events(api)
        return [e for e in events if e["type"] == "registration.member_updated"]

    snapshot = (await eventually(updated))[0]["payload"]
    assert snapshot["home_area"] == "almen" and snapshot["contact"]["display_name"] == "Sanne"


async def test_erasure_forgets_the_member_and_purges_their_events(api: ApiClient) -> None:
    member_id = (await api.ok("register_member", SANNE))["member_id"]
    other_id = (await api.ok("register_member", {**SANNE, "display_name": "Eva"}))["member_id"]
    await api.ok("set_consent", {"member_id": member_id, "purpose": "quotes", "granted": True})
    erased = await api.ok("erase_member", {"member_id": member_id})
    assert (await api.ok("erase_member", {"member_id": member_id})) == erased
    assert (await api.post("get_member", {"member_id": member_id})).status_code == 404

    async def purged() -> list[dict[str, Any]] | None:
        events = await registration_events(api)
        mine = [e for e in events if e["subject"].endswith(member_id)]
        return events if [e["type"] for e in mine] == ["registration.member_erased"] else None

    events = await eventually(purged)
    assert any(e["subject"].endswith(other_id) for e in events)
    assert "Sanne" not in json.dumps([e for e in events if e["subject"].endswith(member_id)])
