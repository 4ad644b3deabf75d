"""PDF with fpdf2 (pure Python: no Pango or other system library needed).

The PDF core fonts cover Latin-1 only, so other characters are transliterated ("—" to
"-", "ş" to "s"); text in scripts without a Latin form shows as "?". The HTML format
shows every script as written.
"""

from __future__ import annotations

import io
import re
import unicodedata

from fpdf import FPDF, XPos, YPos
from fpdf.fonts import FontFace

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
from dorp_reporting.render.svg import chart_svg

ACCENT = (47, 111, 143)
_TOOLTIP = re.compile(r"<title>.*?</title>")  # fpdf2 does not draw SVG titles
_REPLACEMENTS = {"—": "-", "–": "-", "≥": ">=", "≤": "<=", "…": "...", "‘": "'", "’": "'",
                 "“": '"', "”": '"', "•": "-", "€": "EUR"}  # fmt: skip


def latin1(text: str) -> str:
    """Text the core fonts can show: Latin-1 as is, the rest transliterated or "?"."""
    out = []
    for char in text:
        char = _REPLACEMENTS.get(char, char)
        if all(ord(c) < 256 for c in char):
            out.append(char)
            continue
        base = unicodedata.normalize("NFKD", char).encode("latin-1", "ignore").decode("latin-1")
        out.append(base or "?")
    return "".join(out)


def _text(pdf: FPDF, height: float, text: str) -> None:
    pdf.multi_cell(0, height, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


class _ReportPdf(FPDF):
    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("Helvetica", size=8)
        self.set_text_color(120)
        self.cell(0, 8, str(self.page_no()), align="C")


def render_pdf(report: Report) -> bytes:
    pdf = _ReportPdf(format="A4")
    pdf.set_title(latin1(title(report, "nl")))
    pdf.set_creator("Dorp")
    pdf.set_auto_page_break(True, margin=16)
    for language in LANGUAGES:
        pdf.add_page()
        _cover(pdf, report, language)
        for section in report.sections:
            _section(pdf, section, language)
    return bytes(pdf.output())


def _cover(pdf: FPDF, report: Report, language: str) -> None:
    pdf.set_font("Helvetica", "B", 18)
    pdf.set_text_color(*ACCENT)
    _text(pdf, 9, latin1(title(report, language)))
    pdf.set_font("Helvetica", size=10)
    pdf.set_text_color(80)
    for line in (period_line(report, language), generated_line(report, language)):
        _text(pdf, 6, latin1(line))
    pdf.ln(4)


def _section(pdf: FPDF, section: Section, language: str) -> None:
    if pdf.get_y() > pdf.h - 60:
        pdf.add_page()
    pdf.set_font("Helvetica", "B", 13)
    pdf.set_text_color(*ACCENT)
    _text(pdf, 8, latin1(section.title.of(language)))
    pdf.set_text_color(20)
    pdf.set_font("Helvetica", size=10)
    for paragraph in section.paragraphs:
        _text(pdf, 5, latin1(paragraph.of(language)))
        pdf.ln(1)
    for entry in section.entries:
        pdf.set_font("Helvetica", "I" if section.key == "quotes" else "", 10)
        _text(pdf, 5, latin1(f"- {entry.text}"))
        pdf.set_font("Helvetica", size=9)
        for note in entry.notes:
            pdf.set_x(pdf.l_margin + 4)
            _text(pdf, 4.5, latin1(note.of(language)))
        pdf.ln(1)
    for table in section.tables:
        _table(pdf, table, language)
    for chart in section.charts:
        svg = _TOOLTIP.sub("", chart_svg(chart, language))
        pdf.image(io.BytesIO(latin1(svg).encode("utf-8")), w=min(160.0, pdf.epw))
        pdf.ln(2)
    pdf.ln(3)


def _table(pdf: FPDF, table: Table, language: str) -> None:
    pdf.set_font("Helvetica", "B", 10)
    _text(pdf, 6, latin1(table.title.of(language)))
    pdf.set_font("Helvetica", size=9)
    columns = len(header(table, language))
    widths = (3.0, *([1.0] * (columns - 1)))
    with pdf.table(
        col_widths=widths,
        text_align=("LEFT", *(["RIGHT"] * (columns - 1))),
        headings_style=FontFace(emphasis="BOLD", fill_color=(238, 244, 247)),
        line_height=5,
        first_row_as_headings=True,
    ) as grid:
        for cells in [
            header(table, language),
            *(row_cells(table, r, language) for r in body_rows(table)),
        ]:
            row = grid.row()
            for cell in cells:
                row.cell(latin1(cell))
    pdf.ln(2)
