"""Reporting's commands, served over NATS request/reply and HTTP (``POST /v1/<name>``):
the report in any format, and publishing a period's anonymised aggregates."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from dorp_reporting.adapters.uow import PgReportingUnitOfWork
from dorp_reporting.domain.aggregates import shareable
from dorp_reporting.domain.period import Period
from dorp_reporting.domain.report import Report, build_report
from dorp_reporting.formats import render_report
from dorp_shared.commands import Command, CommandContext
from dorp_shared.contracts.envelope import MSG_ID_HEADER
from dorp_shared.contracts.reports import (
    AggregatesPublished,
    PublishAggregates,
    RegionAggregates,
    ReportFileData,
    ReportQuery,
    ReportReply,
)
from dorp_shared.contracts.subjects import AGGREGATE, aggregate_subject, stream_name


async def _report(uow: PgReportingUnitOfWork, ctx: CommandContext, period: Period) -> Report:
    region = ctx.region
    data = await uow.projections.report_data(
        period, period.window(region.time_zone), region.time_zone
    )
    return build_report(region, period, data, ctx.now)


async def enqueue_aggregates(uow: PgReportingUnitOfWork, report: Report) -> str:
    """Queue the report's shareable figures for the aggregate subject (via the outbox)."""
    aggregates = RegionAggregates(
        region_id=report.region_id,
        region_name=report.region_name,
        programme=report.programme,
        period=report.period,
        generated_at=report.generated_at,
        small_count_threshold=report.small_count_threshold,
        report=shareable(report).model_dump(mode="json"),
    )
    subject = aggregate_subject(report.region_id, report.period)
    message_id = uuid.uuid4()
    await uow.enqueue(
        subject,
        stream_name(report.region_id, AGGREGATE),
        {MSG_ID_HEADER: str(message_id)},
        aggregates.model_dump_json().encode(),
        message_id=message_id,
    )
    return subject


async def report(
    uow: PgReportingUnitOfWork, ctx: CommandContext, query: ReportQuery
) -> ReportReply:
    made = await _report(uow, ctx, Period.parse(query.period))
    await enqueue_aggregates(uow, made)
    files = await asyncio.to_thread(render_report, made, query.format)
    return ReportReply(
        period=made.period,
        format=query.format,
        files=tuple(ReportFileData.of(f.name, f.media_type, f.content) for f in files),
        report=made.model_dump(mode="json"),
    )


async def publish_aggregates(
    uow: PgReportingUnitOfWork, ctx: CommandContext, query: PublishAggregates
) -> AggregatesPublished:
    made = await _report(uow, ctx, Period.parse(query.period))
    subject = await enqueue_aggregates(uow, made)
    return AggregatesPublished(subject=subject, period=made.period, generated_at=made.generated_at)


COMMANDS: tuple[Command[PgReportingUnitOfWork, Any, Any], ...] = (
    Command(
        name="report",
        input=ReportQuery,
        output=ReportReply,
        handle=report,
        summary="The region's report of a period in one format (binary formats base64).",
        tag="reports",
        query=True,
        description="Also publishes the period's anonymised aggregates.",
    ),
    Command(
        name="publish_aggregates",
        input=PublishAggregates,
        output=AggregatesPublished,
        handle=publish_aggregates,
        summary="Publish a period's anonymised aggregates for the cross-region overview.",
        tag="reports",
        query=True,
    ),
)
