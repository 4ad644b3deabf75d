"""The intake queue: help requests and offers matched in stream order, runs of requests in
one transaction each (:mod:`dorp_matching.intake`).

A ``HelpRequested`` or ``HelpOffered`` handler puts its event in the queue and then ends its
message's turn (``release_order``): the next request of the same kind can be queued at once,
behind it, instead of waiting for its commit. One worker takes what queued up meanwhile, in
queue order: a run of requests as one unit of work, an offer alone (it is rare and serves
the waiting requests of its kind). So the queue keeps the order the turns gave: one
member's events and one kind's requests and offers as in the stream. The handler returns
(and the message is acknowledged) only when its event is committed, or raises what the one
at a time handler would have raised (retried or dead-lettered as before).

Events that can touch every kind (consent, erasure, a profile, withdrawing or renewing help)
first wait until everything queued before them is done (``settled``): their turn came
after those events' turns, and so does their transaction.

If a run's transaction fails as a whole, each of its events is handled again on its own.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable
from contextvars import Context
from dataclasses import dataclass

import structlog

from dorp_matching import handlers
from dorp_matching.adapters.uow import PgMatchingUnitOfWork
from dorp_matching.intake import Outcome, help_requested_many
from dorp_shared.contracts import Envelope, HelpOffered, HelpRequested
from dorp_shared.messaging import release_order
from dorp_shared.regions import Region

MAX_RUN = 128
"""Requests at most in one transaction."""

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class _Queued:
    done: asyncio.Future[None]
    request: Envelope[HelpRequested] | None = None
    offer: Envelope[HelpOffered] | None = None


class IntakeQueue:
    def __init__(self, uow: Callable[[], PgMatchingUnitOfWork], region: Region) -> None:
        self._uow = uow
        self._region = region
        self._queue: asyncio.Queue[_Queued] | None = None
        self._worker: asyncio.Task[None] | None = None
        self._unsettled: set[asyncio.Future[None]] = set()

    async def request(self, event: Envelope[HelpRequested]) -> None:
        """Queue the request, let the next messages start, and wait until it is handled."""
        await self._submit(lambda done: _Queued(done, request=event))

    async def offer(self, event: Envelope[HelpOffered]) -> None:
        """As ``request``, for an offer."""
        await self._submit(lambda done: _Queued(done, offer=event))

    async def _submit(self, queued: Callable[[asyncio.Future[None]], _Queued]) -> None:
        queue = self._queue or self._start()
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._unsettled.add(done)
        done.add_done_callback(self._unsettled.discard)
        queue.put_nowait(queued(done))
        release_order()
        await done

    async def settled(self) -> None:
        """Wait until every event queued so far is handled (whatever the outcome)."""
        if self._unsettled:
            await asyncio.wait(list(self._unsettled))

    def _start(self) -> asyncio.Queue[_Queued]:
        """Started with the first event, in the service's event loop, in a context of its
        own: not the first message's (its log fields, correlation id and trace)."""
        self._queue = asyncio.Queue()
        work = self._work(self._queue)
        self._worker = asyncio.create_task(work, name="matching-intake", context=Context())
        return self._queue

    async def _work(self, queue: asyncio.Queue[_Queued]) -> None:
        while True:
            taken = [await queue.get()]
            while len(taken) < MAX_RUN and not queue.empty():
                taken.append(queue.get_nowait())
            while taken:
                run = list(itertools.takewhile(lambda q: q.request is not None, taken))
                if run:
                    await self._requests(run)
                    taken = taken[len(run) :]
                else:
                    await self._offer(taken.pop(0))

    async def _requests(self, run: list[_Queued]) -> None:
        events = [queued.request for queued in run if queued.request is not None]
        try:
            outcomes = await help_requested_many(events, self._uow(), self._region)
        except Exception as exc:
            log.warning("intake.run_handled_singly", error=repr(exc)[:200], events=len(run))
            outcomes = [await self._one(queued) for queued in run]
        for queued, outcome in zip(run, outcomes, strict=True):
            _settle(queued.done, outcome)

    async def _one(self, queued: _Queued) -> Outcome:
        assert queued.request is not None
        try:
            await handlers.help_requested(queued.request, self._uow(), self._region)
        except Exception as exc:
            return exc
        return None

    async def _offer(self, queued: _Queued) -> None:
        assert queued.offer is not None
        try:
            await handlers.help_offered(queued.offer, self._uow(), self._region)
        except Exception as exc:
            _settle(queued.done, exc)
        else:
            _settle(queued.done, None)


def _settle(done: asyncio.Future[None], outcome: Outcome) -> None:
    if done.done():  # its handler was cancelled (shutdown)
        return
    if outcome is None:
        done.set_result(None)
    else:
        done.set_exception(outcome)
