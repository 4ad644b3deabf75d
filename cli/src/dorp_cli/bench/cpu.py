"""CPU time of processes, from ``/proc/<pid>/stat`` (Linux).

Throughput depends on what else the machine is doing; CPU time per event does much less.
Dividing the cores by the CPU all processes spend per event gives the most this machine
could do, and shows which process the time goes to.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK")

PidSource = Callable[[], list[int]]


def cpu_seconds(pid: int) -> float:
    """User plus system time of one process so far; 0 once it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii")
    except OSError:
        return 0.0
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS_PER_SECOND


def children(parent: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text(encoding="ascii")
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == parent:
            found.append(int(entry.name))
    return found


def with_children(pid: int) -> PidSource:
    """A process and its children (PostgreSQL's postmaster and its backends)."""
    return lambda: [pid, *children(pid)]


def only(pid: int) -> PidSource:
    return lambda: [pid]


class CpuMeter:
    """CPU seconds each group of processes spent between :meth:`start` and :meth:`stop`.

    A process seen at the start is counted from there; one started later counts whole."""

    def __init__(self, groups: dict[str, PidSource]) -> None:
        self.groups = groups
        self._start: dict[int, float] = {}
        self.spent: dict[str, float] = {}

    def start(self) -> None:
        self._start = {pid: cpu_seconds(pid) for source in self.groups.values() for pid in source()}

    def stop(self) -> dict[str, float]:
        self.spent = {
            name: sum(cpu_seconds(pid) - self._start.get(pid, 0.0) for pid in source())
            for name, source in self.groups.items()
        }
        return self.spent


def by_command_line(fragment: str) -> PidSource:
    """Processes whose command line contains ``fragment`` (looked up once, when asked)."""

    def find() -> list[int]:
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if fragment in command and int(entry.name) != os.getpid():
                found.append(int(entry.name))
        return found

    return find


def postgres_of(data_dir: Path) -> PidSource:
    """The postmaster of a data folder and its backends; nothing if it is not local."""

    def find() -> list[int]:
        try:
            postmaster = int((data_dir / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return []
        return with_children(postmaster)()

    return find
