"""When a message may go out: quiet hours for SMS, the daily digest, the reminder the day
before a session, and the backoff between attempts. Pure: the clock and the randomness
are handed in."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from dorp_shared.regions import QuietHours

BACKOFF_BASE = dt.timedelta(seconds=5)
BACKOFF_CAP = dt.timedelta(hours=1)
REMINDER_AHEAD = dt.timedelta(days=1)


def _in_quiet(local: dt.time, quiet: QuietHours) -> bool:
    if quiet.start <= quiet.end:
        return quiet.start <= local < quiet.end
    return local >= quiet.start or local < quiet.end


def _next_local(at: dt.datetime, clock: dt.time, zone: ZoneInfo) -> dt.datetime:
    """The first moment after ``at`` that the local clock shows ``clock``."""
    local = at.astimezone(zone)
    candidate = dt.datetime.combine(local.date(), clock, tzinfo=zone)
    if candidate <= local:
        candidate = dt.datetime.combine(local.date() + dt.timedelta(days=1), clock, tzinfo=zone)
    return candidate.astimezone(dt.UTC)


def after_quiet_hours(at: dt.datetime, quiet: QuietHours, time_zone: str) -> dt.datetime | None:
    """When an SMS due at ``at`` may go out if ``at`` falls in the quiet hours (the end of
    them, in the region's time zone); None if it may go out at ``at``."""
    zone = ZoneInfo(time_zone)
    if not _in_quiet(at.astimezone(zone).time(), quiet):
        return None
    return _next_local(at, quiet.end, zone)


def next_digest(at: dt.datetime, quiet: QuietHours, time_zone: str) -> dt.datetime:
    """The daily digest goes out when the quiet hours end: each morning."""
    return _next_local(at, quiet.end, ZoneInfo(time_zone))


def reminder_due(starts_at: dt.datetime, now: dt.datetime) -> dt.datetime | None:
    """A day before the session starts; None if that moment has passed."""
    due = starts_at - REMINDER_AHEAD
    return due if due > now else None


def backoff(attempt: int, jitter: float) -> dt.timedelta:
    """Exponential backoff with jitter: after attempt 1, 2, 3... wait about 5 s, 10 s,
    20 s... (at most an hour), each spread over [half, full] by ``jitter`` in [0, 1)."""
    full: dt.timedelta = min(BACKOFF_CAP, BACKOFF_BASE * 2 ** max(0, attempt - 1))
    return full * (0.5 + 0.5 * jitter)
