"""Markdown for municipal staff: the whole report in Dutch, then the same in English."""

from __future__ import annotations

from dorp_reporting.domain.report import Report, Section, Table
from dorp_reporting.render.common import (
    LANGUAGES,
    body_rows,
    generated_line,
    header,
    period_line,
    row_cells,
    title,
)


def render_markdown(report: Report) -> str:
    return "\n---\n\n".join(_language(report, language) for language in LANGUAGES)


def _language(report: Report, language: str) -> str:
    lines = [
        f"# {title(report, language)}",
        "",
        f"- {period_line(report, language)}",
        f"- {generated_line(report, language)}",
        "",
    ]
    for section in report.sections:
        lines += _section(section, language)
    return "\n".join(lines)


def _section(section: Section, language: str) -> list[str]:
    lines = [f"## {section.title.of(language)}", ""]
    for paragraph in section.paragraphs:
        lines += [paragraph.of(language), ""]
    for entry in section.entries:
        notes = "; ".join(note.of(language) for note in entry.notes)
        lines.append(f"- {_inline(entry.text)}" + (f" _({_inline(notes)})_" if notes else ""))
    if section.entries:
        lines.append("")
    for table in section.tables:
        lines += [*table_markdown(table, language, titled=table.title != section.title), ""]
    return lines


def table_markdown(table: Table, language: str, titled: bool = True) -> list[str]:
    """A Markdown table: first column left, numbers right."""
    head = header(table, language)
    rule = "|" + "|".join(["---"] + ["---:"] * (len(head) - 1)) + "|"
    out = [f"**{table.title.of(language)}**", ""] if titled else []
    out += [_line(head), rule]
    out += [_line(row_cells(table, row, language)) for row in body_rows(table)]
    return out


def _line(cells: list[str]) -> str:
    return "| " + " | ".join(_inline(cell).replace("|", "\\|") for cell in cells) + " |"


def _inline(text: str) -> str:
    """Free text on one line, so a quote cannot break the document's structure."""
    return " ".join(text.split())
