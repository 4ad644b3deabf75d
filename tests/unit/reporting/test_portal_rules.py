"""The staff portal's rules without a server: which periods exist and are due, when a
session ends, when log-ins are locked, what an account needs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import cast

import pytest

from dorp_reporting.portal.domain import (
    LockoutPolicy,
    PortalError,
    SessionPolicy,
    StaffSession,
    check_password,
    due_periods,
    normalise_email,
    period_tree,
    periods_with_data,
)
from dorp_reporting.portal.passwords import hash_password, verify_password
from dorp_reporting.portal.schedule import ReportSchedule
from dorp_reporting.portal.use_cases import Portal

TZ = "Europe/Amsterdam"


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def test_ended_months_and_years_with_data_are_due_oldest_first() -> None:
    span = (utc(2025, 11, 3), utc(2026, 2, 10))
    due = due_periods(span, utc(2026, 2, 20), TZ, already=set())
    assert due == ["2025-11", "2025-12", "2025", "2026-01"]


def test_nothing_is_due_twice_nor_before_it_ends() -> None:
    span = (utc(2025, 11, 3), utc(2026, 2, 10))
    already = {"2025-11", "2025-12", "2025"}
    assert due_periods(span, utc(2026, 2, 20), TZ, already) == ["2026-01"]
    assert due_periods(span, utc(2025, 11, 30), TZ, set()) == []
    assert due_periods(None, utc(2026, 2, 20), TZ, set()) == []


def test_months_follow_the_regions_clock() -> None:
    # 23:30 UTC on 31 December is already New Year in Amsterdam.
    span = (utc(2025, 12, 31, 23, 30), utc(2025, 12, 31, 23, 30))
    assert periods_with_data(span, TZ) == {"2026", "2026-01"}
    assert due_periods(span, utc(2026, 1, 1, 0, 30), TZ, set()) == []


def test_period_tree_groups_months_under_their_year_newest_first() -> None:
    tree = period_tree({"2025", "2025-12", "2026-01", "2026", "2025-11"})
    assert [(y.year, y.months) for y in tree] == [
        ("2026", ("2026-01",)),
        ("2025", ("2025-12", "2025-11")),
    ]


def session(created: datetime, seen: datetime, active: bool = True) -> StaffSession:
    return StaffSession(1, "a@b.nl", active, "csrf", created, seen)


def test_a_session_ends_when_idle_too_long_too_old_or_disabled() -> None:
    policy = SessionPolicy(idle=timedelta(minutes=30), absolute=timedelta(hours=10))
    start = utc(2026, 5, 1, 9)
    assert policy.is_alive(session(start, start + timedelta(hours=9)), start + timedelta(hours=9))
    assert not policy.is_alive(session(start, start), start + timedelta(minutes=30))
    late = start + timedelta(hours=10)
    assert not policy.is_alive(session(start, late - timedelta(minutes=1)), late)
    assert not policy.is_alive(session(start, start, active=False), start)


def test_lockout_after_the_allowed_attempts() -> None:
    policy = LockoutPolicy(attempts=5, window=timedelta(minutes=15))
    assert not policy.is_locked(4)
    assert policy.is_locked(5)
    assert policy.since(utc(2026, 5, 1, 9)) == utc(2026, 5, 1, 8, 45)


def test_accounts_need_an_address_and_a_long_password() -> None:
    assert normalise_email("  Beleid@Lochem.NL ") == "beleid@lochem.nl"
    with pytest.raises(PortalError, match="not an e-mail address"):
        normalise_email("beleid")
    with pytest.raises(PortalError, match="at least 12 characters"):
        check_password("kort")


def test_passwords_are_argon2_hashes_that_verify_only_the_right_password() -> None:
    stored = hash_password("correct horse battery")
    assert stored.startswith("$argon2id$") and "correct" not in stored
    assert verify_password(stored, "correct horse battery")
    assert not verify_password(stored, "correct horse batterY")
    assert not verify_password(None, "correct horse battery")
    assert not verify_password("not a hash", "correct horse battery")


async def test_the_schedule_waits_while_events_are_still_being_projected() -> None:
    class NotNow:
        async def run_schedule(self) -> list[str]:
            raise AssertionError("generated while still catching up")

    async def behind() -> bool:
        return False

    schedule = ReportSchedule(
        cast(Portal, NotNow()), timedelta(minutes=60), timedelta(minutes=30), caught_up=behind
    )
    assert await schedule.run_once() == []
