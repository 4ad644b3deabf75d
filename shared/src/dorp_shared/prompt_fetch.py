"""A prompt fetch for pull consumers: wait for the first message, then take only what is
already waiting, and hand it over at once.

One pull request per fetch, ``no_wait`` with ``expires``: nats-server (2.15 here) holds
it until the first message is there or it expires, then delivers what is waiting, up to the
batch, and ends it with status 408 (or 404), without waiting for the batch to fill. That is
also the first request of nats-py's ``fetch``, but nats-py reads every message through
``next_msg`` (a task and a timer each: ~35 µs of CPU per message), and on an empty answer
it sends a second, lingering pull that waits for the whole batch until the timeout. Here
messages already in the inbox are taken straight from its queue, and a fetch that ends
without messages just returns nothing. A consumer that is behind still gets full batches,
and one under load gets the messages that queued up while it handled the previous batch:
batches grow with the load by themselves.

:func:`fetch_promptly` gives a FastStream pull subscriber this fetch; everything else
(parsing, middlewares, acks, the order of handling) stays FastStream's.
"""

from __future__ import annotations

import asyncio
import functools
import json
from typing import Any

import structlog
from faststream.nats.subscriber.usecases.basic import LogicSubscriber
from nats.aio.msg import Msg
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js import JetStreamContext
from nats.js.api import StatusCode
from nats.js.errors import APIError

PullSubscription = JetStreamContext.PullSubscription
log = structlog.get_logger(__name__)

EXPIRY_GRACE_SECONDS = 0.5
"""How much longer than the server's expiry the client waits for the pull's end (its 408
status), so that no pull is left behind on the server to take a message later."""
CONFLICT_PAUSE_SECONDS = 1.0
"""How long a fetch waits after a 409 before it returns nothing (see ``prompt_fetch``)."""
_NO_MORE = {StatusCode.NO_MESSAGES.value, StatusCode.REQUEST_TIMEOUT.value}
_HEARTBEAT = StatusCode.CONTROL_MESSAGE.value
_CONFLICT = StatusCode.CONFLICT.value


async def prompt_fetch(pull: PullSubscription, batch: int, timeout: float) -> list[Msg]:
    """Up to ``batch`` messages: wait up to ``timeout`` seconds for the first one, then take
    the ones already waiting and return. An empty list when nothing came in time."""
    taken = _in_inbox(pull, batch)
    if len(taken) == batch:
        return taken
    request: dict[str, Any] = {"batch": batch - len(taken), "no_wait": True}
    if not taken:  # wait for the first; without expires the server answers at once
        request["expires"] = int(timeout * 1_000_000_000)
    await pull._nc.publish(pull._nms, json.dumps(request).encode(), pull._deliver)
    deadline = asyncio.get_running_loop().time() + timeout + EXPIRY_GRACE_SECONDS
    while len(taken) < batch:
        msg = await _next(pull, deadline)
        if msg is None:
            break
        status = _status(msg)
        if status is None:
            taken.append(msg)
        elif status == _HEARTBEAT:
            continue
        elif status in _NO_MORE or taken:
            break
        elif status == _CONFLICT:  # e.g. too many pulls waiting, a leader changing
            await _pause_after_conflict(msg, timeout)
            break
        else:
            raise APIError.from_msg(msg)
    return taken


async def _pause_after_conflict(msg: Msg, timeout: float) -> None:
    """A pull refused with 409 and nothing taken: the caller (FastStream's loop) fetches
    again at once, so without a pause a lasting conflict would spin the loop."""
    log.warning("pull.conflict", status=(msg.headers or {}).get("Description", "409"))
    await asyncio.sleep(min(timeout, CONFLICT_PAUSE_SECONDS))


def fetch_promptly(subscriber: LogicSubscriber[Any]) -> None:
    """Make a FastStream pull subscriber fetch with :func:`prompt_fetch`, each time it
    (re)creates its subscription. FastStream's consuming loop calls
    ``subscription.fetch(batch=..., timeout=...)`` and handles what it returns as before."""
    create_subscription = subscriber._create_subscription

    async def create_with_prompt_fetch() -> None:
        await create_subscription()
        pull = subscriber.subscription
        if isinstance(pull, PullSubscription):  # before its consuming task first runs
            pull.fetch = functools.partial(prompt_fetch, pull)  # type: ignore[method-assign]

    subscriber._create_subscription = create_with_prompt_fetch  # type: ignore[method-assign]


def _in_inbox(pull: PullSubscription, batch: int) -> list[Msg]:
    """Messages delivered to the inbox for a pull that ended before they came (a client
    wait that gave up); status messages there belong to finished pulls."""
    taken: list[Msg] = []
    while len(taken) < batch:
        msg = _queued(pull)
        if msg is None:
            break
        if _status(msg) is None:
            taken.append(msg)
    return taken


async def _next(pull: PullSubscription, deadline: float) -> Msg | None:
    """The next message of the pull's inbox, None once ``deadline`` (loop time) has passed.
    One already queued is taken without a timer task (the burst of a ``no_wait`` pull)."""
    queued = _queued(pull)
    if queued is not None:
        return queued
    remaining = deadline - asyncio.get_running_loop().time()
    if remaining <= 0:
        return None
    try:
        return await pull._sub.next_msg(timeout=remaining)
    except NatsTimeoutError:
        return None


def _queued(pull: PullSubscription) -> Msg | None:
    """A message already in the inbox's queue, booked as ``next_msg`` books it."""
    sub = pull._sub
    queue = sub._pending_queue
    if queue.empty():
        return None
    msg: Msg = queue.get_nowait()
    sub._pending_size -= len(msg.data)
    queue.task_done()
    return msg


def _status(msg: Msg) -> str | None:
    return JetStreamContext.is_status_msg(msg)
