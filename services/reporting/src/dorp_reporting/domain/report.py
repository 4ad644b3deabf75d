"""The report as data: key figures, then sections of paragraphs, tables, charts and
entries, each text in Dutch and English. Every output format renders this one model."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict

from dorp_reporting.domain.facts import ReportData
from dorp_reporting.domain.figures import Figure, people, people_parts
from dorp_reporting.domain.period import Period
from dorp_shared import vocabulary
from dorp_shared.regions import Region
from dorp_shared.vocabulary import ROLE_ORDER, role_words


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True)


class Text(_Model):
    nl: str
    en: str

    def of(self, language: str) -> str:
        return self.en if language == "en" else self.nl


class RoleLine(_Model):
    role: str
    nl: str
    en: str
    members: Figure


class Figures(_Model):
    """Key figures of the period: new members, help and messages."""

    members: Figure
    members_by_role: tuple[RoleLine, ...]
    requests: Figure
    offers: Figure
    matches: Figure
    notifications_sent: Figure


class Row(_Model):
    key: str
    label: Text
    cells: tuple[Figure, ...]
    total: Figure | None = None


class Table(_Model):
    """One table; CSV gives one file per table, named after ``key``."""

    key: str
    title: Text
    label_header: Text
    columns: tuple[Text, ...]
    rows: tuple[Row, ...]
    totals: Row | None = None
    total_header: Text | None = None


class Series(_Model):
    name: Text
    values: tuple[float | None, ...]


class Chart(_Model):
    key: str
    title: Text
    kind: Literal["bar", "line"]
    labels: tuple[str, ...]
    series: tuple[Series, ...]
    y_max: float | None = None


class Entry(_Model):
    """A quote, a decision or an editorial item: text shown as written, with notes."""

    text: str
    notes: tuple[Text, ...] = ()


class Section(_Model):
    key: str
    title: Text
    paragraphs: tuple[Text, ...] = ()
    tables: tuple[Table, ...] = ()
    charts: tuple[Chart, ...] = ()
    entries: tuple[Entry, ...] = ()


class Report(_Model):
    programme: str
    region_id: str
    region_name: str
    area_unit: str
    period: str
    period_kind: str = "all"
    generated_at: AwareDatetime
    time_zone: str
    small_count_threshold: int
    figures: Figures
    sections: tuple[Section, ...] = ()

    def section(self, key: str) -> Section | None:
        return next((s for s in self.sections if s.key == key), None)

    def tables(self) -> list[Table]:
        return [table for section in self.sections for table in section.tables]


def build_report(
    region: Region, period: Period, data: ReportData, generated_at: datetime
) -> Report:
    from dorp_reporting.domain.sections import build_sections

    return Report(
        programme=region.programme.name,
        region_id=region.id,
        region_name=region.name,
        area_unit=region.area_unit,
        period=period.key,
        period_kind=period.kind,
        generated_at=generated_at,
        time_zone=region.time_zone,
        small_count_threshold=region.report_small_count_threshold,
        figures=key_figures_of(region, data),
        sections=tuple(build_sections(region, period, data, generated_at)),
    )


def key_figures_of(region: Region, data: ReportData) -> Figures:
    threshold = region.report_small_count_threshold
    roles = {role: data.new_members.get(role, 0) for role in ROLE_ORDER}
    roles.update(data.new_members)
    total, by_role = people_parts(sum(roles.values()), roles, threshold)
    help_ = data.help
    return Figures(
        members=total,
        members_by_role=tuple(
            RoleLine(role=role, nl=role_words(role)[0], en=role_words(role)[1], members=figure)
            for role, figure in by_role.items()
        ),
        requests=people(sum(help_.requests.values()), threshold),
        offers=people(sum(help_.offers.values()), threshold),
        matches=people(sum(help_.proposed.values()), threshold),
        notifications_sent=Figure.exact(sum(data.notifications.values())),
    )


def area_unit_words(report: Report) -> tuple[str, str]:
    return vocabulary.area_unit_words(report.area_unit)
