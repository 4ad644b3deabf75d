"""Correlation ids: one id follows a partner's message, a command or an event through every
service it causes work in.

The id arrives in the ``Dorp-Correlation-Id`` header (an event's envelope, a command's
request) or starts here. While a message or command is handled it is the *current* id: it is
on every line logged (:func:`add_correlation_id`), and every event emitted meanwhile
inherits it (see :meth:`dorp_shared.uow.PgUnitOfWork.emit`).
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator, Mapping, MutableMapping
from contextvars import ContextVar
from typing import Any

from dorp_shared.contracts.envelope import CORRELATION_HEADER

MAX_CORRELATION_ID = 128
"""A longer header is not ours: a fresh id is started instead of carrying it on."""

_current: ContextVar[str | None] = ContextVar("dorp_correlation_id", default=None)


def current_correlation_id() -> str | None:
    return _current.get()


def new_correlation_id() -> str:
    return str(uuid.uuid4())


def correlation_from(headers: Mapping[str, Any] | None) -> str:
    """The id a message or request carries, if usable; else a new one."""
    value = (headers or {}).get(CORRELATION_HEADER)
    if isinstance(value, str) and 0 < len(value) <= MAX_CORRELATION_ID and value.isprintable():
        return value
    return new_correlation_id()


@contextlib.contextmanager
def correlation_scope(correlation_id: str) -> Iterator[str]:
    """Make ``correlation_id`` current (and logged, by :func:`add_correlation_id`) for the
    duration of the block."""
    token = _current.set(correlation_id)
    try:
        yield correlation_id
    finally:
        _current.reset(token)


def add_correlation_id(
    _logger: Any, _method: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """structlog processor: the current correlation id on every line logged. Read when a line
    is logged instead of bound in structlog's context per message: most messages log
    nothing, and binding cost a few per cent of partner intake's CPU."""
    correlation_id = _current.get()
    if correlation_id is not None:
        event_dict.setdefault("correlation_id", correlation_id)
    return event_dict
