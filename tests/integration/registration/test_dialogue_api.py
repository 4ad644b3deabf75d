"""Parent groups and dialogue tables (seed 004) over the API, on real NATS and PostgreSQL."""

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

TODAY = "2026-03-14"
TALLY = {"votes_for": 2, "votes_against": 0, "votes_abstain": 1}


@pytest.fixture
async def api(settings: DorpSettings) -> AsyncIterator[ApiClient]:
    async with service_api(DEFINITION, settings) as client:
        yield client


async def group(api: ApiClient, name: str, *member_ids: str, **changes: Any) -> str:
    """A parent group with these members; its id."""
    body = {"name": name, "home_area": "laren", "languages": ["nl", "ar"], **changes}
    group_id: str = (await api.ok("form_parent_group", body))["group_id"]
    for member_id in member_ids:
        await api.ok("join_parent_group", {"group_id": group_id, "member_id": member_id})
    return group_id


async def table(api: ApiClient, *group_ids: str) -> str:
    body = {"topic": "Veilig buiten spelen", "group_ids": group_ids, "home_area": "laren"}
    table_id: str = (await api.ok("open_dialogue_table", {**body, "held_on": TODAY}))["table_id"]
    return table_id


async def proposal(api: ApiClient, table_id: str, **changes: Any) -> str:
    body = {"table_id": table_id, "text": "Een speelstraat op woensdag", **changes}
    proposal_id: str = (await api.ok("make_proposal", body))["proposal_id"]
    return proposal_id


async def vote(api: ApiClient, proposal_id: str, member_id: str, choice: str) -> Any:
    return await api.post(
        "cast_vote", {"proposal_id": proposal_id, "member_id": member_id, "choice": choice}
    )


async def test_from_concern_to_a_decision_that_keeps_the_minority_view(api: ApiClient) -> None:
    amal, bart, chen, dana = [await register(api) for _ in range(4)]
    moeders = await group(api, "Moedergroep Laren", amal, bart)
    vaders = await group(api, "Vadergroep", chen, home_area="almen")
    await api.ok("join_parent_group", {"group_id": moeders, "member_id": amal})  # again
    bad_group = await api.post("form_parent_group", {"name": "X", "home_area": "atlantis"})
    assert "laren" in field_errors(bad_group.json())["home_area"]["allowed"]
    unknown = str(uuid.uuid4())
    bad_table = await api.post(
        "open_dialogue_table",
        {"topic": "t", "group_ids": [moeders, unknown], "home_area": "laren", "held_on": TODAY},
    )
    assert "group_ids.1" in field_errors(bad_table.json())
    table_id = await table(api, moeders, vaders)

    outsider = await api.post(
        "name_concern", {"table_id": table_id, "group_id": unknown, "text": "Te druk verkeer"}
    )
    assert field_errors(outsider.json())["group_id"]["allowed"] == [moeders, vaders]
    concern = await api.ok(
        "name_concern", {"table_id": table_id, "group_id": moeders, "text": "Te druk verkeer"}
    )
    stray = await api.post(
        "make_proposal", {"table_id": table_id, "concern_id": unknown, "text": "Drempels"}
    )
    assert "concern_id" in field_errors(stray.json())
    proposal_id = await proposal(api, table_id, concern_id=concern["concern_id"])

    assert (await vote(api, proposal_id, amal, "for")).status_code == 200
    assert (await vote(api, proposal_id, bart, "against")).status_code == 200
    assert (await vote(api, proposal_id, bart, "for")).status_code == 200  # changed her mind
    ballot = {"proposal_id": proposal_id, "member_id": chen, "choice": "abstain"}
    status, reply = await api.request("cast_vote", ballot)
    assert status == 200 and reply["choice"] == "abstain"
    not_seated = await vote(api, proposal_id, dana, "for")
    assert "member_id" in field_errors(not_seated.json())
    bad_choice = await vote(api, proposal_id, amal, "maybe")
    assert field_errors(bad_choice.json())["choice"]["allowed"] == ["for", "against", "abstain"]

    decide = {"proposal_id": proposal_id, "majority_view": "We vragen een speelstraat aan."}
    silent = await api.post("record_decision", decide)
    assert silent.status_code == 422 and "minority_view" in field_errors(silent.json())
    minority = "Chen wil eerst weten wat de buurt ervan vindt."
    decision = await api.ok("record_decision", {**decide, "minority_view": minority})
    assert decision["adopted"] is True
    assert {key: decision[key] for key in TALLY} == TALLY
    assert (await vote(api, proposal_id, amal, "against")).status_code == 409
    assert (await api.post("record_decision", {**decide, "minority_view": "x"})).status_code == 409

    view = await api.ok("get_dialogue_table", {"table_id": table_id})
    assert [(g["name"], g["members"]) for g in view["groups"]] == [
        ("Moedergroep Laren", 2),
        ("Vadergroep", 1),
    ]
    assert view["concerns"][0]["group_id"] == moeders
    shown = view["proposals"][0]
    assert shown["tally"] == TALLY
    assert shown["decision"]["minority_view"] == minority
    assert shown["decision"]["taken_up_by"] == []

    assert len(await events_of(api, "parent_group_joined", 3)) == 3
    votes = await events_of(api, "vote_cast", 4)
    assert [e["payload"]["choice"] for e in votes] == ["for", "against", "for", "abstain"]
    recorded = (await events_of(api, "decision_recorded", 1))[0]["payload"]
    assert recorded["minority_view"] == minority and recorded["votes_for"] == 2


