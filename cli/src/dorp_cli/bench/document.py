"""``dorp bench docs``: the figures part of docs/benchmarks.md, written from the JSON files
the benchmarks wrote (``--out docs/benchmarks/<name>.json``), so the page shows what was
measured, on which machine, and never a number typed by hand."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

BEGIN = "<!-- figures:begin (dorp bench docs writes this part; do not edit by hand) -->"
END = "<!-- figures:end -->"


class DocumentError(ValueError):
    pass


def load_runs(folder: Path) -> list[dict[str, Any]]:
    runs = []
    for path in sorted(folder.glob("*.json")):
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise DocumentError(f"{path}: not a benchmark JSON file ({exc})") from exc
        if not isinstance(document, dict) or "figures" not in document:
            raise DocumentError(f"{path}: no figures (write it with `dorp bench ... --out`)")
        runs.append(document)
    return runs


def figures_section(runs: list[dict[str, Any]]) -> str:
    lines = [BEGIN, "", "## Latest figures", ""]
    if not runs:
        lines += ["No benchmark JSON files yet.", ""]
    for run in runs:
        lines += _run(run)
    lines.append(END)
    return "\n".join(lines)


def _run(run: dict[str, Any]) -> list[str]:
    machine = run.get("machine", {})
    settings = ", ".join(f"{key} {value}" for key, value in run.get("settings", {}).items())
    lines = [
        f"### `dorp bench {run['benchmark']}`",
        "",
        f"Measured {run.get('measured_at', '?')} on {machine.get('cpus', '?')} CPUs "
        f"({machine.get('processor', '?')}), {machine.get('memory', '?')} memory, "
        f"{machine.get('system', '?')}, Python {machine.get('python', '?')}; {settings}.",
        "",
        "| figure | value | unit | ceiling | ratio | target |",
        "|---|---:|---|---:|---:|---|",
    ]
    for figure in run["figures"]:
        lines.append(
            f"| `{figure['name']}` | {_number(figure.get('value'))} | {figure.get('unit', '')} "
            f"| {_number(figure.get('ceiling'))} | {_ratio(figure.get('ratio'))} "
            f"| {_target(figure)} |"
        )
    return [*lines, ""]


def _number(value: Any) -> str:
    if not isinstance(value, int | float):
        return ""
    return f"{value:,.0f}" if abs(value) >= 100 or value == int(value) else f"{value:,.2f}"


def _ratio(value: Any) -> str:
    return f"{value:.1%}" if isinstance(value, int | float) else ""


def _target(figure: dict[str, Any]) -> str:
    if figure.get("target") is None:
        return ""
    mark = "met" if figure.get("meets_target") else "**not met**"
    return f"{_number(figure['target'])}: {mark}"


def rewrite(document: str, section: str) -> str:
    """The page with its figures part replaced (appended when it has none yet)."""
    if BEGIN in document and END in document:
        head, _, rest = document.partition(BEGIN)
        _, _, tail = rest.partition(END)
        return head + section + tail
    return document.rstrip("\n") + "\n\n" + section + "\n"
