"""Small-count suppression: no count of people below the threshold is shown, and no
hidden count can be worked out from the figures a table publishes.

The check is independent of the implementation: it rebuilds the table's sums from what
a reader sees (the displayed figures only) and asks numpy whether a hidden cell is fixed
by them: a cell is fixed exactly when removing its column lowers the rank of the system
of the hidden cells.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from dorp_reporting.domain.figures import Figure, people, people_parts, suppress_table

THRESHOLD = 5

tables = st.integers(1, 4).flatmap(
    lambda rows: st.integers(1, 4).flatmap(
        lambda columns: st.lists(
            st.lists(st.integers(0, 14), min_size=columns, max_size=columns),
            min_size=rows,
            max_size=rows,
        )
    )
)


def published_grid(
    cells: list[list[int]], row_totals: bool, column_totals: bool
) -> dict[tuple[int, int], Figure]:
    table = suppress_table(cells, THRESHOLD, row_totals=row_totals, column_totals=column_totals)
    rows, columns = len(cells), len(cells[0])
    grid = {(i, j): table.cells[i][j] for i in range(rows) for j in range(columns)}
    if row_totals:
        grid.update({(i, columns): table.row_totals[i] for i in range(rows)})
    if column_totals:
        grid.update({(rows, j): table.column_totals[j] for j in range(columns)})
    if row_totals and column_totals:
        grid[(rows, columns)] = table.total
    return grid


def fixed_hidden_cells(
    grid: dict[tuple[int, int], Figure], rows: int, columns: int
) -> list[tuple[int, int]]:
    """Hidden cells whose value follows from the shown figures by the table's sums."""
    everything = [(i, j) for i in range(rows + 1) for j in range(columns + 1)]
    unknown = [p for p in everything if p not in grid or grid[p].value is None]
    equations = []
    for i in range(rows + 1):
        equations.append({**{(i, j): 1 for j in range(columns)}, (i, columns): -1})
    for j in range(columns + 1):
        equations.append({**{(i, j): 1 for i in range(rows)}, (rows, j): -1})
    matrix = np.array([[eq.get(p, 0) for p in unknown] for eq in equations], dtype=float)
    rank = np.linalg.matrix_rank(matrix) if unknown else 0
    fixed = []
    for k, position in enumerate(unknown):
        if position not in grid:
            continue  # not published: a reader never sees it
        rest = np.delete(matrix, k, axis=1)
        if (np.linalg.matrix_rank(rest) if rest.size else 0) < rank:
            fixed.append(position)
    return fixed


@settings(max_examples=300, deadline=None)
@given(tables, st.booleans(), st.booleans())
def test_no_hidden_cell_can_be_worked_out_from_the_published_totals(
    cells: list[list[int]], row_totals: bool, column_totals: bool
) -> None:
    grid = published_grid(cells, row_totals, column_totals)
    assert fixed_hidden_cells(grid, len(cells), len(cells[0])) == []


@settings(max_examples=200, deadline=None)
@given(tables)
def test_small_counts_are_never_shown_and_shown_counts_are_true(cells: list[list[int]]) -> None:
    grid = published_grid(cells, True, True)
    rows, columns = len(cells), len(cells[0])
    truth = [[*row, sum(row)] for row in cells]
    truth.append([sum(truth[i][j] for i in range(rows)) for j in range(columns + 1)])
    for (i, j), figure in grid.items():
        if truth[i][j] < THRESHOLD:
            assert figure.value is None and figure.display == f"<{THRESHOLD}"
        elif figure.value is not None:
            assert figure.value == truth[i][j] and figure.display == str(truth[i][j])
        else:
            assert figure.display == "x"  # hidden to protect another cell


def test_a_single_hidden_part_is_protected_by_hiding_the_smallest_other() -> None:
    total, parts = people_parts(16, {"parent": 9, "volunteer": 6, "connector": 1}, THRESHOLD)
    assert total.display == "16"
    assert [parts[k].display for k in ("parent", "volunteer", "connector")] == ["9", "x", "<5"]


def test_people_at_the_threshold_are_exact_and_below_it_are_not() -> None:
    assert people(5, THRESHOLD) == Figure.exact(5)
    assert people(4, THRESHOLD).model_dump() == {"value": None, "display": "<5", "suppressed": True}
    assert people(0, 10).display == "<10"
