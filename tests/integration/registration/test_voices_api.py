"""Quotes and the four-buffer self-check over the API, on real NATS and PostgreSQL."""

from __future__ import annotations

import json
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

CALM = {"solidarity": 4, "division_of_tasks": 3, "meta_position": 2, "positive_experiences": 5}


@pytest.fixture
async def api(settings: DorpSettings) -> AsyncIterator[ApiClient]:
    async with service_api(DEFINITION, settings) as client:
        yield client


async def register(api: ApiClient, **changes: Any) -> str:
    """A new member like Sanne, with ``changes``; their id."""
    member_id: str = (await api.ok("register_member", {**SANNE, **changes}))["member_id"]
    return member_id


async def events_of(api: ApiClient, kind: str, count: int) -> list[dict[str, Any]]:
    """The registration events of one type, once there are at least ``count`` of them."""

    async def probe() -> list[dict[str, Any]] | None:
        found = [e for e in await registration_events(api) if e["type"] == f"registration.{kind}"]
        return found if len(found) >= count else None

    found: list[dict[str, Any]] = await eventually(probe)
    return found


def field_errors(response_body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {error["field"]: error for error in response_body["errors"]}


async def test_quotes_are_published_only_with_consent_and_never_with_a_name(
    api: ApiClient,
) -> None:
    sanne = await register(api)
    quote = {
        "member_id": sanne,
        "text": "Hier leerde ik de buren kennen.",
        "publish_anonymously": True,
    }
    refused = await api.post("record_quote", quote)
    assert refused.status_code == 422
    assert "consent" in field_errors(refused.json())["publish_anonymously"]["message"]
    status, reply = await api.request("record_quote", quote)
    assert status == 422 and reply["errors"] == refused.json()["errors"]
    await api.ok("record_quote", {**quote, "publish_anonymously": False})
    assert (await api.ok("list_quotes", {}))["quotes"] == []

    await api.ok("set_consent", {"member_id": sanne, "purpose": "quotes", "granted": True})
    first = await api.ok("record_quote", quote)
    cafe = {"name": "Koffie en Koters", "kind": "parent_cafe", "home_area": "laren"}
    initiative = (await api.ok("register_initiative", cafe))["initiative_id"]
    unknown = await api.post("record_quote", {**quote, "initiative_id": str(uuid.uuid4())})
    assert "initiative_id" in field_errors(unknown.json())
    second = await api.ok(
        "record_quote",
        {
            **quote,
            "text": "Finally someone to talk to.",
            "language": "en",
            "initiative_id": initiative,
        },
    )
    listed = (await api.ok("list_quotes", {}))["quotes"]
    assert [q["quote_id"] for q in listed] == [second["quote_id"], first["quote_id"]]
    assert (listed[0]["language"], listed[1]["language"]) == ("en", "nl")
    assert listed[0]["home_area"] == "laren" and listed[0]["initiative_id"] == initiative
    assert sanne not in json.dumps(listed) and "Sanne" not in json.dumps(listed)
    by_initiative = await api.ok("list_quotes", {"initiative_id": initiative})
    assert [q["quote_id"] for q in by_initiative["quotes"]] == [second["quote_id"]]
    assert (await api.ok("list_quotes", {"home_area": "almen"}))["quotes"] == []

    await api.ok("set_consent", {"member_id": sanne, "purpose": "quotes", "granted": False})
    assert (await api.ok("list_quotes", {}))["quotes"] == []
    await api.ok("set_consent", {"member_id": sanne, "purpose": "quotes", "granted": True})
    assert len((await api.ok("list_quotes", {}))["quotes"]) == 2

    events = await events_of(api, "quote_recorded", 3)
    assert all(e["subject"].endswith(sanne) for e in events)
    assert events[1]["payload"]["publish_anonymously"] is True


async def test_a_quote_is_withdrawn_by_its_author_only(api: ApiClient) -> None:
    sanne = await register(api, consents={"quotes": True})
    eva = await register(api, display_name="Eva")
    quote = {"member_id": sanne, "text": "Samen sterk.", "publish_anonymously": True}
    quote_id = (await api.ok("record_quote", quote))["quote_id"]
    by_eva = await api.post("withdraw_quote", {"member_id": eva, "quote_id": quote_id})
    assert by_eva.status_code == 404
    await api.ok("withdraw_quote", {"member_id": sanne, "quote_id": quote_id})
    assert (await api.ok("list_quotes", {}))["quotes"] == []
    assert (await api.ok("export_member", {"member_id": sanne}))["records"]["quotes"] == []
    again = await api.post("withdraw_quote", {"member_id": sanne, "quote_id": quote_id})
    assert again.status_code == 404
    withdrawn = (await events_of(api, "quote_recorded", 2))[-1]["payload"]
    assert withdrawn["quote_id"] == quote_id and withdrawn["withdrawn"] is True
    assert withdrawn["text"] == "" and withdrawn["publish_anonymously"] is False
    unknown_language = await api.post("record_quote", {**quote, "language": "xx"})
    assert "nl" in field_errors(unknown_language.json())["language"]["allowed"]


async def test_self_checks_are_shown_only_in_groups_large_enough(api: ApiClient) -> None:
    laren = [await register(api) for _ in range(6)]
    almen = [await register(api, home_area="almen") for _ in range(5)]
    for member_id in laren + almen:
        await api.ok("record_self_check", {"member_id": member_id, "scores": CALM})
    # a member's later self-check replaces the earlier one in the summary
    await api.ok("record_self_check", {"member_id": laren[0], "scores": {**CALM, "solidarity": 1}})
    summary = await api.ok("self_check_summary", {})
    assert summary["threshold"] == 5
    assert summary["overall"]["respondents"] == 11
    by_area = {figures["home_area"]: figures for figures in summary["by_area"]}
    assert by_area["laren"]["respondents"] == 6
    assert by_area["laren"]["means"]["solidarity"] == round((5 * 4 + 1) / 6, 2)
    assert by_area["almen"]["means"] == {
        "division_of_tasks": 3.0,
        "meta_position": 2.0,
        "positive_experiences": 5.0,
        "solidarity": 4.0,
    }

    # one member in Epse alone would be overall minus Laren minus Almen: Almen hides too
    await api.ok(
        "record_self_check", {"member_id": await register(api, home_area="epse"), "scores": CALM}
    )
    summary = await api.ok("self_check_summary", {})
    by_area = {figures["home_area"]: figures for figures in summary["by_area"]}
    assert summary["overall"]["respondents"] == 12
    assert by_area["epse"] == {
        "home_area": "epse",
        "respondents": None,
        "suppressed": True,
        "means": dict.fromkeys(CALM),
    }
    assert by_area["almen"]["suppressed"] and not by_area["laren"]["suppressed"]

    out_of_scale = await api.post(
        "record_self_check", {"member_id": laren[1], "scores": {**CALM, "meta_position": 6}}
    )
    assert "scores.meta_position" in field_errors(out_of_scale.json())
    events = await events_of(api, "self_check_recorded", 13)
    assert events[0]["subject"].endswith(laren[0])
    assert set(events[0]["payload"]["scores"]) == set(CALM)


async def test_erasure_removes_quotes_and_self_checks(api: ApiClient) -> None:
    sanne = await register(api, consents={"quotes": True})
    others = [await register(api, consents={"quotes": True}) for _ in range(5)]
    # each quote carries its author's id, so anything left of Sanne's would show in the list
    for member_id in [sanne, *others]:
        await api.ok("record_self_check", {"member_id": member_id, "scores": CALM})
        await api.ok(
            "record_quote",
            {"member_id": member_id, "text": f"Ik ben {member_id}", "publish_anonymously": True},
        )
    exported = await api.ok("export_member", {"member_id": sanne})
    assert len(exported["records"]["quotes"]) == 1
    assert exported["records"]["self_checks"][0]["scores"] == CALM

    await api.ok("erase_member", {"member_id": sanne})
    assert (await api.post("export_member", {"member_id": sanne})).status_code == 404
    quotes = (await api.ok("list_quotes", {}))["quotes"]
    assert len(quotes) == 5 and sanne not in json.dumps(quotes)
    assert (await api.ok("self_check_summary", {}))["overall"]["respondents"] == 5
    late = await api.post("record_quote", {"member_id": sanne, "text": "Nog iets"})
    assert "member_id" in field_errors(late.json())
