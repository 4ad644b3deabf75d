"""Pool rows parsed once per offer: the same candidate as parsing the row afresh, and a row
that changed (a renewed offer, a helper's new languages) is never answered from before."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any, cast

import asyncpg

from dorp_matching.adapters.repositories import _candidate, _Parsed
from tests.unit.matching.builders import T0


class Row(dict[str, Any]):
    """Stands in for an asyncpg record: values in column order, by name."""

    def __iter__(self) -> Iterator[Any]:
        return iter(self.values())


def pool_row(**changes: Any) -> asyncpg.Record:
    helper = uuid.UUID(int=2)
    row = Row(
        slice=1,
        offer_id=uuid.UUID(int=1),
        member_id=helper,
        kind="babysitting",
        home_area="laren",
        languages=["nl"],
        age_bands=["1-4"],
        capacity=2,
        expires_at=None,
        offered_at=T0,
        time_windows=[],
        active_load=0,
        m_member_id=helper,
        m_home_area="laren",
        m_languages=["nl"],
        m_age_bands=["1-4"],
        m_consents_matching=True,
        m_role="parent",
        offer_load=0,
        helper_load=0,
        helper_recent=0,
    )
    row.update(changes)
    return cast(asyncpg.Record, row)


def test_a_parsed_row_is_the_candidate_and_changes_are_never_missed() -> None:
    parsed = _Parsed()
    first = pool_row()
    assert parsed.candidate(first) == _candidate(first)

    busier = pool_row(offer_load=1, helper_load=2, helper_recent=1)  # loads: same offer
    assert parsed.candidate(busier) == _candidate(busier)
    assert parsed.candidate(busier).offer is parsed.candidate(first).offer

    for changed in (
        pool_row(expires_at=T0),
        pool_row(capacity=3),
        pool_row(m_languages=["nl", "ar"]),
        pool_row(languages=["en"], time_windows=["tue-evening"]),
    ):
        assert parsed.candidate(changed) == _candidate(changed)


def test_it_forgets_everything_past_its_size() -> None:
    parsed = _Parsed(most=2)
    rows = [pool_row(offer_id=uuid.UUID(int=n)) for n in range(10, 15)]
    for row in rows:
        assert parsed.candidate(row) == _candidate(row)
    assert len(parsed._seen) <= 2
