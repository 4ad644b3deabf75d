"""A figure as a reader sees it, with small counts of people suppressed.

A suppressed figure carries no value at all (``value`` is None), so no output format can
leak it. Counts of people below the region's threshold show as ``"<5"`` (primary
suppression). A table publishes its row and column totals too, so a hidden cell could be
worked out from them; :func:`suppress_table` therefore hides further cells (shown as
``"x"``, secondary suppression) until no hidden cell is determined by the published
figures: every hidden cell then lies on a cycle of hidden cells that can shift together.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from pydantic import BaseModel, ConfigDict

SECONDARY = "x"


class Figure(BaseModel):
    model_config = ConfigDict(frozen=True)

    value: int | float | None
    display: str
    suppressed: bool

    @classmethod
    def exact(cls, value: int) -> Figure:
        return cls(value=value, display=str(value), suppressed=False)

    @classmethod
    def below(cls, threshold: int) -> Figure:
        return cls(value=None, display=f"<{threshold}", suppressed=True)

    @classmethod
    def average(cls, value: float | None) -> Figure:
        """An average over enough people (None: too few, shown as a dash)."""
        if value is None:
            return cls(value=None, display="–", suppressed=True)
        return cls(value=round(value, 2), display=f"{value:.1f}", suppressed=False)

    @classmethod
    def hidden(cls) -> Figure:
        """Hidden so that another, small, figure cannot be recalculated."""
        return cls(value=None, display=SECONDARY, suppressed=True)


def people(count: int, threshold: int) -> Figure:
    """A count of people: exact from the threshold on, ``"<threshold"`` below it."""
    return Figure.exact(count) if count >= threshold else Figure.below(threshold)


def count(value: int) -> Figure:
    """Counts that are not people (organisations, sessions, messages): shown as they are."""
    return Figure.exact(value)


@dataclass(frozen=True)
class SuppressedTable:
    cells: list[list[Figure]]
    row_totals: list[Figure]
    column_totals: list[Figure]
    total: Figure


Position = tuple[int, int]


def suppress_table(
    cells: Sequence[Sequence[int]],
    threshold: int,
    *,
    row_totals: bool = True,
    column_totals: bool = True,
) -> SuppressedTable:
    """Suppress a table of counts of people and the totals it publishes.

    The table is extended with a totals column (row totals) and a totals row (column
    totals and the grand total); totals that are not published are unknowns a reader
    never sees. Cells are hidden below ``threshold``, then more cells are hidden, the
    smallest first and inner cells before totals, until no hidden figure follows from
    the published ones by the table's sums.
    """
    grid = _extend(cells)
    rows, columns = len(grid) - 1, len(grid[0]) - 1
    published = {
        (i, j)
        for i in range(rows + 1)
        for j in range(columns + 1)
        if (i < rows or column_totals) and (j < columns or row_totals)
    }
    primary = {p for p in published if grid[p[0]][p[1]] < threshold}
    secondary: set[Position] = set()
    unknown = (_all_positions(rows, columns) - published) | primary
    while determined := _determined(unknown, rows, columns, published):
        lines = (row_totals, column_totals)
        extra = _next_to_hide(determined[0], grid, published - unknown, (rows, columns), lines)
        if extra is None:
            break
        secondary.add(extra)
        unknown.add(extra)

    def shown(i: int, j: int) -> Figure:
        if (i, j) in primary:
            return Figure.below(threshold)
        if (i, j) in secondary:
            return Figure.hidden()
        return Figure.exact(grid[i][j])

    return SuppressedTable(
        cells=[[shown(i, j) for j in range(columns)] for i in range(rows)],
        row_totals=[shown(i, columns) for i in range(rows)],
        column_totals=[shown(rows, j) for j in range(columns)],
        total=shown(rows, columns),
    )


def people_parts(
    total: int, parts: Mapping[str, int], threshold: int
) -> tuple[Figure, dict[str, Figure]]:
    """A total and its parts (one row with its total), suppressed together."""
    keys = list(parts)
    if not keys:
        return people(total, threshold), {}
    table = suppress_table([[parts[k] for k in keys]], threshold, column_totals=False)
    return table.row_totals[0], dict(zip(keys, table.cells[0], strict=True))


def _extend(cells: Sequence[Sequence[int]]) -> list[list[int]]:
    width = len(cells[0]) if cells else 0
    grid = [[*row, sum(row)] for row in cells]
    grid.append([sum(row[j] for row in grid) for j in range(width + 1)])
    return grid


def _all_positions(rows: int, columns: int) -> set[Position]:
    return {(i, j) for i in range(rows + 1) for j in range(columns + 1)}


def _equations(rows: int, columns: int) -> list[dict[Position, int]]:
    """Each row sums to its total (last column), each column to its total (last row)."""
    equations: list[dict[Position, int]] = []
    for i in range(rows + 1):
        equation = {(i, j): 1 for j in range(columns)}
        equation[(i, columns)] = -1
        equations.append(equation)
    for j in range(columns + 1):
        equation = {(i, j): 1 for i in range(rows)}
        equation[(rows, j)] = -1
        equations.append(equation)
    return equations


def determined_positions(unknown: set[Position], rows: int, columns: int) -> set[Position]:
    """The unknowns whose value follows from the known figures through the table's sums:
    those on which every solution of the homogeneous system is zero."""
    variables = sorted(unknown)
    index = {p: k for k, p in enumerate(variables)}
    matrix = [[Fraction(0)] * len(variables) for _ in range(len(_equations(rows, columns)))]
    for r, equation in enumerate(_equations(rows, columns)):
        for position, coefficient in equation.items():
            if position in index:
                matrix[r][index[position]] = Fraction(coefficient)
    pivots = _reduce(matrix, len(variables))
    free = [c for c in range(len(variables)) if c not in pivots]
    return {
        variables[column]
        for column, row in pivots.items()
        if all(matrix[row][f] == 0 for f in free)
    }


def _determined(
    unknown: set[Position], rows: int, columns: int, published: set[Position]
) -> list[Position]:
    return sorted(determined_positions(unknown, rows, columns) & published)


def _reduce(matrix: list[list[Fraction]], width: int) -> dict[int, int]:
    """Reduced row echelon form in place; returns pivot column -> row."""
    pivots: dict[int, int] = {}
    row = 0
    for column in range(width):
        found = next((r for r in range(row, len(matrix)) if matrix[r][column] != 0), None)
        if found is None:
            continue
        matrix[row], matrix[found] = matrix[found], matrix[row]
        lead = matrix[row][column]
        matrix[row] = [value / lead for value in matrix[row]]
        for r in range(len(matrix)):
            if r != row and matrix[r][column] != 0:
                factor = matrix[r][column]
                matrix[r] = [a - factor * b for a, b in zip(matrix[r], matrix[row], strict=True)]
        pivots[column] = row
        row += 1
    return pivots


def _next_to_hide(
    target: Position,
    grid: list[list[int]],
    visible: set[Position],
    size: tuple[int, int],
    lines: tuple[bool, bool],
) -> Position | None:
    """The smallest visible figure in a published line (row or column sum) through the
    target, inner cells first; else the smallest visible figure anywhere. The same
    counts are thus hidden alike wherever they appear (a row here, a column there)."""
    rows, columns = size
    row_sums, column_sums = lines

    def rank(p: Position) -> tuple[bool, int, Position]:
        return (p[0] == rows or p[1] == columns, grid[p[0]][p[1]], p)

    near = [
        p
        for p in visible
        if (row_sums and p[0] == target[0]) or (column_sums and p[1] == target[1])
    ]
    pool = near or list(visible)
    return min(pool, key=rank) if pool else None
