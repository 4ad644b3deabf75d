"""PDF with fpdf2 (pure Python: no Pango or other system library needed).

Text is set in Noto Sans, embedded (subset) from the ``fontpkg-noto-sans`` packages, so
Turkish, Polish and other Latin letters show as written; Arabic falls back to Noto Sans
Arabic and is shaped right to left with HarfBuzz (``uharfbuzz``). The fonts are variable
fonts used at their default instance (regular): instancing a bold weight takes seconds per
report, so headings are drawn bold by stroking the regular outlines. The SVG charts name
these fonts on each text (fpdf2 draws SVG text without fallback fonts): Noto Sans, or Noto
Sans Arabic for a label in Arabic script, so chart labels keep every letter too.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from importlib.resources import files

from fpdf import FPDF, XPos, YPos
from fpdf.enums import TextMode
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
FONT = "NotoSans"
FALLBACK = "NotoSansArabic"
SHAPED_FROM = 0x0590
"""The first code point of the scripts that are shaped (Hebrew, then Arabic and on)."""
_TOOLTIP = re.compile(r"<title>.*?</title>")  # fpdf2 does not draw SVG titles
ARABIC = range(0x0600, 0x0900)
"""Arabic, Syriac, Thaana, NKo, Samaritan, Mandaic and the Arabic supplements and
extensions: the letters Noto Sans Arabic holds and Noto Sans does not."""


def svg_font(text: str) -> str:
    """The embedded font an SVG text is drawn in: Noto Sans Arabic for text in Arabic
    script (a label is one name: one script), else Noto Sans."""
    return FALLBACK if any(ord(char) in ARABIC for char in text) else FONT


def _font_files() -> dict[tuple[str, str], str]:
    """(family, style) to the font file; bold uses the regular file (see the module doc)."""
    sans = files("fontpkg_noto_sans") / "files"
    arabic = files("fontpkg_noto_sans_arabic") / "files"
    regular = str(sans / "NotoSans[wdth,wght].ttf")
    return {
        (FONT, ""): regular,
        (FONT, "B"): regular,
        (FONT, "I"): str(sans / "NotoSans-Italic[wdth,wght].ttf"),
        (FALLBACK, ""): str(arabic / "NotoSansArabic[wdth,wght].ttf"),
    }


def _use_unicode_fonts(pdf: FPDF) -> None:
    for (family, style), path in _font_files().items():
        pdf.add_font(family, style, path)
    pdf.set_fallback_fonts([FALLBACK], exact_match=False)
    pdf.set_text_shaping(True)


@contextmanager
def _bold(pdf: FPDF) -> Iterator[None]:
    """Bold by stroking the outlines in the text colour (the fonts are regular only)."""
    if pdf.text_color is not None:
        pdf.set_draw_color(pdf.text_color)
    pdf.set_line_width(0.2)
    pdf.text_mode = TextMode.FILL_STROKE
    try:
        yield
    finally:
        pdf.text_mode = TextMode.FILL


def _needs_shaping(texts: Iterable[str]) -> bool:
    """Text in a script past Latin, Greek and Cyrillic (Arabic, Hebrew, ...). HarfBuzz
    shaping makes fpdf2 measure every character through it: three times the time of a
    report, so only text that needs it is shaped."""
    return any(ord(char) >= SHAPED_FROM for text in texts for char in text)


def _text(pdf: FPDF, height: float, text: str) -> None:
    pdf.set_text_shaping(_needs_shaping([text]))
    pdf.multi_cell(0, height, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


class _ReportPdf(FPDF):
    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, size=8)
        self.set_text_color(120)
        self.cell(0, 8, str(self.page_no()), align="C")


def render_pdf(report: Report) -> bytes:
    pdf = _ReportPdf(format="A4")
    _use_unicode_fonts(pdf)
    pdf.set_title(title(report, "nl"))
    pdf.set_creator("Dorp")
    pdf.set_auto_page_break(True, margin=16)
    for language in LANGUAGES:
        pdf.add_page()
        _cover(pdf, report, language)
        for section in report.sections:
            _section(pdf, section, language)
    return bytes(pdf.output())


def _cover(pdf: FPDF, report: Report, language: str) -> None:
    pdf.set_font(FONT, size=18)
    pdf.set_text_color(*ACCENT)
    with _bold(pdf):
        _text(pdf, 9, title(report, language))
    pdf.set_font(FONT, size=10)
    pdf.set_text_color(80)
    for line in (period_line(report, language), generated_line(report, language)):
        _text(pdf, 6, line)
    pdf.ln(4)


def _section(pdf: FPDF, section: Section, language: str) -> None:
    if pdf.get_y() > pdf.h - 60:
        pdf.add_page()
    pdf.set_font(FONT, size=13)
    pdf.set_text_color(*ACCENT)
    with _bold(pdf):
        _text(pdf, 8, section.title.of(language))
    pdf.set_text_color(20)
    pdf.set_font(FONT, size=10)
    for paragraph in section.paragraphs:
        _text(pdf, 5, paragraph.of(language))
        pdf.ln(1)
    for entry in section.entries:
        pdf.set_font(FONT, "I" if section.key == "quotes" else "", 10)
        _text(pdf, 5, f"- {entry.text}")
        pdf.set_font(FONT, size=9)
        for note in entry.notes:
            pdf.set_x(pdf.l_margin + 4)
            _text(pdf, 4.5, note.of(language))
        pdf.ln(1)
    for table in section.tables:
        _table(pdf, table, language)
    for chart in section.charts:
        svg = _TOOLTIP.sub("", chart_svg(chart, language, font=svg_font))
        pdf.set_text_shaping(_needs_shaping([svg]))
        pdf.image(io.BytesIO(svg.encode("utf-8")), w=min(160.0, pdf.epw))
        pdf.ln(2)
    pdf.ln(3)


def _table(pdf: FPDF, table: Table, language: str) -> None:
    pdf.set_font(FONT, size=10)
    with _bold(pdf):
        _text(pdf, 6, table.title.of(language))
    pdf.set_font(FONT, size=9)
    columns = len(header(table, language))
    widths = (3.0, *([1.0] * (columns - 1)))
    rows = [header(table, language), *(row_cells(table, r, language) for r in body_rows(table))]
    pdf.set_text_shaping(_needs_shaping(cell for cells in rows for cell in cells))
    with pdf.table(
        col_widths=widths,
        text_align=("LEFT", *(["RIGHT"] * (columns - 1))),
        headings_style=FontFace(emphasis="BOLD", fill_color=(238, 244, 247)),
        line_height=5,
        first_row_as_headings=True,
    ) as grid:
        for cells in rows:
            row = grid.row()
            for cell in cells:
                row.cell(cell)
    pdf.ln(2)
