"""What a simulation sends, before anything is sent: waves of chains of actions.

Waves run one after the other; the chains of a wave run side by side; the actions of a chain run
in order. So a member is registered before their request, a session scheduled before sign-ups,
and a dialogue table goes group, table, concern, proposal, votes, decision in one chain.

Ids that only exist once something is registered are written as :class:`Ref` and bound from
the answer of the action that created them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

Via = Literal["partner", "http"]
Expect = Literal["accepted", "rejected"]


@dataclass(frozen=True)
class Ref:
    """An id known only at run time: the value bound under ``key``."""

    key: str


@dataclass(frozen=True)
class Action:
    """One partner event or one HTTP command.

    ``via="partner"``: ``name`` is the partner event, sent on the partner subject of
    ``partner_id``. ``via="http"``: ``name`` is the command of ``service``. ``raw`` replaces the
    JSON body (to send bytes that are not JSON). ``binds`` names the run-time id this action
    creates: ``(key, field of the answer)``.
    """

    via: Via
    name: str
    body: dict[str, Any]
    key: str
    service: str = "registration"
    partner_id: str = ""
    expect: Expect = "accepted"
    binds: tuple[str, str] | None = None
    raw: bytes | None = None


Chain = tuple[Action, ...]


@dataclass
class Wave:
    label: str
    chains: list[Chain] = field(default_factory=list)

    def add(self, *actions: Action) -> None:
        if actions:
            self.chains.append(tuple(actions))


@dataclass
class Plan:
    region: str
    year: int
    scale: float
    seed: int
    waves: list[Wave] = field(default_factory=list)
    bindings: dict[str, str] = field(default_factory=dict)
    """Ids known before the plan runs: what the demo registered already (``Ref`` key to id)."""

    def actions(self) -> Iterator[Action]:
        for wave in self.waves:
            for chain in wave.chains:
                yield from chain

    def size(self) -> int:
        return sum(1 for _ in self.actions())

    def tally(self) -> Counter[tuple[str, str]]:
        """(name, expected outcome) -> how many, for the summary and the tests."""
        return Counter((action.name, action.expect) for action in self.actions())


def resolve(value: Any, bindings: dict[str, str]) -> Any:
    """``value`` with every :class:`Ref` replaced; ``KeyError`` names a missing binding."""
    if isinstance(value, Ref):
        return bindings[value.key]
    if isinstance(value, dict):
        return {name: resolve(item, bindings) for name, item in value.items()}
    if isinstance(value, list | tuple):
        return [resolve(item, bindings) for item in value]
    return value
