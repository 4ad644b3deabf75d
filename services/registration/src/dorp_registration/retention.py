"""Retention: members inactive longer than the region's retention period are erased, after
a warning event ``retention_warning_days`` before (notifications tells the member)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import structlog

from dorp_registration.commands.members import erase
from dorp_registration.ports import RegistrationUnitOfWork
from dorp_shared.contracts.events import RetentionWarningIssued
from dorp_shared.regions import Region

log = structlog.get_logger(__name__)
BATCH = 200


@dataclass(frozen=True)
class RetentionRun:
    warned: int
    erased: int


async def apply_retention(
    make: Callable[[], RegistrationUnitOfWork], region: Region, now: datetime
) -> RetentionRun:
    """Erase who was warned long enough ago, then warn who is next, in batches of one
    transaction each; safe to run at any time and again."""
    retention = timedelta(days=region.retention_days)
    warning = timedelta(days=region.retention_warning_days)
    warned = erased = 0
    while True:
        uow: RegistrationUnitOfWork = make()
        async with uow:
            due = await uow.members.due_for_erasure(
                inactive_before=now - retention, warned_before=now - warning, limit=BATCH
            )
            for member_id in due:
                await erase(uow, member_id, now, "retention")
        erased += len(due)
        if len(due) < BATCH:
            break
    while True:
        uow = make()
        async with uow:
            idle = await uow.members.due_for_warning(
                inactive_before=now - retention + warning, limit=BATCH
            )
            for member_id, last_active in idle:
                erase_on = max(last_active + retention, now + warning).date()
                await uow.emit(
                    RetentionWarningIssued(
                        member_id=member_id, last_active_at=last_active, erase_on=erase_on
                    )
                )
                await uow.members.mark_warned(member_id, now)
        warned += len(idle)
        if len(idle) < BATCH:
            break
    if warned or erased:
        log.info("retention.applied", warned=warned, erased=erased)
    return RetentionRun(warned=warned, erased=erased)
