"""Matching's periodic work: expiring proposals nobody answered in time, reminding the
connectors of proposals that wait too long for their review, and scheduled rounds of
coffee and tea dates.

Every deadline is stored (with each proposal, or as the last round), so a restart loses
nothing; several workers skip each other's rows, and doing a round twice changes nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

import structlog

from dorp_matching.adapters.uow import PgMatchingUnitOfWork
from dorp_matching.coffee_dates import round_due, run_round
from dorp_matching.matchmaker import event_id, propose_next, stop
from dorp_matching.ports import MatchingUnitOfWork
from dorp_shared.contracts.events import ProposalReviewOverdue
from dorp_shared.regions import Region
from dorp_shared.service import Runtime

log = structlog.get_logger(__name__)

EXPIRY_SECONDS = 60.0
BATCH = 100

NewUow = Callable[[], MatchingUnitOfWork]


async def expire_due(new_uow: NewUow, region: Region, at: datetime) -> int:
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


async def remind_overdue_reviews(new_uow: NewUow, region: Region, at: datetime) -> int:
    """Raise ``ProposalReviewOverdue`` once for each proposal that has waited longer than
    the region's ``connector_review_hours`` for a connector. Returns how many."""
    hours = region.matching.connector_review_hours
    before = at - timedelta(hours=hours)
    total = 0
    while True:
        async with new_uow() as uow:
            overdue = await uow.proposals.review_overdue(before, BATCH)
            connectors = tuple(await uow.members.connectors()) if overdue else ()
            for proposal, since in overdue:
                await uow.proposals.mark_review_overdue(proposal.proposal_id, at)
                event = ProposalReviewOverdue(
                    proposal_id=proposal.proposal_id,
                    request_id=proposal.request_id,
                    kind=proposal.kind,
                    home_area=proposal.home_area,
                    waiting_since=since,
                    review_hours=hours,
                    connector_ids=(proposal.reviewer_id,) if proposal.reviewer_id else connectors,
                )
                await uow.emit(event, event_id=event_id(proposal.proposal_id, "review_overdue"))
        total += len(overdue)
        if len(overdue) < BATCH:
            return total


async def scheduled_coffee_round(new_uow: NewUow, region: Region, at: datetime) -> int:
    """A round of coffee dates when the region's schedule says one is due; the dates made."""
    async with new_uow() as uow:
        await uow.coffee.lock()
        due = round_due(
            region, at, await uow.coffee.last_round_at(), await uow.coffee.first_opt_in_at()
        )
        if not due:
            return 0
        found = await run_round(uow, region, at, trigger="schedule")
        return found.dates


Step = Callable[[NewUow, Region, datetime], Awaitable[int]]
STEPS: tuple[tuple[str, Step], ...] = (
    ("expiry", expire_due),
    ("review_overdue", remind_overdue_reviews),
    ("coffee_round", scheduled_coffee_round),
)


class PeriodicJobs:
    """Runs every step once a minute; a failing step is logged and tried again next time."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="matching-jobs")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while True:
            for name, step in STEPS:
                try:
                    done = await step(
                        lambda: self.runtime.uow(PgMatchingUnitOfWork),
                        self.runtime.region,
                        datetime.now(UTC),
                    )
                    if done:
                        log.info("job.done", job=name, count=done)
                except Exception as exc:  # retried on the next round
                    log.warning("job.failed", job=name, error=str(exc))
            await asyncio.sleep(EXPIRY_SECONDS)
