"""What staff write into a report by hand: its highlights and the focus points for next year."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Editorial:
    """Free text in Markdown, one item per line; written in the staff portal, shown as is."""

    period: str
    highlights: str
    focus_points: str
    updated_by: str
    updated_at: datetime

    def highlight_items(self) -> list[str]:
        return _items(self.highlights)

    def focus_items(self) -> list[str]:
        return _items(self.focus_points)


def _items(text: str) -> list[str]:
    return [line.strip().lstrip("-*").strip() for line in text.splitlines() if line.strip()]
