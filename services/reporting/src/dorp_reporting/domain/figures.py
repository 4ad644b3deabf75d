"""A figure as a reader sees it, with small counts of people suppressed.

A suppressed figure carries no value at all (``value`` is None), so no output format can
leak it. Counts of people below the region's threshold show as ``"<5"``; when exactly one
part of a shown total would be hidden, a second part is hidden too (as ``"≥5"``), so the
hidden count cannot be recovered by subtraction.
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict


class Figure(BaseModel):
    model_config = ConfigDict(frozen=True)

    value: int | None
    display: str
    suppressed: bool

    @classmethod
    def exact(cls, value: int) -> Figure:
        return cls(value=value, display=str(value), suppressed=False)

    @classmethod
    def below(cls, threshold: int) -> Figure:
        return cls(value=None, display=f"<{threshold}", suppressed=True)

    @classmethod
    def at_least(cls, threshold: int) -> Figure:
        return cls(value=None, display=f"≥{threshold}", suppressed=True)


def people(count: int, threshold: int) -> Figure:
    """A count of people: exact from the threshold on, ``"<threshold"`` below it."""
    return Figure.exact(count) if count >= threshold else Figure.below(threshold)


def people_parts(
    total: int, parts: Mapping[str, int], threshold: int
) -> tuple[Figure, dict[str, Figure]]:
    """The total and its parts, each suppressed below the threshold, plus the complementary
    suppression that keeps a single hidden part from being ``total - the others``."""
    shown_total = people(total, threshold)
    shown = {key: people(count, threshold) for key, count in parts.items()}
    hidden = [key for key, figure in shown.items() if figure.suppressed]
    if not shown_total.suppressed and len(hidden) == 1:
        visible = [key for key, figure in shown.items() if not figure.suppressed]
        if visible:
            smallest = min(visible, key=lambda key: (parts[key], key))
            shown[smallest] = Figure.at_least(threshold)
    return shown_total, shown


def count(value: int) -> Figure:
    """Counts of requests, offers, matches and notifications: shown as they are (for now)."""
    return Figure.exact(value)
