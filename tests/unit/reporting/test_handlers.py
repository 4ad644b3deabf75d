"""Projection use cases: each event counts once, in any order, in its own period."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from dorp_reporting import handlers
from dorp_reporting.domain.period import Period
from dorp_reporting.domain.report import Report
from dorp_shared.contracts import Envelope
from dorp_shared.regions import Region, load_region
from tests.unit.reporting import events
from tests.unit.reporting.fakes import FakeReportingUoW

NOW = datetime(2026, 6, 1, tzinfo=UTC)
PROJECTORS: dict[str, Any] = {
    "registration.member_registered": handlers.on_member_registered,
    "registration.help_requested": handlers.on_help_requested,
    "registration.help_offered": handlers.on_help_offered,
    "matching.match_proposed": handlers.on_match_proposed,
    "notifications.notification_sent": handlers.on_notification_sent,
}


@pytest.fixture
def region() -> Region:
    return load_region("lochem")


async def project_all(uow: FakeReportingUoW, envelopes: list[Envelope[Any]]) -> list[bool]:
    return [await PROJECTORS[envelope.type](uow, envelope) for envelope in envelopes]


async def report(uow: FakeReportingUoW, region: Region, period: str = "all") -> Report:
    return await handlers.make_report(uow, region, Period.parse(period), NOW)


def scenario() -> list[Envelope[Any]]:
    people = [events.envelope(events.member()) for _ in range(5)]
    return [
        *people,
        events.envelope(events.request()),
        events.envelope(events.offer()),
        events.envelope(events.match()),
        events.envelope(events.notification()),
        events.envelope(events.notification()),
    ]


async def test_a_redelivered_event_changes_nothing(region: Region) -> None:
    uow = FakeReportingUoW()
    sent = scenario()
    assert all(await project_all(uow, sent))
    first = await report(uow, region)
    assert not any(await project_all(uow, sent))
    assert await report(uow, region) == first
    assert (first.figures.members.value, first.figures.notifications_sent.value) == (5, 2)


async def test_the_same_fact_under_a_new_event_id_counts_once(region: Region) -> None:
    uow = FakeReportingUoW()
    request = events.request()
    await project_all(uow, [events.envelope(request), events.envelope(request)])
    assert (await report(uow, region)).figures.requests.value == 1


async def test_order_of_arrival_does_not_matter(region: Region) -> None:
    sent = scenario()
    in_order, reversed_order = FakeReportingUoW(), FakeReportingUoW()
    await project_all(in_order, sent)
    await project_all(reversed_order, sent[::-1])
    assert await report(in_order, region) == await report(reversed_order, region)


async def test_a_year_counts_what_happened_in_that_year_in_local_time(region: Region) -> None:
    uow = FakeReportingUoW()
    new_year_in_lochem = datetime(2025, 12, 31, 23, 30, tzinfo=UTC)  # 00:30 on 1 January
    await project_all(
        uow,
        [
            events.envelope(events.request(), at=datetime(2025, 6, 1, tzinfo=UTC)),
            events.envelope(events.request(), at=new_year_in_lochem),
            events.envelope(events.offer(), at=datetime(2026, 2, 1, tzinfo=UTC)),
        ],
    )
    this_year = await report(uow, region, "2026")
    assert (this_year.figures.requests.value, this_year.figures.offers.value) == (1, 1)
    assert this_year.period == "2026"
    assert (await report(uow, region, "2025")).figures.requests.value == 1
    assert (await report(uow, region)).figures.requests.value == 2


async def test_no_names_contact_details_or_free_text_are_kept() -> None:
    uow = FakeReportingUoW()
    await project_all(uow, [events.envelope(events.member()), events.envelope(events.request())])
    stored = repr(uow.projections.members) + repr(uow.projections.activities)
    for personal in ("Testouder", "example.org", "woensdagmiddag"):
        assert personal not in stored


async def test_only_messages_really_sent_are_counted(region: Region) -> None:
    uow = FakeReportingUoW()
    outcomes = [events.notification(status) for status in ("sent", "suppressed", "failed")]
    await project_all(uow, [events.envelope(outcome) for outcome in outcomes])
    assert (await report(uow, region)).figures.notifications_sent.value == 1
