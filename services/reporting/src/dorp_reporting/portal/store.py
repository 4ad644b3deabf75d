"""The portal's tables in reporting's schema (asyncpg, no ORM)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import asyncpg

from dorp_reporting.domain.editorial import Editorial
from dorp_reporting.portal.domain import (
    AuditEntry,
    GeneratedReport,
    StaffAccount,
    StaffSession,
)

# Tables that are not projections of events: their times say nothing about when things
# happened in the region.
NOT_PROJECTIONS = (
    "inbox",
    "outbox",
    "idempotency",
    "schema_migrations",
    "report_editorials",
    "staff_accounts",
    "staff_sessions",
    "staff_login_failures",
    "staff_audit",
    "generated_reports",
    "generated_report_files",
)


class DuplicateAccount(Exception):
    pass


class PortalStore:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    # accounts -------------------------------------------------------------------------

    async def add_account(self, email: str, password_hash: str) -> int:
        try:
            staff_id: int = await self._pool.fetchval(
                "INSERT INTO staff_accounts (email, password_hash) VALUES ($1, $2) "
                "RETURNING staff_id",
                email,
                password_hash,
            )
        except asyncpg.UniqueViolationError as exc:
            raise DuplicateAccount(email) from exc
        return staff_id

    async def account(self, email: str) -> StaffAccount | None:
        row = await self._pool.fetchrow("SELECT * FROM staff_accounts WHERE email = $1", email)
        return StaffAccount(**dict(row)) if row else None

    async def accounts(self) -> list[StaffAccount]:
        rows = await self._pool.fetch("SELECT * FROM staff_accounts ORDER BY email")
        return [StaffAccount(**dict(row)) for row in rows]

    async def set_active(self, email: str, active: bool) -> bool:
        """False when there is no such account. Disabling ends its sessions."""
        async with self._pool.acquire() as conn, conn.transaction():
            staff_id = await conn.fetchval(
                "UPDATE staff_accounts SET active = $2 WHERE email = $1 RETURNING staff_id",
                email,
                active,
            )
            if staff_id is not None and not active:
                await conn.execute("DELETE FROM staff_sessions WHERE staff_id = $1", staff_id)
        return staff_id is not None

    async def set_password(self, email: str, password_hash: str) -> bool:
        async with self._pool.acquire() as conn, conn.transaction():
            staff_id = await conn.fetchval(
                "UPDATE staff_accounts SET password_hash = $2 WHERE email = $1 RETURNING staff_id",
                email,
                password_hash,
            )
            if staff_id is not None:
                await conn.execute("DELETE FROM staff_sessions WHERE staff_id = $1", staff_id)
        return staff_id is not None

    # failed log-ins ---------------------------------------------------------------------

    async def record_failure(self, email: str, at: datetime, address: str) -> None:
        await self._pool.execute(
            "INSERT INTO staff_login_failures (email, failed_at, address) VALUES ($1, $2, $3)",
            email,
            at,
            address,
        )

    async def failures_since(self, email: str, since: datetime) -> int:
        count: int = await self._pool.fetchval(
            "SELECT count(*) FROM staff_login_failures WHERE email = $1 AND failed_at >= $2",
            email,
            since,
        )
        return count

    async def clear_failures(self, email: str) -> None:
        await self._pool.execute("DELETE FROM staff_login_failures WHERE email = $1", email)

    # sessions ---------------------------------------------------------------------------

    async def open_session(
        self, token_hash: bytes, staff_id: int, csrf_token: str, now: datetime
    ) -> None:
        await self._pool.execute(
            "INSERT INTO staff_sessions (token_hash, staff_id, csrf_token, created_at,"
            " last_seen_at) VALUES ($1, $2, $3, $4, $4)",
            token_hash,
            staff_id,
            csrf_token,
            now,
        )

    async def session(self, token_hash: bytes) -> StaffSession | None:
        row = await self._pool.fetchrow(
            "SELECT s.staff_id, a.email, a.active, s.csrf_token, s.created_at, s.last_seen_at"
            " FROM staff_sessions s JOIN staff_accounts a USING (staff_id)"
            " WHERE s.token_hash = $1",
            token_hash,
        )
        return StaffSession(**dict(row)) if row else None

    async def touch_session(self, token_hash: bytes, now: datetime) -> None:
        await self._pool.execute(
            "UPDATE staff_sessions SET last_seen_at = $2 WHERE token_hash = $1", token_hash, now
        )

    async def close_session(self, token_hash: bytes) -> None:
        await self._pool.execute("DELETE FROM staff_sessions WHERE token_hash = $1", token_hash)

    async def forget_sessions_before(self, moment: datetime) -> None:
        await self._pool.execute("DELETE FROM staff_sessions WHERE last_seen_at < $1", moment)

    # audit ------------------------------------------------------------------------------

    async def audit(self, entry: AuditEntry) -> None:
        await self._pool.execute(
            "INSERT INTO staff_audit (at, staff_email, action, period, format, address)"
            " VALUES ($1, $2, $3, $4, $5, $6)",
            entry.at,
            entry.staff_email,
            entry.action,
            entry.period,
            entry.format,
            entry.address,
        )

    async def audit_entries(self, limit: int = 200) -> list[AuditEntry]:
        rows = await self._pool.fetch(
            "SELECT at, staff_email, action, period, format, address FROM staff_audit"
            " ORDER BY at DESC, audit_id DESC LIMIT $1",
            limit,
        )
        return [AuditEntry(**dict(row)) for row in rows]

    # editorials -------------------------------------------------------------------------

    async def editorial(self, period: str) -> Editorial | None:
        row = await self._pool.fetchrow(
            "SELECT period, highlights, focus_points, updated_by, updated_at"
            " FROM report_editorials WHERE period = $1",
            period,
        )
        return Editorial(**dict(row)) if row else None

    async def save_editorial(self, editorial: Editorial) -> None:
        await self._pool.execute(
            "INSERT INTO report_editorials (period, highlights, focus_points, updated_by,"
            " updated_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (period) DO UPDATE SET"
            " highlights = EXCLUDED.highlights, focus_points = EXCLUDED.focus_points,"
            " updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at",
            editorial.period,
            editorial.highlights,
            editorial.focus_points,
            editorial.updated_by,
            editorial.updated_at,
        )

    # generated reports ------------------------------------------------------------------

    async def store_generated(
        self,
        period: str,
        trigger: str,
        at: datetime,
        by: str,
        files: Sequence[tuple[str, str, str, bytes]],
    ) -> int | None:
        """Keep a generated report and its files ``(format, name, media type, content)``;
        None (and nothing kept) when this period's scheduled report exists already."""
        async with self._pool.acquire() as conn, conn.transaction():
            report_id: int | None = await conn.fetchval(
                "INSERT INTO generated_reports (period, trigger, generated_at, generated_by)"
                " VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING report_id",
                period,
                trigger,
                at,
                by,
            )
            if report_id is None:
                return None
            await conn.executemany(
                "INSERT INTO generated_report_files (report_id, format, name, media_type,"
                " content) VALUES ($1, $2, $3, $4, $5)",
                [(report_id, *file) for file in files],
            )
        return report_id

    async def scheduled_periods(self) -> set[str]:
        rows = await self._pool.fetch(
            "SELECT period FROM generated_reports WHERE trigger = 'schedule'"
        )
        return {row["period"] for row in rows}

    async def generated(self, period: str | None = None) -> list[GeneratedReport]:
        """Generated reports (of one period, or all), newest first, with their formats."""
        rows = await self._pool.fetch(
            "SELECT r.report_id, r.period, r.trigger, r.generated_at, r.generated_by,"
            " coalesce(array_agg(DISTINCT f.format) FILTER (WHERE f.format IS NOT NULL),"
            " '{}') AS formats"
            " FROM generated_reports r LEFT JOIN generated_report_files f USING (report_id)"
            " WHERE $1::text IS NULL OR r.period = $1"
            " GROUP BY r.report_id ORDER BY r.generated_at DESC, r.report_id DESC",
            period,
        )
        return [GeneratedReport(**{**dict(row), "formats": tuple(row["formats"])}) for row in rows]

    async def files(self, report_id: int, fmt: str) -> list[tuple[str, str, bytes]]:
        rows = await self._pool.fetch(
            "SELECT name, media_type, content FROM generated_report_files"
            " WHERE report_id = $1 AND format = $2 ORDER BY name",
            report_id,
            fmt,
        )
        return [(row["name"], row["media_type"], bytes(row["content"])) for row in rows]

    # what the projections cover --------------------------------------------------------

    async def data_span(self) -> tuple[datetime, datetime] | None:
        """The earliest and latest time in any projection table: every timestamp column of
        the schema's tables, except the portal's own and the plumbing's."""
        async with self._pool.acquire() as conn:
            columns = await conn.fetch(
                "SELECT table_name, column_name FROM information_schema.columns"
                " WHERE table_schema = current_schema()"
                " AND data_type = 'timestamp with time zone'"
                " AND NOT (table_name = ANY($1::text[]))",
                list(NOT_PROJECTIONS),
            )
            if not columns:
                return None
            parts = [
                f'SELECT min("{c["column_name"]}") AS lo, max("{c["column_name"]}") AS hi'
                f' FROM "{c["table_name"]}"'
                for c in columns
            ]
            row = await conn.fetchrow(
                f"SELECT min(lo) AS lo, max(hi) AS hi FROM ({' UNION ALL '.join(parts)}) s"
            )
        if row is None or row["lo"] is None:
            return None
        return row["lo"], row["hi"]
