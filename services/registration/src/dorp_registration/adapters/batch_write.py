"""Everything a batch of partner messages changed, written by one SQL statement.

One statement, sent without ``BEGIN``/``COMMIT`` (it is its own transaction): new members,
changed and active members, consents, requests, offers, outbox rows (in the order they were
queued) and rejection counts, each a data-modifying ``WITH`` clause fed by one parameter
(a JSON array of rows, or arrays of columns). One round trip to PostgreSQL instead of one per
table and two more for the transaction: on this machine every round trip costs a
cross-process wake-up on each side.

The clauses run on one snapshot and cannot see each other's rows, so a member is changed by
one clause only: a new member's insert already holds its latest profile and activity; an
existing member's profile change and activity are one update.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import asyncpg
from pydantic_core import to_json

from dorp_registration.adapters.members import ACTIVITY_MOVES
from dorp_registration.domain.help import HelpItem
from dorp_registration.domain.members import Member
from dorp_registration.domain.records import Source
from dorp_registration.ports.members import ConsentRecord
from dorp_shared.uow import OutboxRow, outbox_columns, outbox_insert

MEMBER_TYPES = {
    "member_id": "uuid",
    "role": "text",
    "home_area": "text",
    "languages": "text[]",
    "preferred_language": "text",
    "age_bands": "text[]",
    "interests": "text[]",
    "consents": "jsonb",
    "display_name": "text",
    "email": "text",
    "phone": "text",
    "channel": "text",
    "organisation_id": "uuid",
}
"""The columns of a member's profile (what a change may touch), with their types."""
NEW_MEMBER_TYPES = {
    **MEMBER_TYPES,
    "partner_id": "text",
    "external_id": "text",
    "registered_by": "text",
    "connector_id": "uuid",
    "registered_at": "timestamptz",
    "last_active_at": "timestamptz",
}
CHANGED_MEMBER_TYPES = {**MEMBER_TYPES, "changed": "boolean", "active_at": "timestamptz"}
HELP_TYPES = {
    "member_id": "uuid",
    "partner_id": "text",
    "external_id": "text",
    "kind": "text",
    "home_area": "text",
    "languages": "text[]",
    "time_windows": "jsonb",
    "text": "text",
    "created_at": "timestamptz",
    "expires_at": "timestamptz",
}
REQUEST_TYPES = {
    "request_id": "uuid",
    **HELP_TYPES,
    "age_band": "text",
    "prefers_known_people": "boolean",
}
OFFER_TYPES = {"offer_id": "uuid", **HELP_TYPES, "age_bands": "text[]", "capacity": "integer"}


def _insert_rows(table: str, types: Mapping[str, str], param: int) -> str:
    columns = ", ".join(types)
    record = ", ".join(f"{name} {kind}" for name, kind in types.items())
    return (
        f"INSERT INTO {table} ({columns}) SELECT {columns}"
        f" FROM jsonb_to_recordset(${param}::jsonb) AS r ({record})"
    )


def _changed_members(param: int, ids: int) -> str:
    """Profile columns from the row where ``changed``; activity moved on where ``active_at``
    (as :meth:`PgMemberRepository.touch` would: a member whose row neither changes nor
    moves on is not written at all).

    ``ids`` (the rows' member ids, again) lets the planner find the members by their key:
    ``= ANY`` it estimates at 10 rows, a recordset at 100, which it joined with a sequential
    scan of every member (in the bench, for every batch). Rows whose activity would not move
    are not sent at all (:meth:`BatchUnitOfWork._moves`): then the recordset is empty and
    the join reads nothing, whatever plan the connection made while the table was small."""
    record = ", ".join(f"{name} {kind}" for name, kind in CHANGED_MEMBER_TYPES.items())
    profile = ", ".join(
        f"{name} = CASE WHEN r.changed THEN r.{name} ELSE m.{name} END"
        for name in MEMBER_TYPES
        if name != "member_id"
    )
    return (
        f"UPDATE members AS m SET {profile},"
        # activity as ``touch``: moves on, and clears the retention warning, unless erased
        " last_active_at = CASE WHEN r.active_at IS NULL OR m.erased_at IS NOT NULL"
        " THEN m.last_active_at ELSE greatest(m.last_active_at, r.active_at) END,"
        " retention_warned_at = CASE WHEN r.active_at IS NULL OR m.erased_at IS NOT NULL"
        " THEN m.retention_warned_at END"
        f" FROM jsonb_to_recordset(${param}::jsonb) AS r ({record})"
        f" WHERE m.member_id = ANY(${ids}::uuid[]) AND m.member_id = r.member_id"
        " AND (r.changed OR (r.active_at IS NOT NULL"
        f" AND m.erased_at IS NULL AND ({ACTIVITY_MOVES.format(at='r.active_at')})))"
    )


