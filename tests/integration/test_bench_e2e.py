"""`dorp bench e2e` at a tiny size: the whole region runs, every request is proposed, mailed
and counted, and the JSON has a record per hop. No timing is asserted."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from dorp_shared.settings import DorpSettings
from tests.integration.test_bench import run_dorp

pytestmark = pytest.mark.e2e

REQUESTS = 20


def test_end_to_end_bench_follows_every_request_through_every_hop(
    settings: DorpSettings, tmp_path: Path
) -> None:
    out = tmp_path / "e2e.json"
    command = ["bench", "e2e", "--region", settings.region, "--requests", str(REQUESTS)]
    result = run_dorp(settings, [*command, "--rate", "50", "--settle", "90", "--out", str(out)])
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    document = json.loads(out.read_text(encoding="utf-8"))
    figures: dict[str, dict[str, Any]] = {record["name"]: record for record in document["figures"]}

    assert figures["e2e.requests_per_second"]["target"] == 2000
    for hop in ("accepted", "stored", "proposed", "mailed", "counted"):
        assert figures[f"e2e.{hop}_per_second"]["value"] > 0, hop
        assert figures[f"e2e.{hop}_latency_p99"]["unit"] == "ms"
    for hop in ("proposed", "mailed", "counted"):
        assert figures[f"e2e.requests_not_{hop}"]["value"] == 0, hop
    assert figures["e2e.mails_delivered_twice"]["value"] == 0
    for process in ("registration", "matching", "notifications", "reporting"):
        assert 20 < figures[f"peak_rss.{process}"]["value"] < 2000
    for ceiling in ("raw_publish_per_second", "raw_pull_consume_per_second"):
        assert figures[f"jetstream.{ceiling}"]["value"] > 0
    assert figures["postgres.copy_rows_per_second"]["value"] > 0
