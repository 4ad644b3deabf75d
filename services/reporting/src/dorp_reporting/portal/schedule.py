"""Reports generated on a schedule: every few minutes the service looks for ended months
and years that have data and no scheduled report yet, and generates them. What was
generated is in the database, so a restart loses nothing and generates nothing twice. A
pass waits while reporting is still catching up with its streams (at start-up, after a
rebuild), so a period is not generated, once and for good, from half its events."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from datetime import timedelta

import structlog

from dorp_reporting.portal.use_cases import Portal

log = structlog.get_logger(__name__)


class ReportSchedule:
    def __init__(
        self,
        portal: Portal,
        every: timedelta,
        forget_idle: timedelta,
        caught_up: Callable[[], Awaitable[bool]],
    ) -> None:
        self._portal = portal
        self._caught_up = caught_up
        self._every = every
        self._forget_idle = forget_idle
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name="report-schedule")

    async def stop(self) -> None:
        if self._task is None:
            return
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._task = None

    async def run_once(self) -> list[str]:
        if not await self._caught_up():
            log.info("portal.schedule_waits", reason="events still to project")
            return []
        made = await self._portal.run_schedule()
        await self._portal.store.forget_sessions_before(self._portal.clock() - self._forget_idle)
        return made

    async def _loop(self) -> None:
        while True:
            try:
                made = await self.run_once()
                if made:
                    log.info("portal.schedule_ran", generated=made)
            except asyncio.CancelledError:
                raise
            except Exception:  # keep the schedule alive; the next pass tries again
                log.exception("portal.schedule_failed")
            await asyncio.sleep(self._every.total_seconds())