STATEMENT = (
    f"WITH new_members AS ({_insert_rows('members', NEW_MEMBER_TYPES, 1)}),"
    f" changed_members AS ({_changed_members(2, 18)}),"
    " consents AS (INSERT INTO consent_log (member_id, purpose, granted, source, recorded_at)"
    " SELECT * FROM unnest($3::uuid[], $4::text[], $5::boolean[], $6::text[],"
    " $7::timestamptz[])),"
    f" requests AS ({_insert_rows('help_requests', REQUEST_TYPES, 8)}),"
    f" offers AS ({_insert_rows('help_offers', OFFER_TYPES, 9)}),"
    f" queued AS ({outbox_insert(10)}),"
    " counted AS (INSERT INTO rejections (reason, count, last_rejected_at)"
    " SELECT * FROM unnest($15::text[], $16::bigint[], $17::timestamptz[])"
    " ON CONFLICT (reason) DO UPDATE SET count = rejections.count + EXCLUDED.count,"
    " last_rejected_at = greatest(rejections.last_rejected_at, EXCLUDED.last_rejected_at))"
    " SELECT 1"
)


async def write_batch(
    conn: asyncpg.Connection,
    *,
    new_members: Sequence[tuple[Member, str | None]],
    latest: Mapping[uuid.UUID, Member],
    changed: Sequence[Member],
    touched: Sequence[tuple[uuid.UUID, datetime]],
    consents: Sequence[tuple[uuid.UUID, ConsentRecord]],
    new_help: Sequence[tuple[HelpItem, Source | None]],
    outbox: Sequence[OutboxRow],
    rejected: Sequence[tuple[str, datetime]],
) -> None:
    """Write it all in one statement. A member, request or offer stored meanwhile by someone
    else (another replica) fails the statement with a unique violation: nothing is written."""
    active: dict[uuid.UUID, datetime] = {}
    for member_id, at in touched:
        active[member_id] = max(at, active.get(member_id, at))
    new_ids = {member.member_id for member, _ in new_members}
    new_rows = [
        _new_member(latest[member.member_id], external_id, active.get(member.member_id))
        for member, external_id in new_members
    ]
    changed_ids = {member.member_id for member in changed} - new_ids
    updated = list((changed_ids | set(active)) - new_ids)
    changed_rows = [
        _changed_member(latest, member_id, changed_ids, active) for member_id in updated
    ]
    reasons = sorted({reason for reason, _ in rejected})  # locks always taken in one order
    await conn.execute(
        STATEMENT,
        _json(new_rows),
        _json(changed_rows),
        *_columns([(m, r.purpose, r.granted, r.source, r.recorded_at) for m, r in consents], 5),
        _json([_request(item, source) for item, source in new_help if item.side == "request"]),
        _json([_offer(item, source) for item, source in new_help if item.side == "offer"]),
        *outbox_columns(outbox),
        reasons,
        [sum(1 for reason, _ in rejected if reason == wanted) for wanted in reasons],
        [max(at for reason, at in rejected if reason == wanted) for wanted in reasons],
        updated,
    )


def _json(rows: list[dict[str, Any]]) -> str:
    """The rows as a JSON array. Ids, times and models are left to ``to_json`` (pydantic's
    serialiser, in Rust): turning them into strings one by one in Python cost more than the
    JSON itself."""
    return to_json(rows).decode()


def _columns(rows: Sequence[tuple[Any, ...]], width: int) -> list[list[Any]]:
    return [list(column) for column in zip(*rows, strict=True)] if rows else [[]] * width


def _profile(member: Member) -> dict[str, Any]:
    contact = member.contact
    return {
        "member_id": member.member_id,
        "role": member.role,
        "home_area": member.home_area,
        "languages": list(member.languages),
        "preferred_language": member.preferred_language,
        "age_bands": list(member.age_bands),
        "interests": list(member.interests),
        "consents": member.consents,
        "display_name": contact.display_name,
        "email": contact.email,
        "phone": contact.phone,
        "channel": contact.channel,
        "organisation_id": member.organisation_id,
    }


def _new_member(member: Member, external_id: str | None, active: datetime | None) -> dict[str, Any]:
    last_active = max(member.registered_at, active) if active else member.registered_at
    return {
        **_profile(member),
        "partner_id": member.partner_id,
        "external_id": external_id,
        "registered_by": member.registered_by,
        "connector_id": member.connector_id,
        "registered_at": member.registered_at,
        "last_active_at": last_active,
    }


def _changed_member(
    latest: Mapping[uuid.UUID, Member],
    member_id: uuid.UUID,
    changed_ids: set[uuid.UUID],
    active: Mapping[uuid.UUID, datetime],
) -> dict[str, Any]:
    at = active.get(member_id)
    if member_id in changed_ids:
        return {**_profile(latest[member_id]), "changed": True, "active_at": at}
    return {"member_id": member_id, "changed": False, "active_at": at}


def _help(item: HelpItem, source: Source | None) -> dict[str, Any]:
    return {
        "member_id": item.member_id,
        "partner_id": source.partner_id if source else None,
        "external_id": source.external_id if source else None,
        "kind": item.kind,
        "home_area": item.home_area,
        "languages": list(item.languages),
        "time_windows": item.time_windows,
        "text": item.text,
        "created_at": item.created_at,
        "expires_at": item.expires_at,
    }


def _request(item: HelpItem, source: Source | None) -> dict[str, Any]:
    return {
        "request_id": item.help_id,
        **_help(item, source),
        "age_band": item.age_band,
        "prefers_known_people": item.prefers_known_people,
    }


def _offer(item: HelpItem, source: Source | None) -> dict[str, Any]:
    return {
        "offer_id": item.help_id,
        **_help(item, source),
        "age_bands": list(item.age_bands),
        "capacity": item.capacity,
    }
