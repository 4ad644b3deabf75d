"""The dispatcher loop: sends what is due, woken after each commit that records a
delivery and otherwise every ``DORP_NOTIFY_POLL_SECONDS`` (reminders, digests, held SMS,
retries, other replicas' rows). Everything it works from is stored, so a restart loses
nothing; see ``dispatch`` for why nothing is sent twice."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable

import structlog

from dorp_notifications.dispatch import Dispatcher

log = structlog.get_logger(__name__)


class DispatchLoop:
    def __init__(self, dispatcher: Dispatcher, poll_seconds: float) -> None:
        self._dispatcher = dispatcher
        self._poll = poll_seconds
        self._woken = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def wake(self) -> None:
        self._woken.set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="notifications-dispatch")

    async def stop(self) -> None:
        """Cancelled between rounds or mid-send: what was in flight stays pending and its
        lease brings it back (the documented gap)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while True:
            self._woken.clear()
            try:
                done = await self._dispatcher.run_once()
            except Exception as exc:
                log.warning("job.failed", job="dispatch", error=str(exc))
                done = 0
            if done:
                continue  # more may be due
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._woken.wait(), self._poll)


class Soon:
    """Calls ``action`` once, ``delay`` seconds after the first of any number of calls
    meanwhile: the outbox relay, woken so after each batch of outcomes, publishes the
    ``NotificationSent`` of several batches in one round instead of a round per batch."""

    def __init__(self, action: Callable[[], None], delay: float) -> None:
        self._action = action
        self._delay = delay
        self._timer: asyncio.TimerHandle | None = None

    def __call__(self) -> None:
        if self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(self._delay, self._fire)

    def _fire(self) -> None:
        self._timer = None
        self._action()
