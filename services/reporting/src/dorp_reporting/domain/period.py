"""The period a report covers: everything so far, or one calendar year in the region's time."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

ALL = "all"
_YEAR = re.compile(r"^(19|20|21)\d\d$")


@dataclass(frozen=True)
class Window:
    """Half-open time range ``[start, end)``."""

    start: datetime
    end: datetime

    def holds(self, moment: datetime) -> bool:
        return self.start <= moment < self.end


@dataclass(frozen=True)
class Period:
    year: int | None = None

    @classmethod
    def parse(cls, text: str) -> Period:
        """``"all"`` or a four-digit year; anything else is a ``ValueError`` fit for a user."""
        cleaned = text.strip().lower()
        if cleaned == ALL:
            return cls()
        if _YEAR.match(cleaned):
            return cls(int(cleaned))
        raise ValueError("must be 'all' or a year such as 2026")

    @property
    def key(self) -> str:
        return ALL if self.year is None else str(self.year)

    def window(self, time_zone: str) -> Window | None:
        """None for "all"; otherwise the year from 1 January to 1 January, local time."""
        if self.year is None:
            return None
        zone = ZoneInfo(time_zone)
        start = datetime(self.year, 1, 1, tzinfo=zone)
        return Window(start, start.replace(year=self.year + 1))

    def label(self, language: str) -> str:
        if self.year is None:
            return "alles tot nu toe" if language == "nl" else "everything so far"
        return str(self.year)
