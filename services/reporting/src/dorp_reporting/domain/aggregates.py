"""What a region may share with other regions: its suppressed figures, never texts."""

from __future__ import annotations

from dorp_reporting.domain.report import Report, Section

PRIVATE_SECTIONS = frozenset({"highlights", "focus_points", "quotes"})
"""Sections of written text: quotes and what staff wrote stay in the region."""


def shareable(report: Report) -> Report:
    """The report without any written text: no quotes, no editorial, no decision texts."""
    sections = tuple(
        _without_entries(section)
        for section in report.sections
        if section.key not in PRIVATE_SECTIONS
    )
    return report.model_copy(update={"sections": sections})


def _without_entries(section: Section) -> Section:
    return section.model_copy(update={"entries": ()})
