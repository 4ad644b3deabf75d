"""Every format of one report: self-contained HTML with SVG charts, a PDF whose text holds
the headings, Markdown, one CSV per table, JSON; Dutch first, then English."""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata

import pypdf
import pytest

from dorp_reporting.domain.report import Chart, Report, Section, Series, Text
from dorp_reporting.formats import FORMATS, render_report
from tests.unit.reporting.sample import ARABIC, POLISH, QUOTE, TURKISH, year_report

EXTERNAL = re.compile(
    r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//|url\(|@import|<link|<script""", re.I
)


def pdf_text(data: bytes) -> str:
    """The text a reader copies out of the PDF (pypdf reads the fonts' Unicode maps)."""
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)


def test_html_is_self_contained_with_svg_charts_and_both_languages() -> None:
    [page] = render_report(year_report(), "html")
    html = page.content.decode()
    assert page.name == "rapport-lochem-2026.html" and page.media_type == "text/html"
    assert html.count("<svg") >= 8  # four charts, in Dutch and in English
    assert EXTERNAL.search(html) is None
    assert html.index("<h2>Kerncijfers</h2>") < html.index("<h2>Key figures</h2>")
    assert "Ik voel me minder alleen — echt waar." in html and TURKISH in html


def test_html_escapes_what_people_wrote() -> None:
    report = year_report()
    quotes = report.section("quotes")
    assert quotes is not None
    risky = quotes.model_copy(
        update={"entries": (quotes.entries[0].model_copy(update={"text": "<script>x</script>"}),)}
    )
    sections = tuple(risky if s.key == "quotes" else s for s in report.sections)
    html = render_report(report.model_copy(update={"sections": sections}), "html")[0].content
    assert b"<script>" not in html and b"&lt;script&gt;" in html


def test_pdf_holds_the_headings_in_dutch_and_english() -> None:
    [document] = render_report(year_report(), "pdf")
    assert document.content.startswith(b"%PDF")
    text = pdf_text(document.content)
    headings = (
        "Jaarverslag #Opladers — Gemeente Lochem",
        "Kerncijfers",
        "Key figures",
        "Speerpunten voor het komende jaar",
        "Partner organisations",
    )
    for heading in headings:
        assert heading in text
    assert text.index("Kerncijfers") < text.index("Key figures")


def test_pdf_shows_turkish_polish_and_arabic_as_written() -> None:
    [document] = render_report(year_report(), "pdf")
    text = pdf_text(document.content)
    assert QUOTE in text and TURKISH in text and POLISH in text  # no "?" for "ş" or "ł"
    # Arabic is laid out right to left, so words come out in visual order, each whole
    # (pypdf leaves a control character where harfbuzz shaped a ligature).
    shown = "".join(c for c in text if c == "\n" or unicodedata.category(c) != "Cc")
    for word in ARABIC.split():
        assert word in shown


CHART_LABELS = ("Gölköy", "Łódź", "إفطار")


def chart_only(labels: tuple[str, ...]) -> Report:
    """The sample report with one section: a bar chart whose only text in those letters is
    its labels."""
    chart = Chart(
        key="kernen",
        title=Text(nl="Per kern", en="By kern"),
        kind="bar",
        labels=labels,
        series=(Series(name=Text(nl="n", en="n"), values=(3.0, 4.0, 5.0)),),
    )
    section = Section(key="chart", title=Text(nl="Grafiek", en="Chart"), charts=(chart,))
    return year_report().model_copy(update={"sections": (section,)})


def test_svg_chart_labels_keep_turkish_polish_and_arabic_letters() -> None:
    report = chart_only(CHART_LABELS)
    [page] = render_report(report, "html")
    for label in CHART_LABELS:
        assert f">{label}</text>" in page.content.decode()
    [document] = render_report(report, "pdf")
    text = pdf_text(document.content)
    assert "Gölköy" in text and "Łódź" in text  # not "Golkoy", "Lodz" or "?"
    assert "?" not in text
    assert set("إفطار") <= set(text)  # Arabic letters drawn (in visual order), not "?"


def test_csv_is_one_parsable_file_per_table() -> None:
    report = year_report()
    files = render_report(report, "csv")
    expected = [f"rapport-lochem-2026-{table.key}.csv" for table in report.tables()]
    assert [f.name for f in files] == expected
    activities = next(f for f in files if f.name.endswith("-activiteiten.csv"))
    rows = list(csv.DictReader(io.StringIO(activities.content.decode())))
    festival = next(row for row in rows if row["key"] == "b")
    assert festival["Bijeenkomsten / Sessions"] == "1"
    assert festival["Unieke deelnemers / Unique participants"] == "<5"
    assert rows[-1]["Initiatief (nl)"] == "Totaal"


def test_markdown_is_dutch_first_then_english() -> None:
    markdown = render_report(year_report(), "md")[0].content.decode()
    dutch, english = markdown.split("\n---\n")
    assert dutch.startswith("# Jaarverslag #Opladers — Gemeente Lochem")
    assert english.startswith("\n# Annual report #Opladers — Gemeente Lochem")
    assert "| scholen | 3 | 0 | 3 |" in dutch and "| schools | 3 | 0 | 3 |" in english


def test_json_is_the_report_as_data() -> None:
    data = json.loads(render_report(year_report(), "json")[0].content)
    assert data["period"] == "2026" and data["figures"]["members"]["value"] == 18


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_renders_a_month_without_data(fmt: str) -> None:
    from dorp_reporting.domain.facts import ReportData

    files = render_report(year_report(ReportData(), "2026-03"), fmt)  # type: ignore[arg-type]
    assert files and all(f.content for f in files)
