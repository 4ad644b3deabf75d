"""The report itself: every section of seed 000's kind, suppressed figures, Dutch and
English text, editorial text in its place."""

from __future__ import annotations

from dorp_reporting.domain.facts import ReportData
from dorp_reporting.domain.report import Report
from tests.unit.reporting.sample import QUOTE, year_data, year_report


def cells(report: Report, section: str, row: str) -> list[str]:
    found = report.section(section)
    assert found is not None
    for table in found.tables:
        for line in [*table.rows, *([table.totals] if table.totals else [])]:
            if line.key == row:
                return [figure.display for figure in line.cells]
    raise AssertionError(f"no row {row} in {section}")


def test_sections_follow_the_annual_report_from_highlights_to_focus_points() -> None:
    keys = [section.key for section in year_report().sections]
    assert keys[0] == "highlights" and keys[-2:] == ["focus_points", "about"]
    assert {"activities", "coffee_dates", "help", "contact_ladder", "organisations",
            "engagement", "dialogue", "self_checks", "quotes"} <= set(keys)  # fmt: skip


def test_highlights_and_focus_points_come_from_the_editorial_text() -> None:
    report = year_report()
    highlights, focus = report.section("highlights"), report.section("focus_points")
    assert highlights and [e.text for e in highlights.entries] == [
        "Tweede festival",
        "40 nieuwe gezinnen",
    ]
    assert focus and [e.text for e in focus.entries] == ["Meer vaders bereiken"]
    empty = year_report(year_data(editorial=False)).section("focus_points")
    assert empty and not empty.entries and "geen speerpunten" in empty.paragraphs[0].nl


def test_partners_are_counted_by_type_in_a_sentence() -> None:
    organisations = year_report().section("organisations")
    assert organisations is not None
    assert organisations.paragraphs[0].nl == (
        "#Opladers werkt met 3 scholen en 2 kinderdagopvangorganisaties."
    )
    assert organisations.paragraphs[0].en.endswith("3 schools and 2 daycare organisations.")


def test_people_below_the_threshold_are_hidden_and_sessions_are_not() -> None:
    report = year_report()
    # The festival: 1 session (shown), 3 unique participants and no sign-ups (hidden).
    assert cells(report, "activities", "b") == ["1", "250", "<5", "<5"]
    # So that those cannot be worked out from the totals, the parent café's are hidden too.
    assert cells(report, "activities", "a") == ["10", "84", "x", "x"]
    assert cells(report, "activities", "total") == ["11", "334", "26", "30"]


def test_the_contact_ladder_counts_each_match_at_its_highest_step() -> None:
    report = year_report()
    assert cells(report, "contact_ladder", "help_each_other") == ["6"]
    assert cells(report, "contact_ladder", "chat") == ["<5"]


def test_engagement_shows_who_stays_and_who_leaves() -> None:
    # Volunteers: 8 at the start of 2026, 6 joined in February and left in June.
    report = year_report()
    assert cells(report, "engagement", "volunteer") == ["8", "6", "6", "8", "6"]
    engagement = report.section("engagement")
    assert engagement is not None
    [chart] = engagement.charts
    [volunteers] = chart.series  # parents' row hides small counts: no line for them
    assert volunteers.values[0] == 8 and volunteers.values[2] == 14 and volunteers.values[-1] == 8


def test_self_check_averages_need_enough_people() -> None:
    report = year_report()
    assert cells(report, "self_checks", "2026-01") == ["6", "3.2", "2.9", "3.5", "4.0"]
    assert cells(report, "self_checks", "2026-02") == ["<5", "–", "–", "–", "–"]


def test_decisions_keep_the_minority_view_and_hide_small_vote_counts() -> None:
    dialogue = year_report().section("dialogue")
    assert dialogue is not None
    [decision] = dialogue.entries
    notes = " ".join(note.nl for note in decision.notes)
    assert "Stem van de minderheid: Liever 's avonds" in notes
    assert "voor 7, tegen <5, onthouding <5" in notes


def test_quotes_and_a_period_without_data() -> None:
    quotes = year_report().section("quotes")
    assert quotes and quotes.entries[0].text == QUOTE
    assert quotes.entries[0].notes[0].nl == "— ouder / medeopvoeder"  # as seed 000
    empty = year_report(ReportData(), "2026-03")
    assert empty.period_kind == "month" and empty.figures.members.display == "<5"
    coffee = empty.section("coffee_dates")
    assert coffee and "geen koffie- of theedates" in coffee.paragraphs[0].nl
