"""When a message may go out: quiet hours in the region's time zone, the morning digest,
the reminder a day ahead, and backoff with jitter."""

from __future__ import annotations

import datetime as dt

import pytest

from dorp_notifications.domain.timing import (
    after_quiet_hours,
    backoff,
    next_digest,
    reminder_due,
)
from dorp_shared.regions import QuietHours

ZONE = "Europe/Amsterdam"  # UTC+1 in November
NIGHT = QuietHours()  # 21:00-08:00


def utc(hour: int, minute: int = 0, day: int = 21) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, minute, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        (utc(19, 59), None),  # 20:59 local: still allowed
        (utc(20, 0), utc(7, 0, day=22)),  # 21:00 local: wait for 08:00 tomorrow
        (utc(23, 30), utc(7, 0, day=22)),  # 00:30 local, after midnight
        (utc(6, 59, day=22), utc(7, 0, day=22)),  # 07:59 local
        (utc(7, 0, day=22), None),  # 08:00 local: the quiet is over
    ],
)
def test_quiet_hours_span_midnight_in_the_region_time_zone(
    at: dt.datetime, expected: dt.datetime | None
) -> None:
    assert after_quiet_hours(at, NIGHT, ZONE) == expected


def test_quiet_hours_within_one_day() -> None:
    lunch = QuietHours(start=dt.time(12, 0), end=dt.time(13, 0))
    assert after_quiet_hours(utc(11, 30), lunch, ZONE) == utc(12, 0)
    assert after_quiet_hours(utc(12, 30), lunch, ZONE) is None


def test_digest_goes_when_the_next_quiet_hours_end() -> None:
    assert next_digest(utc(14, 0), NIGHT, ZONE) == utc(7, 0, day=22)
    assert next_digest(utc(6, 0), NIGHT, ZONE) == utc(7, 0)


def test_reminder_is_a_day_ahead_and_never_in_the_past() -> None:
    starts = utc(9, 0, day=25)
    assert reminder_due(starts, utc(12, 0)) == utc(9, 0, day=24)
    assert reminder_due(starts, utc(10, 0, day=24)) is None


def test_backoff_doubles_up_to_an_hour_spread_by_jitter() -> None:
    assert backoff(1, 0.0) == dt.timedelta(seconds=2.5)
    assert backoff(1, 0.999) < dt.timedelta(seconds=5)
    assert backoff(3, 0.0) == dt.timedelta(seconds=10)
    assert backoff(30, 1.0) == dt.timedelta(hours=1)
