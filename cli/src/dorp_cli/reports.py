"""Reports from a running region: ask its reporting service (request/reply), write the
files, and read the anonymised aggregates regions publish for the overview."""

from __future__ import annotations

import json
from pathlib import Path

from nats.aio.client import Client
from nats.js.errors import NotFoundError
from pydantic import ValidationError

from dorp_shared.commands import ErrorReply
from dorp_shared.contracts.reports import (
    AggregatesPublished,
    PublishAggregates,
    RegionAggregates,
    ReportFormat,
    ReportQuery,
    ReportReply,
)
from dorp_shared.contracts.subjects import (
    AGGREGATE,
    EVENT_AREAS,
    aggregate_subject,
    command_subject,
    stream_name,
)
from dorp_shared.errors import DorpError

REPORT_TIMEOUT_SECONDS = 60.0
"""A PDF of a big year takes a while to render."""


class ReportRefused(DorpError):
    pass


async def fetch_report(
    nc: Client, region: str, period: str = "all", fmt: ReportFormat = "md"
) -> ReportReply:
    query = ReportQuery(period=period, format=fmt)
    data = await _ask(nc, region, "report", query.model_dump_json().encode())
    return ReportReply.model_validate_json(data)


async def publish_aggregates(nc: Client, region: str, period: str) -> AggregatesPublished:
    body = PublishAggregates(period=period).model_dump_json().encode()
    data = await _ask(nc, region, "publish_aggregates", body)
    return AggregatesPublished.model_validate_json(data)


async def _ask(nc: Client, region: str, command: str, body: bytes) -> bytes:
    subject = command_subject(region, "reporting", command)
    reply = await nc.request(subject, body, timeout=REPORT_TIMEOUT_SECONDS)
    status = int((reply.headers or {}).get("Dorp-Status", "200"))
    if status >= 400:
        try:
            refused = ErrorReply.model_validate_json(reply.data)
            raise ReportRefused(f"reporting refused the request: {refused.detail}")
        except ValidationError:
            raise ReportRefused(f"reporting answered status {status}") from None
    return bytes(reply.data)


def write_files(reply: ReportReply, out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for file in reply.files:
        path = out_dir / Path(file.name).name
        path.write_bytes(file.data())
        written.append(path)
    return written


def write_report(reply: ReportReply, out_dir: Path) -> list[Path]:
    """The reply's files, plus the report data as JSON when the format was not JSON."""
    written = write_files(reply, out_dir)
    if reply.format != "json" and reply.files:
        stem = Path(reply.files[0].name).stem.split(".")[0]
        data = out_dir / f"{stem}.json"
        data.write_text(json.dumps(reply.report, indent=2, ensure_ascii=False) + "\n", "utf-8")
        written.append(data)
    return written


async def read_aggregates(nc: Client, region: str, period: str) -> RegionAggregates | None:
    """The latest aggregates a region published for ``period``, or None."""
    js = nc.jetstream()
    try:
        raw = await js.get_last_msg(
            stream_name(region, AGGREGATE), aggregate_subject(region, period)
        )
    except NotFoundError:
        return None
    return RegionAggregates.model_validate_json(raw.data or b"")


async def reporting_caught_up(nc: Client, region: str) -> bool:
    """True when reporting's durable consumers have nothing pending."""
    js = nc.jetstream()
    for area in ("registration", "matching", "notifications"):
        try:
            info = await js.consumer_info(stream_name(region, area), f"reporting-{area}")
        except NotFoundError:
            return False
        if info.num_pending or info.num_ack_pending:
            return False
    return True


async def region_caught_up(nc: Client, region: str) -> bool:
    """True when every service's durable consumer of every event stream of the region has
    nothing pending, redeliveries waiting for their delay included: matching has made every
    proposal it will make, and reporting has projected them."""
    js = nc.jetstream()
    for area in EVENT_AREAS:
        try:
            consumers = await js.consumers_info(stream_name(region, area))
        except NotFoundError:
            return False
        if any(info.num_pending or info.num_ack_pending for info in consumers):
            return False
    return await reporting_caught_up(nc, region)
