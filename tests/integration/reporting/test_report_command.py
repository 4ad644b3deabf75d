"""`dorp report` against a running region: the files of each format, the rebuild with its
progress and final count, aggregates and the overview of two regions."""

from __future__ import annotations

import asyncio
import csv
import os
import subprocess
import sys
from functools import partial
from pathlib import Path

import pytest

from dorp_reporting.bootstrap import DEFINITION
from dorp_shared.settings import DorpSettings
from tests.integration.reporting.test_reporting_service import all_consumed, programme, publish
from tests.support.infra import REPO, Infra, fresh_database, write_test_region
from tests.support.services import eventually, nats_client, running_service

pytestmark = pytest.mark.integration


async def dorp(settings: DorpSettings, *args: str) -> subprocess.CompletedProcess[str]:
    """The command in its own process, while this test's event loop serves the region."""
    return await asyncio.to_thread(_dorp, settings, *args)


def _dorp(settings: DorpSettings, *args: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DORP_")}
    env = {
        **clean,
        "DORP_NATS_URL": settings.nats_url or "",
        "DORP_DATABASE_URL": settings.database_url or "",
        "DORP_REGIONS_DIR": str(settings.regions_dir),
        "COLUMNS": "200",
    }
    return subprocess.run(
        [sys.executable, "-m", "dorp_cli", "report", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO,
        check=False,
    )


async def test_report_files_rebuild_and_refusals(settings: DorpSettings, tmp_path: Path) -> None:
    region = settings.region
    out = tmp_path / "out"
    async with nats_client(settings.nats_url or "") as nc:
        js = nc.jetstream()
        async with running_service(DEFINITION, settings):
            await publish(js, region, programme(region))
            await eventually(lambda: all_consumed(js, region), timeout=60)
            made = await dorp(settings, "--region", region, "--year", "2026", "-f", "html",
                        "-f", "pdf", "-f", "csv", "--out", str(out))  # fmt: skip
            refused = await dorp(settings, "rebuild", "--region", region)
        rebuilt = await dorp(settings, "rebuild", "--region", region)
    no_year = await dorp(settings, "--region", region, "--month", "3")

    assert made.returncode == 0, made.stderr
    stem = f"rapport-{region}-2026"
    assert "<svg" in (out / f"{stem}.html").read_text(encoding="utf-8")
    assert (out / f"{stem}.pdf").read_bytes().startswith(b"%PDF")
    with (out / f"{stem}-organisaties.csv").open(encoding="utf-8") as handle:
        schools = next(row for row in csv.DictReader(handle) if row["key"] == "school")
    assert schools["Partners / Partners"] == "3"
    assert refused.returncode == 2 and "stop it first" in refused.stderr
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert f"rebuilt: {len(programme(region))} events read" in rebuilt.stdout
    assert "registration" in rebuilt.stdout  # the progress bar names each stream
    assert no_year.returncode == 2 and "--month needs --year" in no_year.stderr


async def test_overview_compares_two_regions_side_by_side(
    settings: DorpSettings, infra: Infra, tmp_path: Path
) -> None:
    other = settings.model_copy(
        update={
            "region": write_test_region(settings.regions_dir, "zutphen"),
            "database_url": await fresh_database(infra.postgres_url),
        }
    )
    async with nats_client(settings.nats_url or "") as nc:
        js = nc.jetstream()
        for config, events in ((settings, programme(settings.region)), (other, [])):
            async with running_service(DEFINITION, config):
                await publish(js, config.region, events)
                region = config.region
                await eventually(partial(all_consumed, js, region), timeout=60)
                published = await dorp(
                    config, "publish-aggregates", "--region", region, "--year", "2026"
                )
                assert published.returncode == 0, published.stderr
                assert f"dorp.{config.region}.aggregate.v1.2026" in published.stdout
    regions = f"{settings.region},{other.region}"
    shown = await dorp(
        settings, "overview", "--regions", regions, "--year", "2026", "--out", str(tmp_path)
    )
    missing = await dorp(settings, "overview", "--regions", regions, "--year", "2025")

    assert shown.returncode == 0, shown.stderr
    markdown = the_overview(tmp_path)
    assert "| Cijfer | Gemeente Lochem | Gemeente Zutphen |" in markdown
    assert "| Nieuwe leden | 12 | <5 |" in markdown
    assert missing.returncode == 2 and "has published no aggregates for 2025" in missing.stderr


def the_overview(folder: Path) -> str:
    [written] = folder.glob("overzicht-*.md")
    return written.read_text(encoding="utf-8")
