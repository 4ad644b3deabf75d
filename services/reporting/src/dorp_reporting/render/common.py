"""What every format says the same way: titles, the period line, cell text."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from dorp_reporting.domain.period import Period
from dorp_reporting.domain.report import Report, Row, Table

LANGUAGES = ("nl", "en")
WORDS = {
    "nl": {"title": "Jaarverslag", "month": "Maandverslag", "all": "Verslag", "period": "Periode",
           "generated": "Gemaakt op", "language": "Nederlands"},
    "en": {"title": "Annual report", "month": "Monthly report", "all": "Report", "period": "Period",
           "generated": "Generated at", "language": "English"},
}  # fmt: skip


def title(report: Report, language: str) -> str:
    words = WORDS[language]
    kind = {"year": words["title"], "month": words["month"]}.get(report.period_kind, words["all"])
    return f"{kind} {report.programme} — {report.region_name}"


def period_line(report: Report, language: str) -> str:
    words = WORDS[language]
    return f"{words['period']}: {Period.parse(report.period).label(language)}"


def generated_line(report: Report, language: str) -> str:
    local = report.generated_at.astimezone(ZoneInfo(report.time_zone))
    return f"{WORDS[language]['generated']}: {local:%Y-%m-%d %H:%M} ({report.time_zone})"


def header(table: Table, language: str) -> list[str]:
    cells = [table.label_header.of(language), *(c.of(language) for c in table.columns)]
    if table.total_header:
        cells.append(table.total_header.of(language))
    return cells


def row_cells(table: Table, row: Row, language: str) -> list[str]:
    cells = [row.label.of(language), *(f.display for f in row.cells)]
    if table.total_header:
        cells.append(row.total.display if row.total else "")
    return cells


def body_rows(table: Table) -> list[Row]:
    return [*table.rows, *([table.totals] if table.totals else [])]
