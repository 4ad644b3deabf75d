"""Resident memory of another process, read from ``/proc/<pid>/status`` (Linux)."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path


def status_kib(pid: int, field: str) -> int | None:
    """A ``kB`` field of /proc/<pid>/status (VmRSS, VmHWM), or None when unreadable."""
    try:
        text = Path(f"/proc/{pid}/status").read_text(encoding="ascii")
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    return None


class RssSampler:
    """Samples VmRSS while running; the peak is the larger of the samples and VmHWM
    (the kernel's own high-water mark, which no sampling interval can miss)."""

    def __init__(self, pid: int, interval: float = 0.2) -> None:
        self.pid = pid
        self.interval = interval
        self.peak_kib = 0
        self.current_kib = 0
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self.sample()

    def sample(self) -> None:
        rss = status_kib(self.pid, "VmRSS")
        if rss is not None:
            self.current_kib = rss
        peak = max(rss or 0, status_kib(self.pid, "VmHWM") or 0)
        self.peak_kib = max(self.peak_kib, peak)

    @property
    def peak_mib(self) -> float:
        return round(self.peak_kib / 1024, 1)

    async def _run(self) -> None:
        while True:
            self.sample()
            await asyncio.sleep(self.interval)
