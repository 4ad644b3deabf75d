"""Correlation ids: one id follows a partner's message, a command or an event through every
service it causes work in.

The id arrives in the ``Dorp-Correlation-Id`` header (an event's envelope, a command's
request) or starts here. While a message or command is handled it is the *current* id: it is
bound in the structlog context, and every event emitted meanwhile inherits it (see
:meth:`dorp_shared.uow.PgUnitOfWork.emit`).
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from typing import Any

import structlog

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
    """Make ``correlation_id`` current (and logged) for the duration of the block."""
    token = _current.set(correlation_id)
    try:
        with structlog.contextvars.bound_contextvars(correlation_id=correlation_id):
            yield correlation_id
    finally:
        _current.reset(token)
