"""Help requests and offers over the HTTP API and NATS request/reply, on real NATS and
PostgreSQL: defaults, lists, withdrawal, renewal after expiry, retries and erasure."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import pytest

from dorp_registration.bootstrap import DEFINITION
from dorp_shared.settings import DorpSettings
from tests.integration.registration.test_members_api import SANNE, registration_events
from tests.support.api import ApiClient, service_api
from tests.support.services import eventually

pytestmark = pytest.mark.integration

PERIOD = timedelta(days=30)  # help_expiry_days of the test region (a copy of Lochem)
EVENING = {"day": "tue", "part": "evening"}


@pytest.fixture
async def api(settings: DorpSettings) -> AsyncIterator[ApiClient]:
    async with service_api(DEFINITION, settings) as client:
        yield client


@pytest.fixture
async def db(settings: DorpSettings) -> AsyncIterator[asyncpg.Connection]:
    conn = await asyncpg.connect(settings.database_url)
    try:
        yield conn
    finally:
        await conn.close()


async def new_member(api: ApiClient, **changes: Any) -> str:
    member_id: str = (await api.ok("register_member", {**SANNE, **changes}))["member_id"]
    return member_id


async def events_up_to(api: ApiClient, last_type: str) -> list[dict[str, Any]]:
    """The stream once its last event is of ``last_type`` (the relay keeps their order)."""

    async def probe() -> list[dict[str, Any]] | None:
        events = await registration_events(api)
        return events if events and events[-1]["type"] == last_type else None

    found: list[dict[str, Any]] = await eventually(probe)
    return found


def when(value: str) -> datetime:
    return datetime.fromisoformat(value)


def about(value: str, expected: datetime) -> bool:
    return abs(when(value) - expected) < timedelta(minutes=1)


async def test_request_and_offer_take_defaults_and_are_listed_newest_first(
    api: ApiClient,
) -> None:
    member_id = await new_member(api)
    request = await api.ok(
        "request_help",
        {"member_id": member_id, "kind": "babysitting", "age_band": "1-4", "text": "Vrijdag?"},
    )
    assert about(request["expires_at"], datetime.now(UTC) + PERIOD)
    offer = await api.ok(
        "offer_help",
        {
            "member_id": member_id,
            "kind": "walk_and_talk",
            "home_area": "almen",
            "languages": ["en"],
            "time_windows": [EVENING],
            "capacity": 2,
            "expires_in_days": 7,
        },
    )
    assert about(offer["expires_at"], datetime.now(UTC) + timedelta(days=7))

    stored = await api.ok("get_help", {"help_id": request["help_id"], "side": "request"})
    assert (stored["status"], stored["home_area"], stored["languages"]) == (
        "open",
        "laren",
        ["nl", "en"],
    )
    assert (stored["text"], stored["age_band"], stored["capacity"]) == ("Vrijdag?", "1-4", None)

    listed = await api.ok("list_help", {"member_id": member_id})
    assert [item["help_id"] for item in listed["items"]] == [offer["help_id"], request["help_id"]]
    assert listed["items"][0]["time_windows"] == [EVENING]
    only_offers = await api.ok("list_help", {"side": "offer", "kind": "walk_and_talk"})
    assert [item["help_id"] for item in only_offers["items"]] == [offer["help_id"]]
    assert (await api.ok("list_help", {"status": "withdrawn"}))["items"] == []

    events = await events_up_to(api, "registration.help_offered")
    requested = next(e for e in events if e["type"] == "registration.help_requested")
    assert requested["subject"].endswith(member_id)
    assert requested["payload"]["request_id"] == request["help_id"]
    assert requested["payload"]["expires_at"] is not None


async def test_bad_input_names_the_field_over_http_and_nats(api: ApiClient) -> None:
    member_id = await new_member(api)
    bad_kind = {"member_id": member_id, "kind": "cooking", "home_area": "atlantis"}
    response = await api.post("request_help", bad_kind)
    assert response.status_code == 422
    by_field = {error["field"]: error for error in response.json()["errors"]}
    assert "babysitting" in by_field["kind"]["allowed"]
    assert "laren" in by_field["home_area"]["allowed"]
    status, reply = await api.request("request_help", bad_kind)
    assert status == 422 and reply["errors"] == response.json()["errors"]

    stranger = {"member_id": "00000000-0000-4000-8000-000000000000", "kind": "babysitting"}
    status, reply = await api.request("offer_help", stranger)
    assert status == 422 and [e["field"] for e in reply["errors"]] == ["member_id"]

    bad_window = {"member_id": member_id, "kind": "babysitting", "time_windows": [{"day": "x"}]}
    errors = (await api.post("offer_help", bad_window)).json()["errors"]
    by_field = {error["field"]: error for error in errors}
    assert "mon" in by_field["time_windows.0.day"]["allowed"]
    missing = await api.post("get_help", {"help_id": member_id, "side": "offer"})
    assert missing.status_code == 404


async def test_a_retried_request_is_opened_once(api: ApiClient) -> None:
    member_id = await new_member(api)
    body = {"member_id": member_id, "kind": "coffee_date"}
    first = await api.ok("request_help", body, key="vraag-7")
    assert await api.ok("request_help", body, key="vraag-7") == first
    status, over_nats = await api.request("request_help", body, key="vraag-7")
    assert status == 200 and over_nats == first
    await new_member(api, display_name="Eva")  # a later event: everything before is published
    events = await events_up_to(api, "registration.member_registered")
    assert sum(e["type"] == "registration.help_requested" for e in events) == 1
    assert len((await api.ok("list_help", {"member_id": member_id}))["items"]) == 1


async def test_withdraw_once_and_renew_after_expiry(api: ApiClient, db: asyncpg.Connection) -> None:
    member_id = await new_member(api)
    body = {"member_id": member_id, "kind": "babysitting"}
    withdrawn_ref = {"help_id": (await api.ok("request_help", body))["help_id"], "side": "request"}
    withdrawn = await api.ok("withdraw_help", withdrawn_ref)
    assert withdrawn["status"] == "withdrawn" and withdrawn["withdrawn_at"] is not None
    assert await api.ok("withdraw_help", withdrawn_ref) == withdrawn
    refused = await api.post("renew_help", withdrawn_ref)
    assert refused.status_code == 409 and refused.json()["reason"] == "conflict"

    expired_ref = {"help_id": (await api.ok("offer_help", body))["help_id"], "side": "offer"}
    await db.execute(
        "UPDATE registration.help_offers SET expires_at = now() - interval '1 day'"
        " WHERE offer_id = $1",
        expired_ref["help_id"],
    )
    assert (await api.ok("get_help", expired_ref))["status"] == "expired"
    assert (await api.post("withdraw_help", expired_ref)).status_code == 409
    status, renewed = await api.request("renew_help", expired_ref)
    assert status == 200 and renewed["status"] == "open"
    assert about(renewed["expires_at"], datetime.now(UTC) + PERIOD)

    events = await events_up_to(api, "registration.help_renewed")
    withdrawals = [e for e in events if e["type"] == "registration.help_withdrawn"]
    assert [e["payload"]["help_id"] for e in withdrawals] == [withdrawn_ref["help_id"]]
    assert events[-1]["payload"]["expires_at"] is not None
    assert events[-1]["subject"].endswith(member_id)


async def test_erasure_clears_what_the_member_wrote_and_keeps_kind_and_area(
    api: ApiClient, db: asyncpg.Connection
) -> None:
    member_id = await new_member(api)
    other_id = await new_member(api, display_name="Eva")
    written = {"member_id": member_id, "kind": "babysitting", "text": "Mijn zoon is 3"}
    request_id = (await api.ok("request_help", {**written, "time_windows": [EVENING]}))["help_id"]
    await api.ok("offer_help", {**written, "kind": "language_help"})
    await api.ok("request_help", {"member_id": other_id, "kind": "babysitting"})

    exported = (await api.ok("export_member", {"member_id": member_id}))["records"]
    assert [row["text"] for row in exported["help_requests"]] == ["Mijn zoon is 3"]
    assert exported["help_requests"][0]["time_windows"] == [EVENING]
    assert [row["kind"] for row in exported["help_offers"]] == ["language_help"]

    await api.ok("erase_member", {"member_id": member_id})
    gone = await api.post("get_help", {"help_id": request_id, "side": "request"})
    assert gone.status_code == 404
    assert (await api.ok("list_help", {"member_id": member_id}))["items"] == []
    listed = (await api.ok("list_help", {}))["items"]
    assert [item["member_id"] for item in listed] == [other_id]
    assert "Mijn zoon" not in json.dumps(listed)
    kept = await db.fetch(
        "SELECT kind, home_area, text, time_windows::text, status"
        " FROM registration.help_requests WHERE member_id = $1"
        " UNION ALL SELECT kind, home_area, text, time_windows::text, status"
        " FROM registration.help_offers WHERE member_id = $1 ORDER BY kind",
        member_id,
    )
    assert [tuple(row) for row in kept] == [
        ("babysitting", "laren", "", "[]", "erased"),
        ("language_help", "laren", "", "[]", "erased"),
    ]
