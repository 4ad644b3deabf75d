"""docs/benchmarks.md's figures come from the benchmarks' JSON, machine and all."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dorp_cli.bench.document import (
    BEGIN,
    END,
    DocumentError,
    figures_section,
    load_runs,
    rewrite,
)

RUN = {
    "benchmark": "e2e",
    "measured_at": "2026-11-21T20:00:00+00:00",
    "machine": {"cpus": 2, "processor": "Xeon", "memory": "24 GB", "system": "Linux",
                "python": "3.11"},
    "settings": {"region": "lochem", "requests": 10000},
    "figures": [
        {"name": "e2e.requests_per_second", "value": 31.25, "unit": "requests/s", "target": 2000,
         "meets_target": False},
        {"name": "jetstream.raw_publish_per_second", "value": 12578, "unit": "messages/s"},
    ],
}  # fmt: skip


def test_the_section_names_machine_settings_and_every_figure_with_its_target() -> None:
    section = figures_section([RUN])
    assert "2 CPUs (Xeon)" in section and "requests 10000" in section
    assert "| `e2e.requests_per_second` | 31.25 | requests/s |" in section
    assert "2,000: **not met**" in section
    assert "| `jetstream.raw_publish_per_second` | 12,578 | messages/s |" in section


def test_only_the_figures_part_of_the_page_is_replaced() -> None:
    page = f"# Benchmarks\n\nWhat each figure means.\n\n{BEGIN}\nold figures\n{END}\n\n## After\n"
    rewritten = rewrite(page, figures_section([RUN]))
    assert "old figures" not in rewritten
    assert rewritten.startswith("# Benchmarks\n\nWhat each figure means.")
    assert rewritten.endswith("## After\n") and "e2e.requests_per_second" in rewritten
    assert rewrite(rewritten, figures_section([RUN])) == rewritten


def test_a_file_that_is_not_a_benchmark_run_is_named(tmp_path: Path) -> None:
    (tmp_path / "e2e.json").write_text(json.dumps(RUN), encoding="utf-8")
    assert load_runs(tmp_path)[0]["benchmark"] == "e2e"
    (tmp_path / "notes.json").write_text('{"hello": 1}', encoding="utf-8")
    with pytest.raises(DocumentError, match=r"notes\.json: no figures"):
        load_runs(tmp_path)
