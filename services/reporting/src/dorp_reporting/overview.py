"""The cross-region overview: regions side by side, from the anonymised aggregates each
region publishes on ``dorp.<region>.aggregate.v1.<period>``.

Only figures that were already suppressed in each region arrive here, so the overview
cannot show more than the regions' own reports. Each comparison row is a region's figure
as published ("<5" stays "<5").
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from dorp_reporting.domain.figures import Figure
from dorp_reporting.domain.report import Figures, Report, Row, Section, Table, Text
from dorp_shared.contracts.reports import RegionAggregates

T = Text


def build_overview(
    aggregates: Sequence[RegionAggregates], period: str, generated_at: datetime
) -> Report:
    reports = [Report.model_validate(a.report) for a in aggregates]
    names = ", ".join(r.region_name for r in reports)
    sections = [_comparison(reports, key) for key in _section_keys(reports)]
    first = reports[0]
    empty = Figure.below(first.small_count_threshold)
    return Report(
        programme="Dorp",
        region_id="overzicht",
        region_name=names,
        area_unit=first.area_unit,
        period=period,
        period_kind=first.period_kind,
        generated_at=generated_at,
        time_zone=first.time_zone,
        small_count_threshold=max(r.small_count_threshold for r in reports),
        figures=Figures(
            members=empty,
            members_by_role=(),
            requests=empty,
            offers=empty,
            matches=empty,
            notifications_sent=empty,
        ),
        sections=tuple(s for s in sections if s.tables),
    )


def _section_keys(reports: Sequence[Report]) -> list[str]:
    return list(dict.fromkeys(s.key for r in reports for s in r.sections if s.tables))


def _comparison(reports: Sequence[Report], key: str) -> Section:
    tables = []
    title: Text | None = None
    for table_key in dict.fromkeys(
        t.key for r in reports if (s := r.section(key)) for t in s.tables
    ):
        found = [_table(r, key, table_key) for r in reports]
        sample = next(t for t in found if t is not None)
        title = title or next(s.title for r in reports if (s := r.section(key)))
        tables.append(_side_by_side(reports, sample, found))
    return Section(key=key, title=title or T(nl=key, en=key), tables=tuple(tables))


def _table(report: Report, section_key: str, table_key: str) -> Table | None:
    section = report.section(section_key)
    return next((t for t in section.tables if t.key == table_key), None) if section else None


def _side_by_side(reports: Sequence[Report], sample: Table, found: Sequence[Table | None]) -> Table:
    """One row per (row, column) of the regions' tables, one column per region. Key
    figures compare every row; other tables compare their totals."""
    rows: list[Row] = []
    for column, heading in enumerate(sample.columns):
        for label_key, label in _row_labels(sample, found):
            cells = tuple(_cell(table, label_key, column) for table in found)
            text = (
                label
                if len(sample.columns) == 1
                else T(nl=f"{label.nl} — {heading.nl}", en=f"{label.en} — {heading.en}")
            )
            rows.append(Row(key=f"{label_key}:{column}", label=text, cells=cells))
    return Table(
        key=sample.key,
        title=sample.title,
        label_header=sample.label_header,
        columns=tuple(T(nl=r.region_name, en=r.region_name) for r in reports),
        rows=tuple(rows),
    )


def _row_labels(sample: Table, found: Sequence[Table | None]) -> list[tuple[str, Text]]:
    if sample.key == "kerncijfers":
        labels: dict[str, Text] = {}
        for table in found:
            for row in table.rows if table else ():
                labels.setdefault(row.key, row.label)
        return list(labels.items())
    totals = sample.totals
    return [("total", totals.label)] if totals else []


def _cell(table: Table | None, row_key: str, column: int) -> Figure:
    if table is None:
        return Figure(value=None, display="–", suppressed=False)
    rows = [*table.rows, *([table.totals] if table.totals else [])]
    row = next((r for r in rows if r.key == row_key), None)
    if row is None or column >= len(row.cells):
        return Figure(value=None, display="–", suppressed=False)
    return row.cells[column]
