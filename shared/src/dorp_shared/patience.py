"""Trying an operation again, with pauses that double, until it works or patience runs out:
for a server that restarts (a service starting, outcomes recorded after their send)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")
OnRetry = Callable[[Exception, float, float], None]
"""Called before each pause with (the error, the pause, seconds of patience left)."""


async def retry_for(
    attempt: Callable[[], Awaitable[T]],
    *,
    patience: float,
    retry_on: type[Exception] | tuple[type[Exception], ...] = Exception,
    first_pause: float = 0.2,
    longest_pause: float = 5.0,
    on_retry: OnRetry | None = None,
) -> T:
    """``attempt()`` until it returns; an error of ``retry_on`` is tried again for up to
    ``patience`` seconds (the last attempt at the end of it), then raised. Others are raised
    at once."""
    deadline = time.monotonic() + patience
    pause = first_pause
    while True:
        try:
            return await attempt()
        except retry_on as exc:
            left = deadline - time.monotonic()
            if left <= 0:
                raise
            if on_retry is not None:
                on_retry(exc, pause, left)
            await asyncio.sleep(min(pause, left))
            pause = min(pause * 2, longest_pause)
