"""`dorp bench registration` at a tiny size: it runs, prints its table and writes one JSON
record per figure with sane units. No timing is asserted; correctness figures are."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from dorp_shared.settings import DorpSettings
from tests.support.infra import REPO

pytestmark = pytest.mark.integration

EVENTS = 21  # odd: the last parent registers without asking for help


def run_dorp(settings: DorpSettings, arguments: list[str]) -> subprocess.CompletedProcess[str]:
    """``dorp`` as its own process, against the test's NATS, PostgreSQL and region files."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DORP_")}
    env = {
        **clean,
        "DORP_NATS_URL": settings.nats_url or "",
        "DORP_DATABASE_URL": settings.database_url or "",
        "DORP_REGIONS_DIR": str(settings.regions_dir),
    }
    return subprocess.run(
        [sys.executable, "-m", "dorp_cli", *arguments],
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        cwd=REPO,
        check=False,
    )


def run_bench(settings: DorpSettings, out: Path) -> subprocess.CompletedProcess[str]:
    command = ["bench", "registration", "--region", settings.region, "--events", str(EVENTS)]
    return run_dorp(settings, [*command, "--concurrency", "4", "--out", str(out)])


def test_registration_bench_reports_every_figure(settings: DorpSettings, tmp_path: Path) -> None:
    result = run_bench(settings, tmp_path / "bench.json")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    document = json.loads((tmp_path / "bench.json").read_text(encoding="utf-8"))
    figures: dict[str, dict[str, Any]] = {record["name"]: record for record in document["figures"]}

    rate = figures["registration.partner_events_per_second"]
    ceiling = figures["jetstream.raw_publish_per_second"]
    assert (rate["unit"], ceiling["unit"]) == ("events/s", "messages/s")
    assert rate["value"] > 0 and rate["ceiling"] == ceiling["value"] > 0
    assert rate["ratio"] == pytest.approx(rate["value"] / rate["ceiling"], abs=0.001)
    assert rate["target"] == 5000
    memory = figures["registration.peak_rss"]
    assert memory["unit"] == "MiB" and 20 < memory["value"] < 2000
    assert figures["cpu_per_event.registration"]["unit"] == "µs"

    assert figures["registration.events_accepted"]["value"] == EVENTS
    for name in ("events_not_accepted", "events_lost_or_twice", "members_out_of_order"):
        assert figures[f"registration.{name}"]["value"] == 0, name
    assert document["machine"]["cpus"] == os.cpu_count()
    assert "registration.partner_events_per_second" in result.stdout  # the table


def test_notifications_bench_reports_every_figure(settings: DorpSettings, tmp_path: Path) -> None:
    """Tiny: 40 mails through the service to the bench's SMTP server, 20 events replayed."""
    out = tmp_path / "bench.json"
    command = ["bench", "notifications", "--region", settings.region, "--mails", "40"]
    result = run_dorp(settings, [*command, "--events", "20", "--pool", "2", "--out", str(out)])
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    figures = {record["name"]: record for record in json.loads(out.read_text())["figures"]}

    rate = figures["e-mails sent per second (pooled SMTP)"]
    assert rate["unit"] == "mails/s" and rate["value"] > 0 and rate["ceiling"] > 0
    assert rate["target"] == 1000
    assert figures["mails after replaying the events"]["value"] == 20
    assert figures["duplicates after replaying the events"]["value"] == 0
    assert figures["warnings lost"]["value"] == 0
    assert 20 < figures["notifications peak RSS"]["value"] < 2000
    for process in ("notifications", "postgres", "smtp server"):
        assert figures[f"cpu per mail: {process}"]["unit"] == "µs", process


def test_a_benchmark_stopped_with_sigterm_stops_its_servers_and_service(tmp_path: Path) -> None:
    """``timeout`` or ``kill`` ends a long run: its embedded NATS, PostgreSQL and the service
    under test must not stay behind without their parent (they did, holding ports, memory and
    CPU on a machine where the next figures are measured)."""
    data_dir = tmp_path / "bench"
    output = tmp_path / "output.txt"
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DORP_")}
    command = ["bench", "registration", "--events", "1000000", "--data-dir", str(data_dir)]
    with output.open("w") as sink:
        bench = subprocess.Popen(
            [sys.executable, "-m", "dorp_cli", *command],
            env=clean,
            stdout=sink,
            stderr=subprocess.STDOUT,
            cwd=REPO,
        )
        try:
            service_pid = _wait_for_service_pid(output, bench)
            bench.send_signal(signal.SIGTERM)
            code = bench.wait(120)
        finally:
            if bench.poll() is None:
                bench.kill()
    text = output.read_text(encoding="utf-8")
    assert code == 130, text[-3000:]
    assert "interrupted" in text
    assert not _alive(service_pid), "the service under test is still running"
    assert _processes_using(data_dir) == [], "NATS or PostgreSQL is still running"


def _wait_for_service_pid(output: Path, bench: subprocess.Popen[bytes]) -> int:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        found = re.search(r"pid (\d+), log", output.read_text(encoding="utf-8"))
        if found:
            return int(found.group(1))
        assert bench.poll() is None, output.read_text(encoding="utf-8")[-3000:]
        time.sleep(0.2)
    raise AssertionError("the service under test did not start")


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def _processes_using(folder: Path) -> list[str]:
    """Command lines of running processes that name ``folder`` (the servers' data dirs)."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            text = cmdline.read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if str(folder) in text:
            found.append(text)
    return found
