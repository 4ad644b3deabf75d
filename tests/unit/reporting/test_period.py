"""Periods: all, a year, a month, in the region's time zone."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from dorp_reporting.domain.period import Period

ZONE = "Europe/Amsterdam"


@pytest.mark.parametrize(
    ("text", "key", "kind"),
    [("all", "all", "all"), (" 2026 ", "2026", "year"), ("2026-03", "2026-03", "month")],
)
def test_all_a_year_and_a_month_are_understood(text: str, key: str, kind: str) -> None:
    period = Period.parse(text)
    assert (period.key, period.kind) == (key, kind)


@pytest.mark.parametrize("text", ["last year", "26", "2026-13", "2026-3", "2026/03", ""])
def test_anything_else_is_an_error_a_user_can_read(text: str) -> None:
    with pytest.raises(ValueError, match="2026-03"):
        Period.parse(text)


def test_a_month_is_its_local_calendar_month() -> None:
    window = Period.parse("2026-03").window(ZONE)
    assert window is not None
    # 1 March 00:00 in Amsterdam is still February in UTC.
    assert window.holds(datetime(2026, 2, 28, 23, 30, tzinfo=UTC))
    assert not window.holds(datetime(2026, 3, 31, 23, 30, tzinfo=UTC))  # April 1, local
    december = Period.parse("2026-12").window(ZONE)
    assert december and december.end.year == 2027


def test_labels_are_dutch_and_english() -> None:
    period = Period.parse("2026-03")
    assert (period.label("nl"), period.label("en")) == ("maart 2026", "March 2026")
    assert Period.parse("all").label("nl") == "alles tot nu toe"


def test_a_year_report_charts_its_twelve_months() -> None:
    assert len(Period.parse("2026").buckets(ZONE, 2020, 2026)) == 12
    assert len(Period.parse("all").buckets(ZONE, 2024, 2026)) == 3
