"""Learning communities and resident surveys (seeds 001, 002) over the API, on real NATS and
PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest

from dorp_registration.bootstrap import DEFINITION
from dorp_shared.settings import DorpSettings
from tests.integration.registration.test_voices_api import events_of, field_errors, register
from tests.support.api import ApiClient, service_api

pytestmark = pytest.mark.integration

THEME = "Versterken van netwerken van ouders met jonge kinderen"


@pytest.fixture
async def api(settings: DorpSettings) -> AsyncIterator[ApiClient]:
    async with service_api(DEFINITION, settings) as client:
        yield client


def community(phase: str, *leads: str, **changes: Any) -> dict[str, Any]:
    return {
        "home_area": "laren",
        "core_theme": THEME,
        "phase": phase,
        "lead_member_ids": leads,
        **changes,
    }


async def test_a_community_moves_one_phase_forward_at_a_time(api: ApiClient) -> None:
    parent = await register(api)
    professional = await register(api, role="professional")
    first = await api.ok("update_learning_community", community("define", parent, professional))
    assert (first["phase"], first["next_phase"]) == ("define", "discover")
    skipped = await api.post("update_learning_community", community("dream", parent))
    assert skipped.status_code == 422
    assert field_errors(skipped.json())["phase"]["allowed"] == ["define", "discover"]
    await api.ok("update_learning_community", community("discover", parent, professional))
    await api.ok("update_learning_community", community("discover", parent, professional))
    back = await api.ok("update_learning_community", community("define", parent))
    assert back["lead_member_ids"] == [parent]

    unknown_lead = await api.post(
        "update_learning_community", community("define", parent, str(uuid.uuid4()))
    )
    assert "lead_member_ids.1" in field_errors(unknown_lead.json())
    nowhere = await api.post("update_learning_community", community("define", home_area="x"))
    assert "almen" in field_errors(nowhere.json())["home_area"]["allowed"]
    # a community new to Dorp may already be further along
    await api.ok("update_learning_community", community("dream", home_area="almen"))

    status, laren = await api.request("get_learning_community", {"home_area": "laren"})
    assert status == 200 and laren["phase"] == "define" and laren["core_theme"] == THEME
    missing = await api.post("get_learning_community", {"home_area": "epse"})
    assert missing.status_code == 404
    listed = (await api.ok("list_learning_communities", {}))["communities"]
    assert [(c["home_area"], c["phase"]) for c in listed] == [
        ("almen", "dream"),
        ("laren", "define"),
    ]
    events = await events_of(api, "learning_community_updated", 4)
    assert [e["payload"]["phase"] for e in events] == ["define", "discover", "define", "dream"]


async def test_survey_answers_are_anonymous_and_shown_only_for_groups_large_enough(
    api: ApiClient,
) -> None:
    start = {"survey_id": "start-2026", "home_area": "laren", "respondent_role": "parent"}
    for score in (1, 2, 3, 4, 5):
        await api.ok("record_survey_response", {**start, "answers": {"verbinding": score}})
    for score in (4, 4, 5, 5, 5):
        answers = {"verbinding": score, "activiteiten": 2} if score == 5 else {"verbinding": score}
        await api.ok("record_survey_response", {**start, "home_area": "almen", "answers": answers})
    status, _ = await api.request(
        "record_survey_response",
        {"survey_id": "ouderavond", "home_area": "epse", "answers": {"slaap": 3}},
    )
    assert status == 200

    summaries = (await api.ok("survey_summary", {}))["surveys"]
    assert [s["survey_id"] for s in summaries] == ["ouderavond", "start-2026"]
    evening, survey = summaries
    assert evening["overall"]["suppressed"] and evening["overall"]["means"] == {"slaap": None}
    assert survey["overall"]["respondents"] == 10
    assert survey["overall"]["means"] == {"activiteiten": None, "verbinding": 3.8}
    by_area = {figures["home_area"]: figures for figures in survey["by_area"]}
    assert by_area["laren"]["means"]["verbinding"] == 3.0
    assert by_area["almen"]["means"] == {"activiteiten": None, "verbinding": 4.6}
    only = await api.ok("survey_summary", {"survey_id": "ouderavond"})
    assert [s["survey_id"] for s in only["surveys"]] == ["ouderavond"]

    events = await events_of(api, "survey_response_recorded", 11)
    assert all("member_id" not in e["payload"] for e in events)
    bad = await api.post(
        "record_survey_response",
        {**start, "respondent_role": "king", "answers": {"verbinding": 6}, "member_id": "x"},
    )
    errors = field_errors(bad.json())
    assert {"answers.verbinding", "respondent_role", "member_id"} <= set(errors)
    assert "parent" in errors["respondent_role"]["allowed"]
    empty = await api.post("record_survey_response", {**start, "answers": {}})
    assert "answers" in field_errors(empty.json())
    too_many = await api.post(
        "record_survey_response", {**start, "answers": {f"q{n}": 3 for n in range(51)}}
    )
    assert "answers" in field_errors(too_many.json())


async def test_erased_leads_leave_their_community(api: ApiClient) -> None:
    parent, researcher = await register(api), await register(api, role="professional")
    await api.ok("update_learning_community", community("design", parent, researcher))
    exported = await api.ok("export_member", {"member_id": parent})
    assert exported["records"]["learning_communities_led"] == [
        {"home_area": "laren", "core_theme": THEME, "phase": "design"}
    ]
    await api.ok("erase_member", {"member_id": parent})
    laren = await api.ok("get_learning_community", {"home_area": "laren"})
    assert laren["lead_member_ids"] == [researcher]
    assert (await api.post("export_member", {"member_id": parent})).status_code == 404
