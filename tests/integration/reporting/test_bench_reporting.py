"""`dorp bench reporting` at a tiny size: it runs, prints its table and writes one JSON
record per figure. No timing is asserted; the correctness figures are: every event read,
every kept event projected, and the report's facts equal to what was generated."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from dorp_shared.settings import DorpSettings
from tests.integration.test_bench import run_dorp

pytestmark = pytest.mark.integration

EVENTS = 2000


def test_reporting_bench_reports_every_figure(settings: DorpSettings, tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    command = ["bench", "reporting", "--region", settings.region, "--events", str(EVENTS)]
    result = run_dorp(settings, [*command, "--out", str(out)])
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    document = json.loads(out.read_text(encoding="utf-8"))
    figures: dict[str, dict[str, Any]] = {record["name"]: record for record in document["figures"]}

    rebuild = figures["reporting.rebuild_events_per_second"]
    assert rebuild["unit"] == "events/s" and rebuild["value"] > 0 and rebuild["target"] == 20000
    assert rebuild["ceiling"] == min(
        figures["jetstream.raw_pull_consume_per_second"]["value"],
        figures["postgres.copy_rows_per_second"]["value"],
    )
    assert figures["reporting.annual_report_html_seconds"]["target"] == 5
    assert figures["reporting.annual_report_pdf_seconds"]["target"] == 20
    assert figures["reporting.annual_report_pdf_size"]["value"] > 0
    assert 20 < figures["reporting.peak_rss"]["value"] < 2000
    assert figures["cpu_per_event.rebuild"]["unit"] == "µs"

    assert figures["reporting.events_generated"]["value"] >= EVENTS
    for name in ("events_not_read", "events_not_projected", "report_figures_differ"):
        assert figures[f"reporting.{name}"]["value"] == 0, name
    assert document["settings"]["events"] == EVENTS
    assert "reporting.rebuild_events_per_second" in result.stdout  # the table
