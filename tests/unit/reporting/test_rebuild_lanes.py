"""The rebuild's lanes run at the same time, so they must not share rows: every area is in
exactly one lane, and the areas outside the first lane carry only events that write a table
of their own. A projection added for another event of such an area fails here, as a
reminder to move that area into the first lane (or to show that it shares no rows)."""

from __future__ import annotations

from dorp_reporting.adapters.batch import WRITER_OF, notifications
from dorp_reporting.entrypoints.subscribers import AREAS
from dorp_reporting.events import KEPT
from dorp_reporting.rebuild import LANES, without_flush_wait
from dorp_shared.contracts import events as ev


def test_every_area_is_in_exactly_one_lane() -> None:
    areas = [area for lane in LANES for area in lane]
    assert sorted(areas) == sorted(AREAS)
    assert len(LANES) > 1


def test_the_other_lanes_keep_only_events_with_a_table_of_their_own() -> None:
    later = {area for lane in LANES[1:] for area in lane}
    kept_there = {event for event in KEPT.values() if event.area in later}
    assert kept_there == {ev.NotificationSent}
    assert WRITER_OF[ev.NotificationSent] is notifications
    assert [e for e, writer in WRITER_OF.items() if writer is notifications] == [
        ev.NotificationSent
    ]


def test_the_rebuild_url_keeps_what_was_there() -> None:
    url = "postgresql://dorp:secret@db.example:5433/dorp?sslmode=require"
    assert without_flush_wait(url) == f"{url}&synchronous_commit=off"
    assert without_flush_wait("postgresql:///dorp").endswith("/dorp?synchronous_commit=off")
