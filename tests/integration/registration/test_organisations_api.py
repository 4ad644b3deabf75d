"""Organisations over the HTTP API and NATS request/reply, on real NATS and PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest

from dorp_registration.bootstrap import DEFINITION
from dorp_shared.settings import DorpSettings
from tests.integration.registration.test_members_api import SANNE, registration_events
from tests.support.api import ApiClient, service_api
from tests.support.services import eventually

pytestmark = pytest.mark.integration

SCHOOL: dict[str, Any] = {
    "name": "Basisschool De Linde",
    "type": "school",
    "home_area": "laren",
    "is_partner": True,
    "partner_id": "bs-de-linde",
}
LIBRARY: dict[str, Any] = {"name": "Bibliotheek", "type": "library"}


@pytest.fixture
async def api(settings: DorpSettings) -> AsyncIterator[ApiClient]:
    async with service_api(DEFINITION, settings) as client:
        yield client


async def test_register_update_and_find_with_the_latest_event_as_state(api: ApiClient) -> None:
    school_id = (await api.ok("register_organisation", SCHOOL))["organisation_id"]
    library_id = (await api.ok("register_organisation", LIBRARY))["organisation_id"]
    school = await api.ok("get_organisation", {"organisation_id": school_id})
    assert (school["name"], school["home_area"], school["partner_id"]) == (
        "Basisschool De Linde",
        "laren",
        "bs-de-linde",
    )

    change = {"organisation_id": school_id, "home_area": "almen", "is_partner": False}
    changed = await api.ok("update_organisation", change)
    assert (changed["home_area"], changed["is_partner"], changed["type"]) == (
        "almen",
        False,
        "school",
    )
    assert await api.ok("update_organisation", change) == changed  # nothing new: no event

    everyone = await api.ok("list_organisations", {})
    assert [o["organisation_id"] for o in everyone["organisations"]] == [school_id, library_id]
    status, libraries = await api.request("list_organisations", {"type": "library"})
    assert status == 200
    assert [o["organisation_id"] for o in libraries["organisations"]] == [library_id]
    in_almen = await api.ok("list_organisations", {"home_area": "almen", "is_partner": False})
    assert [o["organisation_id"] for o in in_almen["organisations"]] == [school_id]

    async def school_events() -> list[dict[str, Any]] | None:
        events = [
            e["payload"]
            for e in await registration_events(api)
            if e["type"] == "registration.organisation_registered"
        ]
        return events if len(events) == 3 else None

    events = await eventually(school_events)
    mine = [e for e in events if e["organisation_id"] == school_id]
    assert [(e["home_area"], e["is_partner"]) for e in mine] == [("laren", True), ("almen", False)]
    assert mine[-1]["organisation_name"] == "Basisschool De Linde"


async def test_bad_input_names_the_field_and_a_partner_id_is_used_once(api: ApiClient) -> None:
    bad = {**SCHOOL, "type": "pub", "home_area": "atlantis", "partner_id": "Not Valid"}
    response = await api.post("register_organisation", bad)
    assert response.status_code == 422
    fields = {error["field"]: error for error in response.json()["errors"]}
    assert "daycare" in fields["type"]["allowed"] and set(fields) == {"type", "partner_id"}
    status, reply = await api.request("register_organisation", {**SCHOOL, "home_area": "x"})
    assert status == 422 and "laren" in reply["errors"][0]["allowed"]

    await api.ok("register_organisation", SCHOOL)
    taken = await api.post("register_organisation", {**LIBRARY, "partner_id": "bs-de-linde"})
    assert taken.status_code == 409 and taken.json()["reason"] == "conflict"
    unknown = {"organisation_id": str(uuid.uuid4()), "name": "X"}
    assert (await api.post("update_organisation", unknown)).status_code == 404
    missing = await api.post("get_organisation", {"organisation_id": str(uuid.uuid4())})
    assert missing.status_code == 404


async def test_a_professional_belongs_to_a_registered_organisation(api: ApiClient) -> None:
    school_id = (await api.ok("register_organisation", SCHOOL))["organisation_id"]
    professional = {**SANNE, "role": "professional", "organisation_id": school_id}
    member_id = (await api.ok("register_member", professional))["member_id"]
    member = await api.ok("get_member", {"member_id": member_id})
    assert member["organisation_id"] == school_id
    stranger = {**professional, "organisation_id": str(uuid.uuid4())}
    errors = (await api.post("register_member", stranger)).json()["errors"]
    assert [error["field"] for error in errors] == ["organisation_id"]
