"""The waiting list of a full session, session states and attendance rules (no I/O)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from dorp_registration.domain.activities import (
    Occupancy,
    Placement,
    Roster,
    Session,
    attendance_errors,
)

NOW = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
MEMBERS = [uuid.UUID(int=n) for n in range(1, 9)]
A, B, C, D = MEMBERS[:4]


def test_places_go_first_come_then_the_waiting_list_grows() -> None:
    roster = Roster(capacity=2)
    placements = []
    for member in (A, B, C, D):
        roster, placement = roster.add(member)
        placements.append(placement)
    assert placements == [
        Placement("confirmed"),
        Placement("confirmed"),
        Placement("waitlisted", 1),
        Placement("waitlisted", 2),
    ]
    assert roster.occupancy == Occupancy(confirmed=2, waiting=2)


def test_signing_up_again_keeps_the_place_one_has() -> None:
    roster, _ = Roster(capacity=1).add(A)
    roster, _ = roster.add(B)
    assert roster.add(B) == (roster, Placement("waitlisted", 1))
    assert roster.add(A) == (roster, Placement("confirmed"))


def test_a_confirmed_member_leaving_promotes_the_first_in_line() -> None:
    roster = Roster(capacity=1, confirmed=(A,), waiting=(B, C))
    roster, promoted = roster.remove(A)
    assert promoted == (B,)
    assert roster.placement(B) == Placement("confirmed")
    assert roster.placement(C) == Placement("waitlisted", 1)


def test_leaving_the_waiting_list_promotes_nobody_and_moves_the_others_up() -> None:
    roster = Roster(capacity=1, confirmed=(A,), waiting=(B, C))
    roster, promoted = roster.remove(B)
    assert promoted == ()
    assert roster.placement(C) == Placement("waitlisted", 1)
    assert roster.placement(B) is None


def test_roster_from_stored_sign_ups_in_order_of_arrival() -> None:
    roster = Roster.of(2, [(A, "confirmed"), (B, "waitlisted"), (C, "confirmed")])
    assert roster.confirmed == (A, C) and roster.waiting == (B,)


# A sign-up is ("add", member); a cancellation is ("remove", member).
operations = st.lists(st.tuples(st.sampled_from(["add", "remove"]), st.sampled_from(MEMBERS)))


@given(st.integers(min_value=1, max_value=5), operations)
def test_never_more_confirmed_than_capacity_and_always_first_come_first_served(
    capacity: int, steps: list[tuple[str, uuid.UUID]]
) -> None:
    roster = Roster(capacity=capacity)
    arrivals: list[uuid.UUID] = []  # active sign-ups in order of arrival: the reference
    for action, member in steps:
        if action == "add":
            roster, _ = roster.add(member)
            arrivals += [] if member in arrivals else [member]
        else:
            roster, promoted = roster.remove(member)
            was_confirmed = member in arrivals[:capacity]
            arrivals = [m for m in arrivals if m != member]
            expected = arrivals[capacity - 1 : capacity] if was_confirmed else []
            assert list(promoted) == expected
        assert len(roster.confirmed) <= capacity
        assert list(roster.confirmed) == arrivals[:capacity]
        assert list(roster.waiting) == arrivals[capacity:]


@given(st.integers(min_value=1, max_value=5), st.lists(st.sampled_from(MEMBERS), unique=True))
def test_waiting_positions_count_from_one_in_order(capacity: int, members: list[uuid.UUID]) -> None:
    roster = Roster(capacity=capacity)
    for member in members:
        roster, _ = roster.add(member)
    positions = [roster.placement(member) for member in members[capacity:]]
    assert positions == [Placement("waitlisted", n) for n in range(1, len(positions) + 1)]


def session(**changes: object) -> Session:
    data: dict[str, object] = {
        "session_id": uuid.uuid4(),
        "initiative_id": uuid.uuid4(),
        "starts_at": NOW + timedelta(days=1),
        "ends_at": NOW + timedelta(days=1, hours=2),
        "place": "Bibliotheek Lochem",
        "home_area": "lochem",
        "theme": None,
        "capacity": 10,
        "child_friendly": True,
        "languages": ("nl",),
        "age_bands": ("1-4",),
        "scheduled_at": NOW,
    }
    return Session(**{**data, **changes})


def test_sign_ups_close_when_the_session_ends_or_is_cancelled() -> None:
    upcoming = session()
    assert upcoming.why_closed(NOW) is None
    in_progress = session(starts_at=NOW - timedelta(hours=1))
    assert in_progress.why_closed(NOW) is None and in_progress.started(NOW)
    assert session(ends_at=NOW).why_closed(NOW) == "the session is over"
    assert upcoming.cancel(NOW, "ill").why_closed(NOW) == "the session was cancelled"


def test_places_left_never_negative_and_none_for_open_events() -> None:
    assert Occupancy(confirmed=3).places_left(5) == 2
    assert Occupancy(confirmed=5, waiting=2).places_left(5) == 0
    assert Occupancy().places_left(None) is None


def test_attendance_names_only_confirmed_members_each_once_and_counts_them() -> None:
    assert attendance_errors(5, [A, B], confirmed={A, B, C}) == []
    errors = attendance_errors(2, [A, D, A], confirmed={A, B})
    assert [(e.field, e.message) for e in errors] == [
        ("member_ids.1", f"member {D} has no confirmed place in this session"),
        ("member_ids.2", "listed more than once"),
        ("headcount", "must count at least the 3 members named in member_ids"),
    ]
