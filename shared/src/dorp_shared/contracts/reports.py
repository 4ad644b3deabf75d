"""The report query and the anonymised aggregates, as their clients see them.

``dorp.<region>.cmd.reporting.report`` (and ``POST /v1/report``) takes a
:class:`ReportQuery` and answers a :class:`ReportReply`: the files of one format, text as
UTF-8 and binary (PDF) as base64, plus the report as JSON data.
``dorp.<region>.cmd.reporting.publish_aggregates`` publishes a period's
:class:`RegionAggregates` on ``dorp.<region>.aggregate.v1.<period>``.
"""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from dorp_shared.commands import CommandInput
from dorp_shared.contracts.report_formats import REPORT_FORMATS as REPORT_FORMATS
from dorp_shared.contracts.report_formats import ReportFormat as ReportFormat

PERIOD_PATTERN = r"^(all|(19|20|21)\d\d(-(0[1-9]|1[0-2]))?)$"
PERIOD_FIELD = Field(
    default="all",
    pattern=PERIOD_PATTERN,
    description='"all", a year ("2026") or a month ("2026-03"), in the region\'s time zone',
)


class ReportQuery(CommandInput):
    period: str = PERIOD_FIELD
    format: ReportFormat = Field(default="md", description="the files to answer with")


class ReportFileData(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    media_type: str
    encoding: Literal["utf-8", "base64"]
    content: str

    @classmethod
    def of(cls, name: str, media_type: str, data: bytes) -> ReportFileData:
        if media_type.startswith(("text/", "application/json")):
            return cls(name=name, media_type=media_type, encoding="utf-8", content=data.decode())
        encoded = base64.b64encode(data).decode("ascii")
        return cls(name=name, media_type=media_type, encoding="base64", content=encoded)

    def data(self) -> bytes:
        if self.encoding == "base64":
            return base64.b64decode(self.content)
        return self.content.encode()


class ReportReply(BaseModel):
    model_config = ConfigDict(frozen=True)

    period: str
    format: ReportFormat
    files: tuple[ReportFileData, ...]
    report: dict[str, Any] = Field(description="the report as data (the JSON format's content)")


class PublishAggregates(CommandInput):
    period: str = PERIOD_FIELD


class AggregatesPublished(BaseModel):
    model_config = ConfigDict(frozen=True)

    subject: str
    period: str
    generated_at: AwareDatetime


class RegionAggregates(BaseModel):
    """What one region shares with others: its suppressed figures, never a name, a quote
    or any other text a person wrote."""

    model_config = ConfigDict(frozen=True)

    region_id: str
    region_name: str
    programme: str
    period: str
    generated_at: datetime
    small_count_threshold: int
    report: dict[str, Any] = Field(description="the report without texts (quotes, decisions)")
