"""The engagement chart counts members at each step with two bisections; it must count
exactly what a pass over every member counts, departures (and odd data) included."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from dorp_reporting.domain.facts import Membership
from dorp_reporting.domain.sections import _Headcount, _stay

START = datetime(2025, 1, 1, tzinfo=UTC)


def test_members_at_a_moment_as_counted_one_by_one() -> None:
    rng = random.Random(3)
    stays = []
    for _ in range(500):
        joined = START + timedelta(hours=rng.randrange(24 * 400))
        left = (
            joined + timedelta(hours=rng.randrange(-48, 24 * 200)) if rng.random() < 0.3 else None
        )
        stays.append(Membership("parent", joined, left))  # some left "before" joining
    stays.append(Membership("parent", START + timedelta(days=31), START + timedelta(days=31)))
    headcount = _Headcount(stays)
    moments = [START + timedelta(days=d) for d in range(0, 420, 7)] + [START + timedelta(days=31)]
    for moment in moments:
        assert headcount.at(moment) == _stay(stays, "parent", None, moment)["at_end"], moment
    assert headcount.at(START + timedelta(days=200)) > 0
