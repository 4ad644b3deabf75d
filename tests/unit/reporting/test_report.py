"""The report itself: figures, small-count suppression of people, Dutch and English text."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from dorp_reporting.domain.facts import Tallies
from dorp_reporting.domain.period import Period
from dorp_reporting.domain.render import render_markdown
from dorp_reporting.domain.report import Report, build_report
from dorp_shared.regions import Region, load_region

GENERATED = datetime(2026, 3, 14, 10, 0, tzinfo=UTC)


@pytest.fixture
def region() -> Region:
    return load_region("lochem")


def report_of(region: Region, tallies: Tallies) -> Report:
    return build_report(region, Period(), tallies, GENERATED)


def roles(report: Report) -> dict[str, str]:
    return {line.role: line.members.display for line in report.figures.members_by_role}


def test_counts_every_kind_of_figure(region: Region) -> None:
    tallies = Tallies(
        members_by_role={"parent": 7, "volunteer": 5},
        activities={
            "request": {("babysitting", "lochem"): 2, ("walk_and_talk", "laren"): 1},
            "offer": {("babysitting", "lochem"): 1},
            "match": {("babysitting", "lochem"): 1},
        },
        notifications=2,
    )
    figures = report_of(region, tallies).figures
    assert figures.members.value == 12
    assert roles(report_of(region, tallies))["parent"] == "7"
    assert (figures.requests.value, figures.offers.value, figures.matches.value) == (3, 1, 1)
    assert figures.notifications_sent.value == 2
    by_kind = {line.key: line for line in figures.by_kind}
    assert by_kind["babysitting"].requests.value == 2
    assert by_kind["walk_and_talk"].requests.value == 1
    assert by_kind["host_family"].requests.value == 0
    by_area = {line.key: line for line in figures.by_area}
    assert by_area["laren"].nl == "Laren"
    assert (by_area["lochem"].requests.value, by_area["lochem"].matches.value) == (2, 1)


def test_people_below_the_threshold_never_show_as_exact_numbers(region: Region) -> None:
    report = report_of(region, Tallies(members_by_role={"parent": 3, "volunteer": 1}))
    data = report.model_dump(mode="json")["figures"]
    assert data["members"] == {"value": None, "display": "<5", "suppressed": True}
    assert all(line["members"]["value"] is None for line in data["members_by_role"])
    assert roles(report) == {
        "parent": "<5",
        "volunteer": "<5",
        "professional": "<5",
        "connector": "<5",
    }
    markdown = render_markdown(report)
    assert "| Leden | <5 |" in markdown and "| Members | <5 |" in markdown
    assert "| — ouders en medeopvoeders | <5 |" in markdown
    assert "| 3 |" not in markdown and "| 4 |" not in markdown


def test_people_at_the_threshold_are_exact(region: Region) -> None:
    report = report_of(region, Tallies(members_by_role={"parent": 5, "volunteer": 5}))
    assert report.figures.members.model_dump() == {
        "value": 10,
        "display": "10",
        "suppressed": False,
    }
    assert roles(report)["parent"] == "5"


def test_a_single_hidden_role_cannot_be_recovered_from_the_total(region: Region) -> None:
    tallies = Tallies(
        members_by_role={"parent": 10, "volunteer": 6, "professional": 5, "connector": 2}
    )
    report = report_of(region, tallies)
    assert report.figures.members.value == 23
    shown = {line.role: line.members for line in report.figures.members_by_role}
    assert shown["connector"].display == "<5"
    assert shown["professional"].value is None and shown["professional"].display == "≥5"
    assert shown["parent"].value == 10


def test_threshold_comes_from_the_region_file(region: Region) -> None:
    stricter = region.model_copy(update={"report_small_count_threshold": 10})
    report = report_of(stricter, Tallies(members_by_role={"parent": 7}))
    assert report.figures.members.display == "<10"
    assert "<10" in render_markdown(report)


def test_requests_offers_and_matches_are_shown_as_they_are(region: Region) -> None:
    tallies = Tallies(activities={"request": {("babysitting", "lochem"): 1}}, notifications=1)
    report = report_of(region, tallies)
    assert report.figures.requests.model_dump() == {"value": 1, "display": "1", "suppressed": False}
    assert report.figures.notifications_sent.value == 1


def test_markdown_is_dutch_first_then_english(region: Region) -> None:
    markdown = render_markdown(report_of(region, Tallies()))
    dutch = markdown.index("# Eerste rapportage — #Opladers, Gemeente Lochem")
    english = markdown.index("# First report — #Opladers, Gemeente Lochem")
    assert dutch < english
    assert "## Per kern" in markdown[:english] and "## By village" in markdown[english:]
    assert "Periode: alles tot nu toe" in markdown and "Period: everything so far" in markdown
    assert "2026-03-14 11:00 (Europe/Amsterdam)" in markdown


def test_kinds_of_help_are_shown_in_words(region: Region) -> None:
    tallies = Tallies(activities={"request": {("babysitting", "lochem"): 1}})
    markdown = render_markdown(report_of(region, tallies))
    english = markdown.index("# First report")
    assert "| oppas | 1 | 0 | 0 |" in markdown[:english]
    assert "| babysitting | 1 | 0 | 0 |" in markdown[english:]
    assert "| steungezin |" in markdown and "| host family |" in markdown
    assert "walk_and_talk" not in markdown and "wandeling en praatje" in markdown


def test_kinds_and_areas_not_in_the_region_file_still_count(region: Region) -> None:
    tallies = Tallies(activities={"offer": {("homework_help", "deventer"): 2}})
    figures = report_of(region, tallies).figures
    assert figures.by_kind[-1].key == "homework_help" and figures.by_kind[-1].offers.value == 2
    assert figures.by_kind[-1].en == "homework help"
    assert figures.by_area[-1].key == "deventer" and figures.by_area[-1].offers.value == 2
    assert [line.key for line in figures.by_area[:2]] == ["lochem", "laren"]
