"""The staff portal's rules, free of HTTP, SQL and the clock: sessions that expire, the
lockout after failed log-ins, which periods exist and which are due for generation."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

MIN_PASSWORD_LENGTH = 12
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
ACTIONS = ("read", "download", "generate", "edit", "login", "logout", "login_refused")


class PortalError(ValueError):
    """Bad input from staff or an operator, with a message fit to show them."""


def normalise_email(email: str) -> str:
    cleaned = email.strip().lower()
    if not _EMAIL.match(cleaned):
        raise PortalError(f"not an e-mail address: {email!r}")
    return cleaned


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise PortalError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    return password


@dataclass(frozen=True)
class StaffAccount:
    staff_id: int
    email: str
    password_hash: str
    active: bool
    created_at: datetime


@dataclass(frozen=True)
class StaffSession:
    staff_id: int
    email: str
    active: bool
    csrf_token: str
    created_at: datetime
    last_seen_at: datetime


@dataclass(frozen=True)
class SessionPolicy:
    """A session ends after ``idle`` without a request, and ``absolute`` after log-in."""

    idle: timedelta
    absolute: timedelta

    def is_alive(self, session: StaffSession, now: datetime) -> bool:
        return (
            session.active
            and now - session.last_seen_at < self.idle
            and now - session.created_at < self.absolute
        )


@dataclass(frozen=True)
class LockoutPolicy:
    """After ``attempts`` failed log-ins within ``window`` an account takes no log-in,
    not even with the right password, until the window has passed."""

    attempts: int
    window: timedelta

    def since(self, now: datetime) -> datetime:
        return now - self.window

    def is_locked(self, recent_failures: int) -> bool:
        return recent_failures >= self.attempts


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    staff_email: str
    action: str
    period: str | None
    format: str | None
    address: str


@dataclass(frozen=True)
class GeneratedReport:
    report_id: int
    period: str
    trigger: str
    generated_at: datetime
    generated_by: str
    formats: tuple[str, ...]


def month_key(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def months_between(first: datetime, last: datetime, time_zone: str) -> list[str]:
    """Every month from ``first`` to ``last`` (inclusive) in the region's time, as keys."""
    zone = ZoneInfo(time_zone)
    start, end = first.astimezone(zone), last.astimezone(zone)
    year, month = start.year, start.month
    months = []
    while (year, month) <= (end.year, end.month):
        months.append(month_key(year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


@dataclass(frozen=True)
class YearPeriods:
    """One year of the list page: the year's key and its months, newest first."""

    year: str
    months: tuple[str, ...]


def period_tree(periods: set[str]) -> list[YearPeriods]:
    """Years and months ("2026", "2026-03") grouped by year, newest first."""
    years = {period[:4] for period in periods}
    return [
        YearPeriods(
            year,
            tuple(sorted((p for p in periods if p.startswith(f"{year}-")), reverse=True)),
        )
        for year in sorted(years, reverse=True)
    ]


def periods_with_data(span: tuple[datetime, datetime] | None, time_zone: str) -> set[str]:
    if span is None:
        return set()
    months = months_between(span[0], span[1], time_zone)
    return set(months) | {month[:4] for month in months}


def due_periods(
    span: tuple[datetime, datetime] | None,
    now: datetime,
    time_zone: str,
    already: set[str],
) -> list[str]:
    """Months and years that have ended, have data, and have no scheduled report yet;
    oldest first, each month before the year it ends."""
    if span is None:
        return []
    local_now = now.astimezone(ZoneInfo(time_zone))
    this_month = month_key(local_now.year, local_now.month)
    months = [m for m in months_between(span[0], span[1], time_zone) if m < this_month]
    years = {month[:4] for month in months if int(month[:4]) < local_now.year}
    ended = [*months, *years]
    return sorted((p for p in ended if p not in already), key=lambda p: (p[:4], len(p) == 4, p))
