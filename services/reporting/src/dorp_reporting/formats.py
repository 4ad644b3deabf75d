"""A report as files: one entry point for the CLI, the request/reply query and the portal."""

from __future__ import annotations

from dataclasses import dataclass

from dorp_reporting.domain.report import Report
from dorp_reporting.render.csv_tables import table_csv
from dorp_reporting.render.html import render_html
from dorp_reporting.render.markdown import render_markdown
from dorp_shared.contracts.reports import REPORT_FORMATS, ReportFormat

FORMATS: tuple[str, ...] = REPORT_FORMATS
__all__ = ["FORMATS", "ReportFile", "ReportFormat", "file_stem", "render_report"]


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
    if fmt == "html":
        return [ReportFile(f"{stem}.html", "text/html", render_html(report).encode())]
    if fmt == "pdf":
        from dorp_reporting.render.pdf import render_pdf  # fpdf2: seconds of start-up else

        return [ReportFile(f"{stem}.pdf", "application/pdf", render_pdf(report))]
    if fmt == "csv":
        return [
            ReportFile(f"{stem}-{table.key}.csv", "text/csv", table_csv(table).encode())
            for table in report.tables()
        ]
    raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
