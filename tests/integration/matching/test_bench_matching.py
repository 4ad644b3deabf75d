"""`dorp bench matching` at a tiny size: it runs against real NATS and PostgreSQL, prints
its table and writes every figure as JSON. No timing is asserted; correctness is (every
request proposed, nobody left out of a date, the online matcher within the optimum)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from dorp_shared.settings import DorpSettings
from tests.support.infra import REPO

pytestmark = pytest.mark.integration


def test_matching_bench_reports_every_figure(settings: DorpSettings, tmp_path: Path) -> None:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DORP_")}
    env = {
        **clean,
        "DORP_NATS_URL": settings.nats_url or "",
        "DORP_DATABASE_URL": settings.database_url or "",
        "DORP_REGIONS_DIR": str(settings.regions_dir),
    }
    out = tmp_path / "bench.json"
    sizes = ["--offers", "300", "--rate", "10", "--seconds", "2", "--parents", "41"]
    command = ["bench", "matching", "--region", settings.region, *sizes, "--schools", "2"]
    result = subprocess.run(
        [sys.executable, "-m", "dorp_cli", *command, "--out", str(out)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        cwd=REPO,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    document = json.loads(out.read_text(encoding="utf-8"))
    figures: dict[str, dict[str, Any]] = {record["name"]: record for record in document["figures"]}
    assert figures["requests published"]["value"] == 20
    assert figures["requests proposed within the run"]["value"] == 20
    p50, p99 = figures["proposal latency p50"], figures["proposal latency p99"]
    assert p50["unit"] == "ms" and 0 < p50["value"] <= p99["value"] and p99["target"] == 100
    assert 20 < figures["matcher peak RSS"]["value"] < 2000
    assert figures["parents left out of a date"]["value"] == 0
    quality = figures["online / offline quality"]
    assert 0 < quality["value"] <= 1.0 and quality["target"] == 0.95
    assert "pairing 41 parents, greedy baseline" in figures
    assert "proposal latency p99" in result.stdout  # the table
