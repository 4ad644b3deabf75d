"""The measured work of ``dorp bench reporting``, in a process of its own so that its peak
memory and CPU are its own: ``python -m dorp_cli.bench.reporting_work all REGION YEAR
[DATA_DIR]`` (NATS and PostgreSQL from ``DORP_NATS_URL`` / ``DORP_DATABASE_URL``; with the
embedded servers' ``DATA_DIR``, also their CPU during the rebuild).

Rebuilds the projections, then makes the annual report as HTML and as PDF. Prints one JSON
line: the timings, CPU times, the totals of the report's facts and the process's peak RSS
(``ru_maxrss``).
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from dorp_cli.bench import cpu
from dorp_reporting.adapters.uow import PgReportingUnitOfWork
from dorp_reporting.domain.facts import ReportData
from dorp_reporting.domain.period import Period
from dorp_reporting.domain.report import build_report
from dorp_reporting.formats import ReportFormat, render_report
from dorp_reporting.rebuild import rebuild
from dorp_shared import db
from dorp_shared.messaging import connect_nats
from dorp_shared.regions import Region, load_region


async def rebuild_task(region: Region, data_dir: Path | None = None) -> dict[str, Any]:
    servers = _ServersCpu(data_dir)
    nc = await connect_nats(os.environ["DORP_NATS_URL"], name=f"dorp-{region.id}-bench-rebuild")
    try:
        started, own = time.perf_counter(), time.process_time()
        servers.start()
        result = await rebuild(nc, os.environ["DORP_DATABASE_URL"], region.id)
        seconds, own = time.perf_counter() - started, time.process_time() - own
        used = servers.stop()
    finally:
        await nc.close()
    return {
        "seconds": seconds,
        "cpu_seconds": own,
        "servers_cpu": used,
        "read": result.total_read,
        "projected": result.projected,
    }


class _ServersCpu:
    """CPU seconds of the embedded PostgreSQL and NATS between start and stop."""

    def __init__(self, data_dir: Path | None) -> None:
        self.data_dir = data_dir
        self._start: dict[str, float] = {}

    def read(self) -> dict[str, float]:
        if self.data_dir is None:
            return {}
        nats = cpu.by_command_line(str(self.data_dir / "nats" / "jetstream"))()
        return {
            "postgres": postgres_cpu(self.data_dir / "postgres"),
            "nats": sum(cpu.cpu_seconds(pid) for pid in nats),
        }

    def start(self) -> None:
        self._start = self.read()

    def stop(self) -> dict[str, float]:
        return {name: spent - self._start[name] for name, spent in self.read().items()}


def postgres_cpu(data_dir: Path) -> float:
    """CPU seconds of the postmaster, its live backends and the backends it has reaped."""
    pids = cpu.postgres_of(data_dir)()
    if not pids:
        return 0.0
    try:
        stat = Path(f"/proc/{pids[0]}/stat").read_text(encoding="ascii")
    except OSError:
        return 0.0
    fields = stat.rsplit(")", 1)[1].split()
    reaped = (int(fields[13]) + int(fields[14])) / cpu.TICKS_PER_SECOND
    return reaped + sum(cpu.cpu_seconds(pid) for pid in pids)


async def report_task(region: Region, year: int) -> dict[str, Any]:
    """The annual report as HTML, then as PDF, each from its queries to its bytes."""
    pool = await db.create_pool(os.environ["DORP_DATABASE_URL"], "reporting", max_size=2)
    period = Period(year)
    answer: dict[str, Any] = {}
    formats: tuple[ReportFormat, ...] = ("html", "pdf")
    for fmt in formats:  # warm up: a service has its renderers loaded
        render_report(build_report(region, period, ReportData(), datetime.now(UTC)), fmt)
    try:
        for fmt in formats:
            started = time.perf_counter()
            async with PgReportingUnitOfWork(pool, region=region.id, source="reporting") as uow:
                data = await uow.projections.report_data(
                    period, period.window(region.time_zone), region.time_zone
                )
            queried = time.perf_counter()
            made = build_report(region, period, data, datetime.now(UTC))
            files = render_report(made, fmt)
            done = time.perf_counter()
            answer[fmt] = {
                "seconds": done - started,
                "query_seconds": queried - started,
                "bytes": sum(len(f.content) for f in files),
            }
            answer["facts"] = totals(data)
    finally:
        await pool.close()
    return answer


def totals(data: ReportData) -> dict[str, int]:
    """The report's facts summed the way :class:`~dorp_cli.bench.reporting_year.Tally`
    counts what was generated."""
    help_ = data.help
    return {
        "new members": sum(data.new_members.values()),
        "requests": sum(help_.requests.values()),
        "offers": sum(help_.offers.values()),
        "matches proposed": sum(help_.proposed.values()),
        "matches confirmed": sum(help_.confirmed.values()),
        "sessions held": sum(i.sessions for i in data.initiatives),
        "attendance (head count)": sum(i.attendance for i in data.initiatives),
        "sign-ups": sum(i.sign_ups for i in data.initiatives),
        "coffee dates": sum(data.coffee_dates.dates.values()),
        "self-checks": sum(b.checks for b in data.self_checks),
        "quotes": len(data.quotes),
        "decisions": len(data.decisions),
        "organisations": sum(data.organisations.partners.values())
        + sum(data.organisations.others.values()),
        **{f"messages ({c})": n for c, n in sorted(data.notifications.items())},
    }


def main(argv: list[str]) -> None:
    task, region_id, year = argv[0], argv[1], int(argv[2])
    data_dir = Path(argv[3]) if len(argv) > 3 else None
    region = load_region(region_id)
    answer: dict[str, Any]
    if task == "all":
        answer = {
            "rebuild": asyncio.run(rebuild_task(region, data_dir)),
            "report": asyncio.run(report_task(region, year)),
        }
    elif task == "rebuild":
        answer = asyncio.run(rebuild_task(region))
    elif task == "report":
        answer = asyncio.run(report_task(region, year))
    else:
        raise SystemExit(f"unknown task {task!r}")
    usage = resource.getrusage(resource.RUSAGE_SELF)
    answer["peak_rss_kib"] = usage.ru_maxrss
    answer.setdefault("cpu_seconds", usage.ru_utime + usage.ru_stime)
    print(json.dumps(answer))


if __name__ == "__main__":
    main(sys.argv[1:])
