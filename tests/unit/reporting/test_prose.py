"""The report reads like seed 000: a paragraph per initiative, a section of its own for
individual meetings and walks, survey questions as residents read them, and a few quotes
per initiative instead of every quote; in Dutch and in English."""

from __future__ import annotations

from dataclasses import replace

from dorp_reporting.domain.facts import HelpCounts, QuoteFact, ReportData
from dorp_reporting.domain.prose import QUOTES_PER_GROUP, choose_quotes
from dorp_reporting.formats import render_report
from tests.unit.reporting.sample import year_data, year_report


def markdown(data: ReportData) -> tuple[str, str]:
    dutch, english = render_report(year_report(data), "md")[0].content.decode().split("\n---\n")
    return dutch, english


def test_each_initiative_gets_a_paragraph_with_the_tables_figures() -> None:
    dutch, english = markdown(year_data())
    # The café's unique participants and sign-ups are hidden in the table ("x"), so they
    # are in the sentence too (in words); the festival's small counts read "<5".
    assert (
        "Ouderkamer Lochem (ouderkamer): 10 bijeenkomsten, samen 84 keer bezocht door een "
        "verborgen aantal verschillende deelnemers (een verborgen aantal aanmeldingen)." in dutch
    )
    assert (
        "Ouder en Kind festival (festival): 1 bijeenkomst, samen 250 keer bezocht door <5 "
        "verschillende deelnemers (<5 aanmeldingen)." in dutch
    )
    assert "Ouder en Kind festival (festival): 1 session, attended 250 times in all" in english


MEETINGS = HelpCounts(
    requests={("walk_and_talk", "laren"): 9},
    proposed={("walk_and_talk", "laren"): 9, ("share_experience", "lochem"): 7},
    confirmed={
        ("walk_and_talk", "laren"): 6,
        ("walk_and_talk", "lochem"): 3,
        ("share_experience", "lochem"): 7,
        ("babysitting", "lochem"): 5,
    },
    became_contact={("walk_and_talk", "laren"): 5, ("share_experience", "lochem"): 6},
)


def test_individual_meetings_and_walks_have_a_section_of_their_own() -> None:
    report = year_report(replace(year_data(), help=MEETINGS))
    keys = [section.key for section in report.sections]
    assert keys.index("coffee_dates") < keys.index("individual_meetings") < keys.index("help")
    section = report.section("individual_meetings")
    assert section and section.title.nl == "Individuele ontmoetingen en wandelingen"
    [table] = section.tables
    rows = {row.label.nl: [f.display for f in row.cells] for row in table.rows}
    # Babysitting is help, not a meeting; walks in two kernen add up (6 + 3).
    assert rows == {"wandeling en praatje": ["9", "5"], "ervaringen delen": ["7", "6"]}
    assert table.totals and [f.display for f in table.totals.cells] == ["16", "11"]
    dutch, english = markdown(replace(year_data(), help=MEETINGS))
    assert "#Opladers bracht 16 keer twee mensen met elkaar in contact" in dutch
    assert "Daarvan werden er 11 een echt contact." in dutch
    assert "#Opladers put two people in touch 16 times" in english


def test_without_meetings_the_section_says_so() -> None:
    section = year_report().section("individual_meetings")
    assert section and not section.tables
    assert "geen individuele ontmoetingen" in section.paragraphs[0].nl


def test_survey_questions_are_shown_as_residents_read_them() -> None:
    dutch, english = markdown(year_data())
    assert "Ik weet wat er voor ouders wordt georganiseerd" in dutch
    assert "I know what is organised for parents" in english
    assert "knows_activities" not in dutch and "knows activities" not in dutch
    assert "| More contact | 11 | 4.2 |" in dutch  # a question without words: its id, readable


def quote(n: int, initiative: str | None, text: str | None = None) -> QuoteFact:
    return QuoteFact(text or f"Uitspraak nummer {n}.", "nl", initiative, "parent")


def test_a_few_quotes_per_initiative_the_same_every_time() -> None:
    quotes = tuple(
        quote(n, initiative)
        for n in range(40)
        for initiative in ("De Huiskamer", "Get Together", None)
    )
    chosen = choose_quotes(quotes)
    per_group = {i: [q for q in chosen if q.initiative == i] for i in ("De Huiskamer", None)}
    assert len(chosen) == 3 * QUOTES_PER_GROUP
    assert all(len(group) == QUOTES_PER_GROUP for group in per_group.values())
    assert choose_quotes(quotes) == chosen
    assert set(choose_quotes(tuple(reversed(quotes)))) == set(chosen)  # not by position
    # Not simply the first ones recorded.
    assert [q.text for q in per_group[None]] != [f"Uitspraak nummer {n}." for n in range(3)]
    report = year_report(replace(year_data(), quotes=quotes))
    section = report.section("quotes")
    assert section and len(section.entries) == 9
    assert section.paragraphs[0].nl.startswith("Een keuze van 9 uit 120 uitspraken")
    every = year_report().section("quotes")  # four quotes: all shown, no "choice of"
    assert every and len(every.entries) == 4 and "keuze" not in every.paragraphs[0].nl


def test_a_long_quote_gives_way_to_short_ones() -> None:
    long = quote(0, "De Huiskamer", "Heel lang. " * 40)
    short = [quote(n, "De Huiskamer") for n in range(1, 4)]
    assert long not in choose_quotes((long, *short))
    assert long in choose_quotes((long, short[0]))
