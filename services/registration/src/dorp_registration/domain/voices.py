"""Voices: when a quote may be published, and summaries of answers on a 1..5 scale (the
four-buffer self-check here, resident surveys in learning communities) that never show a
small group.

A summary hides every group of fewer people than the region's threshold. Hiding alone is
not enough: the overall figure minus the shown groups would give the hidden ones back. So
while the hidden groups together hold some people but fewer than the threshold, the smallest
shown group is hidden too (complementary suppression). The same rule applies to each
question (or buffer) on its own, since not every respondent answers every question.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from dorp_shared.contracts.events import Consents

MEAN_DIGITS = 2


def may_publish_anonymously(consents: Consents) -> bool:
    """A quote may be marked for publication only with the author's consent for quotes
    (and is shown only while that consent stands: see ``list_quotes``)."""
    return consents.quotes


@dataclass(frozen=True)
class Tally:
    """Answers to one question in one group: how many, and their sum."""

    count: int = 0
    total: int = 0

    def __add__(self, other: Tally) -> Tally:
        return Tally(self.count + other.count, self.total + other.total)

    @property
    def mean(self) -> float | None:
        return round(self.total / self.count, MEAN_DIGITS) if self.count else None


@dataclass(frozen=True)
class GroupTally:
    """One group's respondents and the tally of each question they answered."""

    respondents: int
    questions: Mapping[str, Tally] = field(default_factory=dict)

    def tally(self, question: str) -> Tally:
        return self.questions.get(question, Tally())


@dataclass(frozen=True)
class GroupFigures:
    """What may be shown of a group: None wherever the people behind it are too few."""

    respondents: int | None
    means: dict[str, float | None]

    @property
    def suppressed(self) -> bool:
        return self.respondents is None


@dataclass(frozen=True)
class Summary:
    overall: GroupFigures
    groups: dict[str, GroupFigures]


def summarise(
    groups: Mapping[str, GroupTally], questions: Iterable[str], threshold: int
) -> Summary:
    """Overall and per-group figures with small groups (and their complements) hidden.
    ``questions`` are listed even when nobody answered them."""
    names = sorted(set(questions).union(*(group.questions for group in groups.values())))
    hidden_groups = hidden({key: group.respondents for key, group in groups.items()}, threshold)
    hidden_cells = {
        question: hidden(
            {key: group.tally(question).count for key, group in groups.items()},
            threshold,
            hidden_groups,
        )
        for question in names
    }
    by_group = {
        key: GroupFigures(
            respondents=None if key in hidden_groups else group.respondents,
            means={q: None if key in hidden_cells[q] else group.tally(q).mean for q in names},
        )
        for key, group in sorted(groups.items())
    }
    return Summary(overall=_overall(groups.values(), names, threshold), groups=by_group)


def hidden(
    counts: Mapping[str, int], threshold: int, already: Iterable[str] = ()
) -> frozenset[str]:
    """The groups to hide: those below the threshold (and ``already`` hidden ones), plus the
    smallest shown ones while the hidden together hold between 1 and threshold-1 people."""
    found = {key for key, count in counts.items() if count < threshold} | set(already)
    while 0 < sum(counts[key] for key in found) < threshold:
        shown = [key for key in counts if key not in found]
        if not shown:
            break
        found.add(min(shown, key=lambda key: (counts[key], key)))
    return frozenset(found)


def _overall(groups: Iterable[GroupTally], names: list[str], threshold: int) -> GroupFigures:
    groups = list(groups)
    respondents = sum(group.respondents for group in groups)
    tallies = {q: sum((group.tally(q) for group in groups), Tally()) for q in names}
    return GroupFigures(
        respondents=respondents if respondents >= threshold else None,
        means={q: t.mean if t.count >= threshold else None for q, t in tallies.items()},
    )
