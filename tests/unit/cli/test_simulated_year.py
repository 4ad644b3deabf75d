"""The simulated year is reproducible and realistic enough to mean something."""

from __future__ import annotations

import time
from collections import Counter
from datetime import date
from typing import Any

from dorp_cli.simulate.people import FIRST_NAMES
from dorp_cli.simulate.plan import Action, Plan, Ref, Wave, resolve
from dorp_cli.simulate.runner import Answer, run_plan
from dorp_cli.simulate.year import Known, plan_year
from dorp_shared.contracts.events.communities import INQUIRY_PHASES
from dorp_shared.regions import load_region


def _keys(actions: list[Action]) -> list[str]:
    return [action.key for action in actions]


def test_same_seed_same_year_other_seed_other_year() -> None:
    lochem = load_region("lochem")
    first = list(plan_year(lochem, 2026, 0.3, seed=7).actions())
    again = list(plan_year(lochem, 2026, 0.3, seed=7).actions())
    other = list(plan_year(lochem, 2026, 0.3, seed=8).actions())
    assert [(a.key, a.body) for a in first] == [(a.key, a.body) for a in again]
    assert [a.body for a in first] != [a.body for a in other]


def test_every_role_and_every_kind_of_input_is_in_a_year() -> None:
    plan = plan_year(load_region("zutphen"), 2026, 1.0, seed=1)
    names = {name for name, _ in plan.tally()}
    for expected in (
        "member_registration",
        "register_member",
        "organisation",
        "help_request",
        "help_offer",
        "register_initiative",
        "schedule_session",
        "sign_up",
        "record_attendance",
        "record_quote",
        "record_self_check",
        "form_parent_group",
        "join_parent_group",
        "open_dialogue_table",
        "name_concern",
        "make_proposal",
        "cast_vote",
        "record_decision",
        "coffee_dates_opt_in",
        "set_consent",
        "erase_member",
        "record_survey_response",
    ):
        assert expected in names, expected
    withdrawals = [
        a for a in plan.actions() if a.name == "set_consent" and a.body["granted"] is False
    ]
    assert withdrawals, "members withdraw a consent"
    roles = {
        a.body.get("role")
        for a in plan.actions()
        if a.name in ("member_registration", "register_member")
    }
    assert {"parent", "volunteer", "professional", "connector"} <= roles


def test_every_kind_of_help_is_asked_and_offered_even_in_a_tiny_town() -> None:
    region = load_region("antwerpen")
    plan = plan_year(region, 2026, 0.1, seed=2)
    for side in (("help_request", "request_help"), ("help_offer", "offer_help")):
        kinds = {
            a.body["kind"] for a in plan.actions() if a.name in side and a.expect == "accepted"
        }
        assert kinds == set(region.help_kinds), side


def test_only_synthetic_people() -> None:
    """Invented names and example.org addresses: nobody real can receive a simulated mail."""
    plan = plan_year(load_region("zwolle"), 2026, 0.5, seed=4)
    people = [
        a.body for a in plan.actions() if a.name in ("member_registration", "register_member")
    ]
    assert people
    for body in people:
        if "email" in body:
            assert body["email"].endswith("@example.org"), body["email"]
        if "display_name" in body and "external_id" in body:
            assert body["external_id"].startswith(("sim-", "invalid")), body["external_id"]
        assert body.get("display_name", "Test").split()[0] in (*FIRST_NAMES, "Test"), body


def test_coffee_dates_only_for_parents_who_still_consent_to_matching() -> None:
    plan = plan_year(load_region("lochem"), 2026, 2.0, seed=6)
    roles = {
        a.binds[0]: a.body["role"]
        for a in plan.actions()
        if a.name in ("member_registration", "register_member") and a.binds
    }
    withdrawn: set[str] = set()
    opted = 0
    for action in plan.actions():
        if action.name == "set_consent" and action.body["purpose"] == "matching":
            withdrawn |= _refs(action.body)
        if action.name == "coffee_dates_opt_in":
            opted += 1
            assert action.service == "matching"
            (member,) = _refs(action.body)
            assert member not in withdrawn
            assert roles[member] == "parent"
    assert opted > 50


def test_a_few_per_cent_of_partner_events_are_invalid() -> None:
    plan = plan_year(load_region("lochem"), 2026, 2.0, seed=3)
    partner = [a for a in plan.actions() if a.via == "partner"]
    invalid = [a for a in partner if a.expect == "rejected"]
    assert 0.01 <= len(invalid) / len(partner) <= 0.06
    assert all(a.key.startswith("invalid:") for a in invalid)


def test_scale_grows_the_town_into_a_city() -> None:
    lochem = load_region("lochem")
    small = plan_year(lochem, 2026, 1.0).tally()
    large = plan_year(lochem, 2026, 10.0).tally()
    people = ("member_registration", "register_member")

    def count(tally: Counter[tuple[str, str]]) -> int:
        return sum(
            n for (name, expect), n in tally.items() if name in people and expect == "accepted"
        )

    assert 8 * count(small) <= count(large) <= 12 * count(small)


def test_an_erased_member_is_never_referred_to_afterwards() -> None:
    plan = plan_year(load_region("lochem"), 2026, 3.0, seed=5)
    erased: set[str] = set()
    for wave in plan.waves:
        for chain in wave.chains:
            for action in chain:
                refs = _refs(action.body)
                assert not (refs & erased), (action.name, refs & erased)
        for chain in wave.chains:
            erased |= {_refs(a.body).pop() for a in chain if a.name == "erase_member"}
    assert erased, "a year at scale 3 has erasures"


