"""What the portal's pages and its schedule do, given the store and a way to make reports."""

from __future__ import annotations

import asyncio
import hashlib
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

import structlog

from dorp_reporting.domain.editorial import Editorial
from dorp_reporting.domain.report import Report
from dorp_reporting.formats import FORMATS, ReportFormat, render_report
from dorp_reporting.portal.domain import (
    AuditEntry,
    LockoutPolicy,
    SessionPolicy,
    StaffSession,
    YearPeriods,
    due_periods,
    period_tree,
    periods_with_data,
)
from dorp_reporting.portal.passwords import verify_password
from dorp_reporting.portal.store import PortalStore

log = structlog.get_logger(__name__)

ReportMaker = Callable[[str, datetime], Awaitable[Report]]
"""Builds the report of a period key ("2026", "2026-03") as of a moment."""
SCHEDULE = "schedule"
SYSTEM = "schedule"


def hash_token(token: str) -> bytes:
    """Only this hash is stored: a stolen table holds no usable session."""
    return hashlib.sha256(token.encode()).digest()


@dataclass(frozen=True)
class LoginResult:
    outcome: Literal["ok", "refused", "locked"]
    token: str = ""


@dataclass
class Portal:
    store: PortalStore
    time_zone: str
    sessions: SessionPolicy
    lockout: LockoutPolicy
    make_report: ReportMaker
    clock: Callable[[], datetime]

    # log-in -----------------------------------------------------------------------------

    async def log_in(self, email: str, password: str, address: str) -> LoginResult:
        email = email.strip().lower()
        now = self.clock()
        if self.lockout.is_locked(await self.store.failures_since(email, self.lockout.since(now))):
            await self._audit(email, "login_refused", address)
            return LoginResult("locked")
        account = await self.store.account(email)
        good = verify_password(account.password_hash if account else None, password)
        if account is None or not account.active or not good:
            await self.store.record_failure(email, now, address)
            await self._audit(email, "login_refused", address)
            return LoginResult("refused")
        await self.store.clear_failures(email)
        token = secrets.token_urlsafe(32)
        await self.store.open_session(
            hash_token(token), account.staff_id, secrets.token_urlsafe(32), now
        )
        await self._audit(email, "login", address)
        return LoginResult("ok", token)

    async def session(self, token: str | None) -> StaffSession | None:
        """The live session of this cookie, its idle clock restarted; None when there is
        none or it has expired (then it is removed)."""
        if not token:
            return None
        key = hash_token(token)
        found = await self.store.session(key)
        if found is None:
            return None
        now = self.clock()
        if not self.sessions.is_alive(found, now):
            await self.store.close_session(key)
            return None
        await self.store.touch_session(key, now)
        return found

    async def log_out(self, token: str, session: StaffSession, address: str) -> None:
        await self.store.close_session(hash_token(token))
        await self._audit(session.email, "logout", address)

    # reports ----------------------------------------------------------------------------

    async def periods(self) -> list[YearPeriods]:
        with_data = periods_with_data(await self._span(), self.time_zone)
        generated = {report.period for report in await self.store.generated()}
        return period_tree(with_data | generated)

    async def generate(self, period: str, trigger: str, by: str) -> int | None:
        """Make and keep the report of ``period`` in every format that renders."""
        now = self.clock()
        report = await self.make_report(period, now)
        files: list[tuple[str, str, str, bytes]] = []
        for fmt in FORMATS:
            try:
                rendered = await asyncio.to_thread(render_report, report, _fmt(fmt))
            except ValueError:
                continue  # a format not available (yet)
            files.extend((fmt, f.name, f.media_type, f.content) for f in rendered)
        report_id = await self.store.store_generated(period, trigger, now, by, files)
        log.info("portal.report_generated", period=period, trigger=trigger, kept=bool(report_id))
        return report_id

    async def run_schedule(self) -> list[str]:
        """Generate every ended month and year that has data and no scheduled report."""
        span = await self._span()
        due = due_periods(span, self.clock(), self.time_zone, await self.store.scheduled_periods())
        made = []
        for period in due:
            try:
                kept = await self.generate(period, SCHEDULE, SYSTEM)
            except ValueError as exc:  # a period the report cannot cover: the others still can
                log.warning("portal.schedule_skipped", period=period, reason=str(exc))
                continue
            if kept is not None:
                made.append(period)
        return made

    async def _span(self) -> tuple[datetime, datetime] | None:
        """What the projections cover, up to now: a session planned for next month is
        not a month with data yet."""
        span, now = await self.store.data_span(), self.clock()
        if span is None or span[0] > now:
            return None
        return span[0], min(span[1], now)

    async def save_editorial(
        self, period: str, highlights: str, focus_points: str, session: StaffSession, address: str
    ) -> None:
        now = self.clock()
        await self.store.save_editorial(
            Editorial(period, highlights.strip(), focus_points.strip(), session.email, now)
        )
        await self.audit(session, "edit", address, period)

    async def audit(
        self,
        session: StaffSession,
        action: str,
        address: str,
        period: str | None = None,
        fmt: str | None = None,
    ) -> None:
        await self._audit(session.email, action, address, period, fmt)

    async def _audit(
        self,
        email: str,
        action: str,
        address: str,
        period: str | None = None,
        fmt: str | None = None,
    ) -> None:
        entry = AuditEntry(self.clock(), email, action, period, fmt, address)
        await self.store.audit(entry)


def _fmt(name: str) -> ReportFormat:
    assert name in FORMATS
    return name  # type: ignore[return-value]
