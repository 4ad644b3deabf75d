"""One measured figure, and the table and JSON every benchmark reports them in."""

from __future__ import annotations

import json
import os
import platform
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from rich.console import Console
from rich.table import Table

Better = Literal["higher", "lower"]


@dataclass(frozen=True)
class Figure:
    """``ceiling`` is the same kind of figure for the raw tool underneath, measured in the
    same run; ``ratio`` is value / ceiling. ``target`` is what an issue asks for."""

    name: str
    value: float
    unit: str
    ceiling: float | None = None
    ratio: float | None = None
    target: float | None = None
    better: Better = "higher"
    required: bool = False
    """A correctness figure: missing its target means the run failed, not that it was slow."""

    @classmethod
    def against(cls, name: str, value: float, unit: str, ceiling: float, **extra: Any) -> Figure:
        ratio = round(value / ceiling, 3) if ceiling else None
        return cls(name, value, unit, ceiling=ceiling, ratio=ratio, **extra)

    @property
    def meets_target(self) -> bool | None:
        if self.target is None:
            return None
        return self.value >= self.target if self.better == "higher" else self.value <= self.target

    def record(self) -> dict[str, Any]:
        """The JSON record: optional keys only when they have a value."""
        record = {key: value for key, value in asdict(self).items() if value is not None}
        record.pop("better")
        record.pop("required")
        if self.target is not None:
            record["meets_target"] = self.meets_target
        return record


def failed(figures: list[Figure]) -> list[Figure]:
    return [figure for figure in figures if figure.required and not figure.meets_target]


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    return {
        "cpus": os.cpu_count(),
        "processor": _proc_field("/proc/cpuinfo", "model name") or platform.machine(),
        "memory": _proc_field("/proc/meminfo", "MemTotal"),
        "system": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
    }


def _proc_field(path: str, name: str) -> str | None:
    """The first ``name: value`` line of a /proc file (Linux), or None."""
    try:
        lines = Path(path).read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    for line in lines:
        key, _, value = line.partition(":")
        if key.strip() == name:
            return value.strip()
    return None


def report(benchmark: str, figures: list[Figure], settings: dict[str, Any]) -> dict[str, Any]:
    return {
        "benchmark": benchmark,
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "settings": settings,
        "figures": [figure.record() for figure in figures],
    }


def write_json(path: Path, document: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")


def print_table(console: Console, title: str, figures: list[Figure]) -> None:
    """Full width in a log file too (rich would otherwise cut names at 80 columns)."""
    if not console.is_terminal:
        console = Console(file=console.file, width=120, soft_wrap=True)
    table = Table(title=title, title_justify="left")
    for column in ("figure", "value", "unit", "ceiling", "ratio", "target"):
        table.add_column(column, justify="left" if column in ("figure", "unit") else "right")
    for figure in figures:
        table.add_row(
            figure.name,
            _number(figure.value),
            figure.unit,
            _number(figure.ceiling),
            "" if figure.ratio is None else f"{figure.ratio:.0%}",
            _target(figure),
        )
    console.print(table)


def _number(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:,.0f}" if abs(value) >= 100 or value == int(value) else f"{value:,.2f}"


def _target(figure: Figure) -> str:
    if figure.target is None:
        return ""
    sign = "≥" if figure.better == "higher" else "≤"
    mark = "[green]✓[/]" if figure.meets_target else "[red]✗[/]"
    return f"{sign} {_number(figure.target)} {mark}"
