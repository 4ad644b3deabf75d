"""Dialogue tables (seed 004, Ouderklap): counting votes and deciding by Deep Democracy.

Deep Democracy lets the majority decide and adds the minority's voice to the decision: a
decision that some voters did not go along with must say what they think.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from dorp_shared.contracts.events import VoteChoice


@dataclass(frozen=True)
class Tally:
    votes_for: int = 0
    votes_against: int = 0
    votes_abstain: int = 0

    @property
    def total(self) -> int:
        return self.votes_for + self.votes_against + self.votes_abstain


def tally(ballots: Iterable[tuple[uuid.UUID, VoteChoice]]) -> Tally:
    """Count ballots in the order cast: a member's later vote replaces the earlier one."""
    last = dict(ballots)
    choices = list(last.values())
    return Tally(
        votes_for=choices.count("for"),
        votes_against=choices.count("against"),
        votes_abstain=choices.count("abstain"),
    )


def adopted(counted: Tally, given: bool | None = None) -> bool:
    """What the table decided: as stated if given, else adopted when more are for than
    against (abstentions do not count either way)."""
    return counted.votes_for > counted.votes_against if given is None else given


def dissenting(counted: Tally, is_adopted: bool) -> int:
    """The voters who did not go along with the decision: the minority."""
    if is_adopted:
        return counted.votes_against + counted.votes_abstain
    return counted.votes_for + counted.votes_abstain


def minority_view_missing(counted: Tally, is_adopted: bool, minority_view: str) -> bool:
    """True when the decision has a minority but does not say what it thinks."""
    return dissenting(counted, is_adopted) > 0 and not minority_view.strip()
