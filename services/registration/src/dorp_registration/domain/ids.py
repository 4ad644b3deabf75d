"""Stable Dorp ids derived from a partner's own ids, so a record sent twice registers once."""

from __future__ import annotations

import functools
import json
import uuid
from typing import Literal

RecordKind = Literal["member", "help_request", "help_offer", "organisation"]

# Fixed forever: changing it would give every existing record a new id.
NAMESPACE = uuid.UUID("5f1d7a2e-3c4b-5e6f-8a9b-0c1d2e3f4a5b")


@functools.lru_cache(maxsize=8192)  # a batch derives each id twice (its read, its use case)
def dorp_id(region: str, partner_id: str, kind: RecordKind, external_id: str) -> uuid.UUID:
    """uuid5 of (region, partner, kind of record, external id); JSON keeps the parts apart."""
    return uuid.uuid5(NAMESPACE, json.dumps([region, partner_id, kind, external_id]))


def event_id(record_id: uuid.UUID, event_type: str) -> uuid.UUID:
    """The id of the one event a record causes: a replay can never publish a second one."""
    return uuid.uuid5(record_id, event_type)
