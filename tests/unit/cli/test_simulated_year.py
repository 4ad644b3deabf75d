"""The simulated year is reproducible and realistic enough to mean something."""

from __future__ import annotations

from collections import Counter

from dorp_cli.simulate.plan import Action, Ref, resolve
from dorp_cli.simulate.year import plan_year
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
        "record_decision",
        "set_consent",
        "erase_member",
    ):
        assert expected in names, expected
    roles = {
        a.body.get("role")
        for a in plan.actions()
        if a.name in ("member_registration", "register_member")
    }
    assert {"parent", "volunteer", "professional", "connector"} <= roles


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
