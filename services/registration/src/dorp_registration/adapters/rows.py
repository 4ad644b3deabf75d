"""Database rows as JSON-ready dicts, for the export of everything held on a member."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterable
from typing import Any

import asyncpg

JSON_COLUMNS = frozenset({"consents", "answers", "scores"})


def jsonable(row: asyncpg.Record) -> dict[str, Any]:
    return {key: _value(key, value) for key, value in row.items()}


def jsonable_rows(rows: Iterable[asyncpg.Record]) -> list[dict[str, Any]]:
    return [jsonable(row) for row in rows]


def _value(key: str, value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_value(key, item) for item in value]
    if key in JSON_COLUMNS and isinstance(value, str):
        return json.loads(value)
    return value
