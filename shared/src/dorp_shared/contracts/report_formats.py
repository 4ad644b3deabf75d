"""The formats a report comes in: a module of its own, so that the command line can name
them in its help without loading the report contracts."""

from typing import Literal, get_args

ReportFormat = Literal["html", "pdf", "md", "csv", "json"]
REPORT_FORMATS: tuple[str, ...] = get_args(ReportFormat)
