"""Matching runs Python's garbage collector less often (``collect_garbage_less_often``, for
its CPU per proposal); memory held in reference cycles must still come back by itself."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from dorp_matching.bootstrap import GC_THRESHOLDS, collect_garbage_less_often


class Node:
    """An object in a reference cycle with itself: only the collector can free it."""

    def __init__(self) -> None:
        self.me = self


@pytest.fixture
def tuned_collector() -> Iterator[None]:
    before = gc.get_threshold()
    collect_garbage_less_often()
    yield
    gc.set_threshold(*before)
    gc.unfreeze()  # the rest of the test process collects as before


def test_reference_cycles_are_freed_without_an_explicit_collection(
    tuned_collector: None,
) -> None:
    assert gc.get_threshold() == GC_THRESHOLDS
    cycle = Node()
    garbage = weakref.ref(cycle)
    del cycle
    assert garbage() is not None  # not freed by reference counting

    alive = [Node() for _ in range(GC_THRESHOLDS[0] * 3)]  # what a busy service allocates

    assert garbage() is None
    assert len(alive) == GC_THRESHOLDS[0] * 3


def test_tuning_twice_changes_nothing(tuned_collector: None) -> None:
    frozen = gc.get_freeze_count()
    collect_garbage_less_often()
    assert gc.get_freeze_count() == frozen
    assert gc.get_threshold() == GC_THRESHOLDS
