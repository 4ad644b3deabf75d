"""Retention on real PostgreSQL and NATS: a warning first, erasure only after the warning
period, and activity in between cancels it."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from dorp_registration.adapters.uow import RegistrationPgUnitOfWork
from dorp_registration.bootstrap import DEFINITION
from dorp_registration.retention import RetentionRun, apply_retention
from dorp_shared.settings import DorpSettings
from tests.integration.registration.test_members_api import SANNE, registration_events
from tests.support.api import ApiClient, service_api
from tests.support.services import eventually

pytestmark = pytest.mark.integration


@pytest.fixture
async def api(settings: DorpSettings) -> AsyncIterator[ApiClient]:
    async with service_api(DEFINITION, settings) as client:
        yield client


async def test_inactive_members_are_warned_then_erased(api: ApiClient) -> None:
    region = api.runtime.region
    idle = (await api.ok("register_member", SANNE))["member_id"]
    active = (await api.ok("register_member", {**SANNE, "display_name": "Eva"}))["member_id"]

    async def retention(at: datetime) -> RetentionRun:
        return await apply_retention(lambda: api.runtime.uow(RegistrationPgUnitOfWork), region, at)

    almost = datetime.now(UTC) + timedelta(days=region.retention_days - 7)
    first = await retention(almost)
    assert (first.warned, first.erased) == (2, 0)
    again = await retention(almost)
    assert (again.warned, again.erased) == (0, 0)

    # Eva comes back after the warning: her clock restarts.
    async with api.runtime.uow(RegistrationPgUnitOfWork) as uow:
        await uow.members.touch(uuid.UUID(active), almost)

    later = almost + timedelta(days=region.retention_warning_days + 1)
    run = await retention(later)
    assert run.erased == 1
    assert (await api.post("get_member", {"member_id": idle})).status_code == 404
    assert (await api.post("get_member", {"member_id": active})).status_code == 200

    async def purged() -> list[dict[str, Any]] | None:
        events = await registration_events(api)
        of_idle = [e["type"] for e in events if e["subject"].endswith(idle)]
        return events if of_idle == ["registration.member_erased"] else None

    events = await eventually(purged)
    warned = [e for e in events if e["type"] == "registration.retention_warning_issued"]
    assert [e["payload"]["member_id"] for e in warned] == [active]
    erased = next(e for e in events if e["type"] == "registration.member_erased")
    assert erased["payload"]["reason"] == "retention"
