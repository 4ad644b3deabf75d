"""Initiatives, sessions, sign-ups with a waiting list, and attendance over the HTTP API and
NATS request/reply, on real NATS and PostgreSQL."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from dorp_registration.bootstrap import DEFINITION
from dorp_shared.contracts.subjects import command_subject
from dorp_shared.service import ACTOR_HEADER, STATUS_HEADER
from dorp_shared.settings import DorpSettings
from tests.integration.registration.test_members_api import SANNE, registration_events
from tests.support.api import ApiClient, service_api
from tests.support.services import eventually

pytestmark = pytest.mark.integration

Events = list[dict[str, Any]]

CAFE: dict[str, Any] = {
    "name": "De Huiskamer",
    "kind": "parent_cafe",
    "home_area": "lochem",
    "themes": ["sleep", "play"],
    "age_bands": ["0-1", "1-4"],
    "languages": ["nl", "ar"],
    "description": "Parent-child café with the daycare partners.",
}


@pytest.fixture
async def api(settings: DorpSettings) -> AsyncIterator[ApiClient]:
    async with service_api(DEFINITION, settings) as client:
        yield client


def hours(n: float) -> str:
    return (datetime.now(UTC) + timedelta(hours=n)).isoformat()


async def members(api: ApiClient, count: int) -> list[str]:
    return [
        (await api.ok("register_member", {**SANNE, "display_name": f"Ouder {n}"}))["member_id"]
        for n in range(count)
    ]


async def initiative(api: ApiClient, **changes: Any) -> str:
    created = await api.ok("register_initiative", {**CAFE, **changes})
    initiative_id: str = created["initiative_id"]
    return initiative_id


async def session(api: ApiClient, initiative_id: str, **changes: Any) -> dict[str, Any]:
    body = {
        "initiative_id": initiative_id,
        "starts_at": hours(24),
        "ends_at": hours(26),
        "place": "Bibliotheek Lochem",
        "capacity": 2,
        **changes,
    }
    return await api.ok("schedule_session", body)


async def session_now_on(api: ApiClient, initiative_id: str, capacity: int) -> str:
    """A session that started an hour ago: open for sign-ups and for attendance."""
    started = await session(
        api, initiative_id, starts_at=hours(-1), ends_at=hours(1), capacity=capacity
    )
    session_id: str = started["session_id"]
    return session_id


async def events_when(api: ApiClient, ready: Callable[[Events], bool]) -> Events:
    """The area's events once ``ready`` holds; the relay publishes in order, so an event
    that is there means every event before it is there too."""

    async def probe() -> Events | None:
        events = await registration_events(api)
        return events if ready(events) else None

    found: Events = await eventually(probe)
    return found


def session_ids(listing: dict[str, Any]) -> list[str]:
    return [found["session_id"] for found in listing["sessions"]]


def counts(view: dict[str, Any]) -> tuple[int, int, int | None]:
    return view["confirmed"], view["waiting"], view["places_left"]


def of_type(events: Events, name: str) -> Events:
    return [event for event in events if event["type"] == f"registration.{name}"]


def errors_by_field(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {error["field"]: error for error in body["errors"]}


async def test_initiatives_are_registered_changed_listed_and_checked(api: ApiClient) -> None:
    daycare = await api.ok("register_organisation", {"name": "KDV Het Nest", "type": "daycare"})
    cafe = await initiative(api, organisation_ids=[daycare["organisation_id"]])
    await initiative(api, name="Get Together", kind="festival", home_area="laren")
    changed = await api.ok(
        "update_initiative", {"initiative_id": cafe, "description": "Every Tuesday morning."}
    )
    assert changed["description"] == "Every Tuesday morning."
    assert changed["themes"] == ["sleep", "play"]
    assert await api.ok("get_initiative", {"initiative_id": cafe}) == changed
    unchanged = await api.ok("update_initiative", {"initiative_id": cafe, "name": "De Huiskamer"})
    assert unchanged == changed

    cafes = await api.ok("list_initiatives", {"kind": "parent_cafe"})
    assert [i["initiative_id"] for i in cafes["initiatives"]] == [cafe]
    in_laren = await api.ok("list_initiatives", {"home_area": "laren"})
    assert [i["name"] for i in in_laren["initiatives"]] == ["Get Together"]
    everything = await api.ok("list_initiatives", {})
    assert [i["name"] for i in everything["initiatives"]] == ["De Huiskamer", "Get Together"]

    bad = {**CAFE, "kind": "rave", "home_area": "atlantis", "languages": ["nl", "xx"]}
    response = await api.post("register_initiative", bad)
    assert response.status_code == 422
    assert "parent_cafe" in errors_by_field(response.json())["kind"]["allowed"]
    region_bad = await api.post("register_initiative", {**bad, "kind": "festival"})
    by_field = errors_by_field(region_bad.json())
    assert (
        "lochem" in by_field["home_area"]["allowed"] and "nl" in by_field["languages.1"]["allowed"]
    )
    nobody = "00000000-0000-4000-8000-00000000000a"
    unknown_organisation = await api.post(
        "update_initiative", {"initiative_id": cafe, "organisation_ids": [cafe, nobody]}
    )
    assert list(errors_by_field(unknown_organisation.json())) == [
        "organisation_ids.0",
        "organisation_ids.1",
    ]
    assert (await api.post("get_initiative", {"initiative_id": nobody})).status_code == 404

    events = await events_when(api, lambda found: len(of_type(found, "initiative_registered")) >= 3)
    registered = [e["payload"] for e in of_type(events, "initiative_registered")]
    assert len(registered) == 3  # the unchanged update published nothing
    assert registered[-1]["initiative_id"] == cafe
    assert registered[-1]["description"] == "Every Tuesday morning."
    assert registered[-1]["organisation_ids"] == [daycare["organisation_id"]]


async def test_sessions_are_scheduled_listed_and_cancelled_with_their_sign_ups(
    api: ApiClient,
) -> None:
    roaming = await initiative(api, home_area=None)
    no_area = await api.post(
        "schedule_session",
        {"initiative_id": roaming, "starts_at": hours(1), "ends_at": hours(2), "place": "Hal"},
    )
    assert (
        no_area.status_code == 422
        and "almen" in errors_by_field(no_area.json())["home_area"]["allowed"]
    )
    backwards = await api.post(
        "schedule_session",
        {
            "initiative_id": roaming,
            "starts_at": hours(2),
            "ends_at": hours(1),
            "place": "Hal",
            "home_area": "laren",
        },
    )
    assert list(errors_by_field(backwards.json())) == ["ends_at"]

    cafe = await initiative(api)
    later = await session(api, cafe, starts_at=hours(48), ends_at=hours(50), theme="Sleep")
    sooner = await session(api, cafe, home_area="almen", capacity=None, languages=["tr"])
    past = await session(api, roaming, home_area="laren", starts_at=hours(-5), ends_at=hours(-3))
    assert (later["home_area"], later["languages"]) == ("lochem", ["nl", "ar"])
    assert counts(later) == (0, 0, 2)
    assert (sooner["capacity"], sooner["places_left"], sooner["languages"]) == (None, None, ["tr"])

    upcoming = await api.ok("list_sessions", {})
    assert session_ids(upcoming) == [sooner["session_id"], later["session_id"]]
    themed = await api.ok("list_sessions", {"theme": "sleep", "initiative_id": cafe})
    assert session_ids(themed) == [later["session_id"]]
    in_almen = await api.ok("list_sessions", {"home_area": "almen", "starts_before": hours(30)})
    assert session_ids(in_almen) == [sooner["session_id"]]
    everything = await api.ok("list_sessions", {"starts_from": hours(-10)})
    assert len(everything["sessions"]) == 3

    [parent] = await members(api, 1)
    signed = {"session_id": later["session_id"], "member_id": parent}
    assert (await api.ok("sign_up", signed))["status"] == "confirmed"
    cancel = {"session_id": later["session_id"], "reason": "the room is flooded"}
    cancelled = await api.ok("cancel_session", cancel)
    assert cancelled["cancelled"] and counts(cancelled) == (0, 0, None)
    assert await api.ok("cancel_session", cancel) == cancelled
    assert (await api.ok("get_sign_up", signed))["status"] == "cancelled"
    assert (await api.ok("get_session", {"session_id": later["session_id"]}))["cancelled"]
    shown = await api.ok("list_sessions", {})
    assert session_ids(shown) == [sooner["session_id"]]
    with_cancelled = await api.ok("list_sessions", {"include_cancelled": True})
    assert len(with_cancelled["sessions"]) == 2

    again = await api.post("sign_up", signed)
    assert again.status_code == 409 and "cancelled" in again.json()["detail"]
    too_late = await api.post("sign_up", {"session_id": past["session_id"], "member_id": parent})
    assert too_late.status_code == 409 and too_late.json()["detail"] == "the session is over"
    open_event = await api.post(
        "sign_up", {"session_id": sooner["session_id"], "member_id": parent}
    )
    assert open_event.status_code == 422
    assert (
        errors_by_field(open_event.json())["session_id"]["message"]
        == "open event: no sign-up needed"
    )

    events = await events_when(api, lambda found: bool(of_type(found, "session_cancelled")))
    assert len(of_type(events, "session_scheduled")) == 3
    assert [e["payload"]["reason"] for e in of_type(events, "session_cancelled")] == [
        "the room is flooded"
    ]


async def test_a_full_session_has_a_waiting_list_and_a_free_place_goes_to_the_first_in_line(
    api: ApiClient,
) -> None:
    first, second, third = await members(api, 3)
    cafe = await initiative(api)
    one_place = (await session(api, cafe, capacity=1))["session_id"]

    def ref(member_id: str) -> dict[str, str]:
        return {"session_id": one_place, "member_id": member_id}

    assert (await api.ok("sign_up", ref(first)))["status"] == "confirmed"
    waiting = await api.ok("sign_up", ref(second))
    assert (waiting["status"], waiting["waitlist_position"]) == ("waitlisted", 1)
    status, over_nats = await api.request("sign_up", ref(third))
    assert status == 200 and over_nats["waitlist_position"] == 2
    assert (await api.ok("sign_up", ref(second))) == waiting  # twice: the same sign-up
    full = await api.ok("get_session", {"session_id": one_place})
    assert counts(full) == (1, 2, 0)

    assert (await api.ok("cancel_sign_up", ref(first)))["status"] == "cancelled"
    assert (await api.ok("get_sign_up", ref(second)))["status"] == "confirmed"
    assert (await api.ok("get_sign_up", ref(third)))["waitlist_position"] == 1
    assert (await api.ok("cancel_sign_up", ref(first)))["status"] == "cancelled"
    back = await api.ok("sign_up", ref(first))  # signing up again: last in line
    assert (back["status"], back["waitlist_position"]) == ("waitlisted", 2)
    stranger = (await members(api, 1))[0]
    assert (await api.post("cancel_sign_up", ref(stranger))).status_code == 404

    events = await events_when(api, lambda found: len(of_type(found, "signed_up")) >= 4)
    signed_up = [
        (e["payload"]["member_id"], e["payload"]["status"]) for e in of_type(events, "signed_up")
    ]
    assert signed_up == [
        (first, "confirmed"),
        (second, "waitlisted"),
        (third, "waitlisted"),
        (first, "waitlisted"),
    ]
    assert [e["subject"].rsplit(".", 1)[1] for e in of_type(events, "sign_up_cancelled")] == [first]
    [promoted] = of_type(events, "waitlist_promoted")
    assert promoted["subject"].endswith(second) and promoted["payload"]["session_id"] == one_place


async def test_concurrent_sign_ups_never_confirm_more_than_the_capacity(api: ApiClient) -> None:
    parents = await members(api, 12)
    three_places = (await session(api, await initiative(api), capacity=3))["session_id"]
    results = await asyncio.gather(
        *(api.ok("sign_up", {"session_id": three_places, "member_id": p}) for p in parents)
    )
    assert sum(result["status"] == "confirmed" for result in results) == 3
    positions = sorted(r["waitlist_position"] for r in results if r["status"] == "waitlisted")
    assert positions == list(range(1, 10))
    stored = await api.ok("get_session", {"session_id": three_places})
    assert counts(stored) == (3, 9, 0)


async def test_attendance_names_confirmed_members_and_a_new_record_replaces_the_old(
    api: ApiClient,
) -> None:
    came, also_came, not_signed_up = await members(api, 3)
    cafe = await initiative(api)
    now_on = await session_now_on(api, cafe, capacity=5)
    for member_id in (came, also_came):
        await api.ok("sign_up", {"session_id": now_on, "member_id": member_id})

    stranger = await api.post(
        "record_attendance",
        {"session_id": now_on, "headcount": 8, "member_ids": [came, not_signed_up]},
    )
    assert stranger.status_code == 422 and list(errors_by_field(stranger.json())) == [
        "member_ids.1"
    ]
    too_few = await api.post(
        "record_attendance", {"session_id": now_on, "headcount": 1, "member_ids": [came, also_came]}
    )
    assert list(errors_by_field(too_few.json())) == ["headcount"]
    first = await api.ok(
        "record_attendance", {"session_id": now_on, "headcount": 12, "member_ids": [came]}
    )
    assert first["recorded_by"] == "api"

    subject = command_subject(api.region, "registration", "record_attendance")
    body = {"session_id": now_on, "headcount": 14, "member_ids": [came, also_came]}
    reply = await api.nc.request(
        subject, json.dumps(body).encode(), timeout=10, headers={ACTOR_HEADER: "staff"}
    )
    assert (reply.headers or {}).get(STATUS_HEADER) == "200"
    stored = (await api.ok("get_session", {"session_id": now_on}))["attendance"]
    assert (stored["headcount"], stored["member_ids"], stored["recorded_by"]) == (
        14,
        [came, also_came],
        "staff",
    )

    future = (await session(api, cafe))["session_id"]
    early = await api.post("record_attendance", {"session_id": future, "headcount": 3})
    assert early.status_code == 409

    events = await events_when(api, lambda found: len(of_type(found, "attendance_recorded")) >= 2)
    recorded = [e["payload"] for e in of_type(events, "attendance_recorded")]
    assert [(r["headcount"], r["recorded_by"]) for r in recorded] == [(12, "api"), (14, "staff")]
    assert recorded[0]["initiative_id"] == cafe


async def test_erasure_gives_the_place_to_the_waiting_list_and_keeps_only_the_headcount(
    api: ApiClient,
) -> None:
    leaving, waiting = await members(api, 2)
    cafe = await initiative(api)
    now_on = await session_now_on(api, cafe, capacity=1)
    for member_id in (leaving, waiting):
        await api.ok("sign_up", {"session_id": now_on, "member_id": member_id})
    await api.ok(
        "record_attendance", {"session_id": now_on, "headcount": 3, "member_ids": [leaving]}
    )
    exported = (await api.ok("export_member", {"member_id": leaving}))["records"]
    assert [s["session_id"] for s in exported["sign_ups"]] == [now_on]
    assert [a["session_id"] for a in exported["attendance"]] == [now_on]

    await api.ok("erase_member", {"member_id": leaving})
    assert (await api.post("export_member", {"member_id": leaving})).status_code == 404
    gone = await api.post("get_sign_up", {"session_id": now_on, "member_id": leaving})
    assert gone.status_code == 404
    assert (await api.ok("get_sign_up", {"session_id": now_on, "member_id": waiting}))[
        "status"
    ] == "confirmed"
    after = await api.ok("get_session", {"session_id": now_on})
    assert counts(after) == (1, 0, 0)
    assert (after["attendance"]["headcount"], after["attendance"]["member_ids"]) == (3, [])

    events = await events_when(api, lambda found: bool(of_type(found, "waitlist_promoted")))
    [promoted] = of_type(events, "waitlist_promoted")
    assert promoted["payload"]["member_id"] == waiting
