"""Matching's periodic work: expiring proposals nobody answered in time.

The deadline is stored with each proposal, so a restart loses nothing; several workers
skip each other's rows, and doing a round twice changes nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from datetime import UTC, datetime

import structlog

from dorp_matching.adapters.uow import PgMatchingUnitOfWork
from dorp_matching.matchmaker import propose_next, stop
from dorp_matching.ports import MatchingUnitOfWork
from dorp_shared.regions import Region
from dorp_shared.service import Runtime

log = structlog.get_logger(__name__)

EXPIRY_SECONDS = 60.0
BATCH = 100


async def expire_due(
    new_uow: Callable[[], MatchingUnitOfWork], region: Region, at: datetime
) -> int:
    """Expire the pending proposals past their deadline, batch by batch, and give each
    request the next best proposal. Returns how many expired."""
    total = 0
    while True:
        async with new_uow() as uow:
            due = await uow.proposals.due(at, BATCH)
            freed = await stop(uow, due, "expired", "not_answered", None)
            await propose_next(uow, freed, region, at, None)
        total += len(due)
        if len(due) < BATCH:
            return total


class ExpiryJob:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="matching-expiry")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while True:
            try:
                expired = await expire_due(
                    lambda: self.runtime.uow(PgMatchingUnitOfWork),
                    self.runtime.region,
                    datetime.now(UTC),
                )
                if expired:
                    log.info("proposals.expired", count=expired)
            except Exception as exc:  # retried on the next round
                log.warning("job.failed", job="expiry", error=str(exc))
            await asyncio.sleep(EXPIRY_SECONDS)