def test_refs_are_filled_in_from_earlier_answers() -> None:
    body = {"member_id": Ref("member:1"), "group_ids": [Ref("group:2")], "text": "hoi"}
    assert resolve(body, {"member:1": "m", "group:2": "g"}) == {
        "member_id": "m",
        "group_ids": ["g"],
        "text": "hoi",
    }


def _refs(value: object) -> set[str]:
    if isinstance(value, Ref):
        return {value.key}
    if isinstance(value, dict):
        return set().union(*(_refs(v) for v in value.values())) if value else set()
    if isinstance(value, list | tuple):
        return set().union(*(_refs(v) for v in value)) if value else set()
    return set()


class _Clock:
    """A sender that answers at once and notes when each action came."""

    def __init__(self) -> None:
        self.times: list[float] = []

    async def send(self, action: Action, body: dict[str, Any]) -> Answer:
        self.times.append(time.monotonic())
        return Answer("accepted")


async def test_rate_caps_the_sends_per_second_whatever_the_concurrency() -> None:
    wave = Wave("w")
    for n in range(21):
        wave.add(Action(via="http", name="record_self_check", body={}, key=str(n)))
    plan = Plan("lochem", 2026, 1.0, 1, [wave])
    clock = _Clock()
    summary = await run_plan(plan, clock, rate=50, concurrency=8)
    assert summary.total("accepted") == 21
    spread = clock.times[-1] - clock.times[0]
    assert 0.38 <= spread < 2.0, spread  # 20 gaps of 1/50 s


async def test_a_downstream_service_gets_time_to_learn_of_a_new_member() -> None:
    """Matching knows a member a moment after registration accepted them: the simulator
    waits for it instead of counting a rejection."""

    class _Late:
        calls = 0

        async def send(self, action: Action, body: dict[str, Any]) -> Answer:
            self.calls += 1
            if self.calls < 3:
                return Answer("rejected", "invalid_fields: member_id: is not a known member")
            return Answer("accepted")

    opt_in = Action(via="http", name="coffee_dates_opt_in", body={}, key="c", service="matching")
    late = _Late()
    summary = await run_plan(Plan("lochem", 2026, 1.0, 1, [Wave("w", [(opt_in,)])]), late)
    assert summary.counts[("coffee_dates_opt_in", "accepted")] == 1
    assert late.calls == 3


class _Recorder:
    """A sender that accepts everything, answers with a fresh id, and keeps the bodies."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, dict[str, Any]]] = []

    async def send(self, action: Action, body: dict[str, Any]) -> Answer:
        self.sent.append((action.name, body))
        new = f"new-{len(self.sent)}"
        return Answer("accepted", result={action.binds[1]: new} if action.binds else {})


async def test_the_demo_s_initiatives_and_partners_go_on_in_the_year_registered_once() -> None:
    """``dorp demo --simulate-year`` registers the region file's initiatives and partners
    first; the year schedules their sessions and registers them not again (they were
    listed twice in the annual report)."""
    region = load_region("lochem")
    known = Known(
        organisations={p.id: f"org-{p.id}" for p in region.partners},
        initiatives={i.id: f"demo-{i.id}" for i in region.initiatives},
    )
    plan = plan_year(region, 2026, 0.1, seed=1, today=date(2026, 6, 15), known=known)
    recorder = _Recorder()
    summary = await run_plan(plan, recorder, concurrency=64)

    assert summary.total("skipped") == 0, summary.surprises
    names = [body["name"] for name, body in recorder.sent if name == "register_initiative"]
    assert region.initiatives and not {i.name for i in region.initiatives} & set(names)
    assert names, "the year's own initiatives are still registered"
    partners = {body["external_id"] for name, body in recorder.sent if name == "organisation"}
    assert not partners & {p.id for p in region.partners}
    sessions = Counter(
        body["initiative_id"] for name, body in recorder.sent if name == "schedule_session"
    )
    for demo_id in known.initiatives.values():
        assert sessions[demo_id] == 12, demo_id  # one a month, under the demo's id

    alone = plan_year(region, 2026, 0.1, seed=1, today=date(2026, 6, 15))
    registered = Counter(a.body["name"] for a in alone.actions() if a.name == "register_initiative")
    assert all(registered[i.name] == 1 for i in region.initiatives)  # `dorp simulate` alone


def test_zwolle_s_learning_communities_go_through_every_phase_with_the_same_leads() -> None:
    """Seeds 001, 002: per wijk with a core theme a learning community, led all year by the
    same parent and professional (never erased meanwhile), one phase further at a time."""
    region = load_region("zwolle")
    plan = plan_year(region, 2026, 0.2, seed=3)
    updates = [a.body for a in plan.actions() if a.name == "update_learning_community"]
    themed = {a.id for a in region.areas if a.core_theme}
    assert themed and {u["home_area"] for u in updates} == themed
    erased = {_refs(a.body).pop() for a in plan.actions() if a.name == "erase_member"}
    for area in themed:
        mine = [u for u in updates if u["home_area"] == area]
        assert [u["phase"] for u in mine] == list(INQUIRY_PHASES)
        leads = {tuple(_refs(u["lead_member_ids"])) for u in mine}
        assert len(leads) == 1 and len(next(iter(leads))) == 2
        assert not set(next(iter(leads))) & erased
    surveys = [a.body for a in plan.actions() if a.name == "record_survey_response"]
    assert surveys and all("member_id" not in body for body in surveys)  # anonymous
