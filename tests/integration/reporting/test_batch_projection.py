"""The rebuild's set-based batch projection leaves exactly the rows that projecting the same
events one at a time leaves, whatever the batch size; applying a batch again changes
nothing. Events: a seeded synthetic year (as ``dorp bench reporting`` makes it) plus the
awkward cases (erasure amid a member's events, repeated and out-of-order records)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import asyncpg
import pytest

from dorp_cli.bench.reporting_year import YearGenerator
from dorp_reporting import handlers
from dorp_reporting.adapters.projections import PROJECTION_TABLES
from dorp_reporting.adapters.uow import PgReportingUnitOfWork
from dorp_reporting.events import decode_event
from dorp_shared import db
from dorp_shared.contracts import Envelope, Event
from dorp_shared.contracts import events as ev
from dorp_shared.regions import load_region
from dorp_shared.service import SHARED_MIGRATIONS
from tests.support.infra import Infra, fresh_database
from tests.unit.reporting import events

pytestmark = pytest.mark.integration

Rows = dict[str, list[tuple[str, ...]]]


def generated_year() -> list[Envelope[Any]]:
    generator = YearGenerator(load_region("lochem"), 2025, 800, seed=7)
    decoded = [
        decode_event(message.headers, message.body) for day in generator.days() for message in day
    ]
    return [event for event in decoded if event is not None]


def awkward() -> list[Envelope[Any]]:
    """Cases where order and repetition matter, close together (one batch)."""
    at = events.WHEN
    erased, parent = events.member(), events.member()
    cafe = events.initiative()
    meeting = events.session(cafe.initiative_id)
    asked = events.request().model_copy(update={"member_id": erased.member_id})
    again = events.request().model_copy(update={"member_id": erased.member_id})
    first, second, third = events.match(), events.match(), events.match()
    second = second.model_copy(update={"requester_id": erased.member_id})
    third = third.model_copy(update={"helper_id": erased.member_id})  # after the erasure
    quote = ev.QuoteRecorded(
        member_id=parent.member_id, quote_id=uuid.uuid4(), text="Fijn om te weten.",
        language="nl", home_area="lochem", publish_anonymously=True,
    )  # fmt: skip
    payloads: list[tuple[Event, int]] = [
        (erased, 0), (parent, 0), (cafe, 0), (meeting, 1), (asked, 2), (first, 3),
        (ev.ProposalDeclined(proposal_id=first.proposal_id, member_id=parent.member_id,
                             side="request"), 4),
        (events.signed_up(meeting, parent.member_id), 5),
        (ev.SignUpCancelled(member_id=parent.member_id, session_id=meeting.session_id), 6),
        (events.signed_up(meeting, parent.member_id), 7),
        (events.attendance(meeting, 9, [parent.member_id, erased.member_id]), 20),
        (quote, 8),
        (ev.MemberUpdated(member_id=parent.member_id, role="volunteer", home_area="laren",
                          languages=("nl",), preferred_language="nl",
                          contact=erased.contact), 9),
        (second, 11),
        (ev.MemberErased(member_id=erased.member_id, reason="request", erased_at=at), 12),
        (again, 13),
        (third, 13),
        (ev.MatchCompleted(proposal_id=third.proposal_id, member_id=erased.member_id,
                           side="offer", helped=True, became_contact=False,
                           ladder_step="kennen"), 14),
        (ev.MatchConfirmed(proposal_id=second.proposal_id, request_id=second.request_id,
                           offer_id=second.offer_id, requester_id=erased.member_id,
                           helper_id=second.helper_id, kind=second.kind), 14),
        (ev.ProposalCancelled(proposal_id=second.proposal_id, reason="erased"), 15),
        (ev.MatchConfirmed(proposal_id=first.proposal_id, request_id=first.request_id,
                           offer_id=first.offer_id, requester_id=first.requester_id,
                           helper_id=first.helper_id, kind=first.kind), 16),
        (events.attendance(meeting, 11, [parent.member_id, erased.member_id]), 21),
        (events.attendance(meeting, 4, [parent.member_id]), 10),  # older: changes nothing
    ]  # fmt: skip
    made = [events.envelope(p, at=at + timedelta(minutes=m)) for p, m in payloads]
    return [*made, made[-1]]  # the same event twice


def republished(year: list[Envelope[Any]]) -> list[Envelope[Any]]:
    """A registration, a self-check and a sent notification of the year again under new event
    ids (as a publisher that retried after losing its acknowledgement might): the inbox lets
    them through, their rows are there already (an earlier batch, or the same one)."""
    again = []
    for kind in (ev.MemberRegistered, ev.SelfCheckRecorded, ev.NotificationSent):
        first = next(
            e
            for e in year
            if type(e.payload) is kind and getattr(e.payload, "status", "sent") == "sent"
        )
        again.append(events.envelope(first.payload, at=first.occurred_at + timedelta(days=400)))
    return again


async def project(database_url: str, sent: list[Envelope[Any]], batch: int | None) -> Rows:
    """Project ``sent`` into a fresh schema, one at a time (``batch`` None) or in batches."""
    await db.migrate(database_url, "reporting", [SHARED_MIGRATIONS, "dorp_reporting.migrations"])
    pool = await db.create_pool(database_url, "reporting", max_size=2)

    def uow() -> PgReportingUnitOfWork:
        return PgReportingUnitOfWork(pool, region="lochem", source="reporting")

    try:
        if batch is None:
            for event in sent:
                await handlers.project(uow(), event)
        else:
            for start in range(0, len(sent), batch):
                await handlers.project_batch(uow(), sent[start : start + batch])
            before = await rows(pool)
            again = [await handlers.project_batch(uow(), sent[s : s + batch])
                     for s in range(0, len(sent), batch)]  # fmt: skip
            assert sum(again) == 0 and await rows(pool) == before
        return await rows(pool)
    finally:
        await pool.close()


async def rows(pool: asyncpg.Pool) -> Rows:
    async with pool.acquire() as conn:
        return {
            table: sorted(
                tuple(str(value) for value in record.values())
                for record in await conn.fetch(f"SELECT * FROM {table}")
            )
            for table in PROJECTION_TABLES
        }


async def test_batches_project_what_one_at_a_time_projects(infra: Infra) -> None:
    year = generated_year()
    sent = [*year, *awkward(), *republished(year)]
    one_at_a_time = await project(await fresh_database(infra.postgres_url), sent, None)
    for batch in (len(sent), 97):
        batched = await project(await fresh_database(infra.postgres_url), sent, batch)
        for table in PROJECTION_TABLES:
            assert batched[table] == one_at_a_time[table], (table, batch)
    kinds = {type(event.payload) for event in sent}
    assert {ev.MemberErased, ev.AttendanceRecorded, ev.MatchConfirmed} <= kinds
    assert len(one_at_a_time["matches"]) > 3 and len(one_at_a_time["attendees"]) > 3
    assert len(one_at_a_time["member_departures"]) >= 1
