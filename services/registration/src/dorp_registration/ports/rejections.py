"""Rejected partner input: counted and dead-lettered."""

from __future__ import annotations

from typing import Protocol

from dorp_shared.contracts.deadletter import DeadLetter


class RejectionLog(Protocol):
    async def record(self, letter: DeadLetter) -> None:
        """Count the rejection by reason and queue its dead letter for publishing."""
        ...
