"""A report as files: one entry point for the CLI, the request/reply query and the portal."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

from dorp_reporting.domain.render import render_markdown
from dorp_reporting.domain.report import Report

ReportFormat = Literal["html", "pdf", "md", "csv", "json"]
FORMATS: tuple[str, ...] = get_args(ReportFormat)


@dataclass(frozen=True)
class ReportFile:
    name: str
    media_type: str
    content: bytes


def file_stem(report: Report) -> str:
    return f"rapport-{report.region_id}-{report.period}"


def render_report(report: Report, fmt: ReportFormat) -> list[ReportFile]:
    """The files of one format (CSV gives one file per table)."""
    stem = file_stem(report)
    if fmt == "md":
        return [ReportFile(f"{stem}.md", "text/markdown", render_markdown(report).encode())]
    if fmt == "json":
        body = report.model_dump_json(indent=2).encode()
        return [ReportFile(f"{stem}.json", "application/json", body)]
    raise ValueError(f"format {fmt!r} is not available yet; choose md or json")