async def test_organisations_take_up_decisions(api: ApiClient) -> None:
    huis = await api.ok(
        "register_organisation",
        {"name": "Huis van het Kind Laren", "type": "huis_van_het_kind", "home_area": "laren"},
    )
    huis_id = huis["organisation_id"]
    amal = await register(api)
    table_id = await table(api, await group(api, "Oudergroep", amal, organisation_id=huis_id))
    unknown = str(uuid.uuid4())
    misaddressed = await api.post(
        "make_proposal", {"table_id": table_id, "text": "t", "addressed_to": [huis_id, unknown]}
    )
    assert "addressed_to.1" in field_errors(misaddressed.json())
    proposal_id = await proposal(api, table_id, addressed_to=[huis_id])
    await vote(api, proposal_id, amal, "for")
    decided = await api.ok(
        "record_decision", {"proposal_id": proposal_id, "majority_view": "Doen we."}
    )
    take_up = {"decision_id": decided["decision_id"], "organisation_id": huis_id}
    await api.ok("take_up_decision", {**take_up, "note": "Start in mei"})
    await api.ok("take_up_decision", {**take_up, "note": "Start in juni"})  # once
    stranger = await api.post("take_up_decision", {**take_up, "organisation_id": unknown})
    assert "organisation_id" in field_errors(stranger.json())

    view = await api.ok("get_dialogue_table", {"table_id": table_id})
    assert view["groups"][0]["organisation_id"] == huis_id
    assert view["proposals"][0]["addressed_to"] == [huis_id]
    uptakes = view["proposals"][0]["decision"]["taken_up_by"]
    assert [(u["organisation_id"], u["note"]) for u in uptakes] == [(huis_id, "Start in mei")]
    assert len(await events_of(api, "decision_taken_up", 1)) == 1


async def test_erasure_removes_memberships_and_votes_but_not_decided_counts(
    api: ApiClient,
) -> None:
    amal, bart = await register(api), await register(api)
    table_id = await table(api, await group(api, "Oudergroep", amal, bart))
    decided, open_ = await proposal(api, table_id), await proposal(api, table_id, text="Later")
    for proposal_id in (decided, open_):
        await vote(api, proposal_id, amal, "for")
        await vote(api, proposal_id, bart, "against")
    decision = await api.ok(
        "record_decision",
        {"proposal_id": decided, "majority_view": "Niet nu.", "minority_view": "Amal wel."},
    )
    assert decision["adopted"] is False
    exported = await api.ok("export_member", {"member_id": amal})
    assert len(exported["records"]["parent_group_memberships"]) == 1
    assert [v["choice"] for v in exported["records"]["votes"]] == ["for", "for"]

    await api.ok("erase_member", {"member_id": amal})
    assert (await api.post("export_member", {"member_id": amal})).status_code == 404
    view = await api.ok("get_dialogue_table", {"table_id": table_id})
    assert view["groups"][0]["members"] == 1
    by_id = {p["proposal_id"]: p for p in view["proposals"]}
    assert by_id[open_]["tally"] == {"votes_for": 0, "votes_against": 1, "votes_abstain": 0}
    assert by_id[decided]["decision"]["votes_for"] == 1  # the decision keeps its counts
    assert (await vote(api, open_, amal, "for")).status_code == 422
