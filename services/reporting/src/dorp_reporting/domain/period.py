"""The period a report covers: everything so far, a calendar year, or a calendar month, in
the region's time zone."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

ALL = "all"
_YEAR = re.compile(r"^((?:19|20|21)\d\d)$")
_MONTH = re.compile(r"^((?:19|20|21)\d\d)-(0[1-9]|1[0-2])$")
PERIOD_HELP = "must be 'all', a year such as 2026 or a month such as 2026-03"

MONTHS_NL = (
    "januari", "februari", "maart", "april", "mei", "juni",
    "juli", "augustus", "september", "oktober", "november", "december",
)  # fmt: skip
MONTHS_EN = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


@dataclass(frozen=True)
class Window:
    """Half-open time range ``[start, end)``."""

    start: datetime
    end: datetime

    def holds(self, moment: datetime) -> bool:
        return self.start <= moment < self.end


@dataclass(frozen=True, order=True)
class Period:
    year: int | None = None
    month: int | None = None

    @classmethod
    def parse(cls, text: str) -> Period:
        """``"all"``, ``"2026"`` or ``"2026-03"``; anything else is a ``ValueError`` fit
        for a user."""
        cleaned = text.strip().lower()
        if cleaned == ALL:
            return cls()
        if year := _YEAR.match(cleaned):
            return cls(int(year.group(1)))
        if month := _MONTH.match(cleaned):
            return cls(int(month.group(1)), int(month.group(2)))
        raise ValueError(PERIOD_HELP)

    @property
    def key(self) -> str:
        if self.year is None:
            return ALL
        return str(self.year) if self.month is None else f"{self.year}-{self.month:02d}"

    @property
    def kind(self) -> str:
        """``all``, ``year`` or ``month``."""
        if self.year is None:
            return ALL
        return "year" if self.month is None else "month"

    def window(self, time_zone: str) -> Window | None:
        """None for "all"; otherwise the year or month, from its first day, local time."""
        if self.year is None:
            return None
        zone = ZoneInfo(time_zone)
        if self.month is None:
            start = datetime(self.year, 1, 1, tzinfo=zone)
            return Window(start, start.replace(year=self.year + 1))
        start = datetime(self.year, self.month, 1, tzinfo=zone)
        following = (self.year + 1, 1) if self.month == 12 else (self.year, self.month + 1)
        return Window(start, datetime(*following, 1, tzinfo=zone))

    def label(self, language: str) -> str:
        if self.year is None:
            return "alles tot nu toe" if language == "nl" else "everything so far"
        if self.month is None:
            return str(self.year)
        months = MONTHS_NL if language == "nl" else MONTHS_EN
        return f"{months[self.month - 1]} {self.year}"

    def buckets(self, time_zone: str, first_year: int, last_year: int) -> list[Window]:
        """The steps of a chart over this period: the months of a year, the one month of a
        month, or the years from ``first_year`` to ``last_year`` for "all"."""
        if self.year is None:
            years = range(first_year, max(first_year, last_year) + 1)
            return [w for y in years if (w := Period(y).window(time_zone))]
        if self.month is None:
            months = (Period(self.year, m).window(time_zone) for m in range(1, 13))
            return [w for w in months if w]
        own = self.window(time_zone)
        return [own] if own else []


def bucket_label(window: Window, period: Period, time_zone: str) -> str:
    """ "2026" for a year step, "2026-03" for a month step."""
    local = window.start.astimezone(ZoneInfo(time_zone))
    return str(local.year) if period.year is None else f"{local.year}-{local.month:02d}"
