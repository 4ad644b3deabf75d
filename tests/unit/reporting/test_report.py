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


def test_learning_communities_show_theme_and_phase_and_the_survey_hides_small_counts() -> None:
    report = year_report()
    section = report.section("learning_communities")
    assert section is not None
    assert [(e.text, e.notes[1].nl) for e in section.entries] == [
        ("Samen opvoeden in de wijk", "fase: dromen (3 van 6)"),
        ("Ouders ontmoeten elkaar op school", "fase: definiëren (1 van 6)"),
    ]
    assert section.entries[0].notes[1].en == "phase: dream (3 of 6)"
    assert cells(report, "learning_communities", "lochem") == ["3", "<5"]  # phase, leads
    # Laren's 2 respondents are hidden, and so is Lochem's 9, which would give it away.
    table = next(t for t in section.tables if t.key == "enquete_per_gebied")
    assert [[f.display for f in row.cells] for row in table.rows] == [["x"], ["<5"]]
    assert table.totals and table.totals.cells[0].display == "11"
    # A mean only from enough answers.
    assert cells(report, "learning_communities", "start:more_contact") == ["11", "4.2"]
    assert cells(report, "learning_communities", "start:knows_activities") == ["<5", "–"]
    assert "11 antwoorden" in section.paragraphs[1].nl


def test_without_communities_or_survey_the_section_says_so() -> None:
    section = year_report(ReportData()).section("learning_communities")
    assert section and not section.tables and "geen leergemeenschappen" in section.paragraphs[0].nl


def test_one_partner_of_a_type_reads_in_the_singular() -> None:
    from dorp_reporting.domain.facts import OrganisationCounts

    data = ReportData(organisations=OrganisationCounts(partners={"school": 1, "library": 2}))
    organisations = year_report(data).section("organisations")
    assert organisations is not None
    assert organisations.paragraphs[0].nl == "#Opladers werkt met 1 school en 2 bibliotheken."
    assert organisations.paragraphs[0].en == "#Opladers works with 1 school and 2 libraries."


def test_a_survey_without_learning_communities_counts_no_communities() -> None:
    from dorp_reporting.domain.facts import SurveyCounts

    data = ReportData(survey=SurveyCounts(by_area={"lochem": 6}))
    section = year_report(data).section("learning_communities")
    assert section and not section.entries
    assert [p.nl.split(":")[0] for p in section.paragraphs] == ["Bewonersenquête"]
