"""Self-contained, printable HTML: inline CSS and inline SVG charts, no external requests.
Dutch first, then English."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape

from dorp_reporting.domain.report import Report, Row, Table
from dorp_reporting.render.common import (
    LANGUAGES,
    generated_line,
    header,
    period_line,
    row_cells,
    title,
)
from dorp_reporting.render.svg import chart_svg

_ENVIRONMENT = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(["html", "j2"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def _table_row(table: Table, row: Row, language: str, css: str) -> Markup:
    cells = row_cells(table, row, language)
    hidden = ["", *(f.suppressed for f in row.cells)]
    html = "".join(
        f'<td class="hidden">{escape(c)}</td>'
        if n < len(hidden) and hidden[n]
        else f"<td>{escape(c)}</td>"
        for n, c in enumerate(cells)
    )
    return Markup(f'<tr class="{css}">{html}</tr>')


def render_html(report: Report) -> str:
    template = _ENVIRONMENT.get_template("report.html.j2")
    return template.render(
        report=report,
        languages=LANGUAGES,
        titles={lang: title(report, lang) for lang in LANGUAGES},
        periods={lang: period_line(report, lang) for lang in LANGUAGES},
        generated={lang: generated_line(report, lang) for lang in LANGUAGES},
        header=header,
        table_row=_table_row,
        svg=lambda chart, language: Markup(chart_svg(chart, language)),
    )
