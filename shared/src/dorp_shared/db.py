"""PostgreSQL: one asyncpg pool per service, each service in its own schema.

Migrations are plain SQL files ``NNNN_description.sql`` in a package folder, applied in
order, forward only, each in its own transaction, under an advisory lock so replicas
starting together do not race. Applied files are recorded with a checksum: editing an
applied migration is an error, not a silent no-op.
"""

from __future__ import annotations

import hashlib
import re
from importlib import resources
from importlib.resources.abc import Traversable

import asyncpg

from dorp_shared.errors import InfrastructureUnavailable

_SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")
_MIGRATION_FILE = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


def describe_dsn(url: str) -> str:
    """The URL without its password, fit for an error message."""
    return re.sub(r"(://[^:/@]+):[^@]*@", r"\1:***@", url)


async def connect(url: str, *, schema: str | None = None) -> asyncpg.Connection:
    settings = {"search_path": schema} if schema else None
    try:
        return await asyncpg.connect(url, server_settings=settings, timeout=10)
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        raise InfrastructureUnavailable(
            f"cannot reach PostgreSQL at {describe_dsn(url)}: {exc}"
        ) from exc


async def create_pool(
    url: str, schema: str, *, max_size: int = 5, keep_session: bool = False
) -> asyncpg.Pool:
    """A pool whose connections see only the service's own schema by default.

    ``keep_session``: a released connection is not reset (``RESET ALL``, ``UNLISTEN *`` and
    so on, a round trip per release); an open transaction is still rolled back. For a pool
    whose users change no session state."""
    _check_schema(schema)
    try:
        pool = await asyncpg.create_pool(
            url,
            min_size=1,
            max_size=max_size,
            server_settings={"search_path": schema},
            timeout=10,
            reset=_keep_session if keep_session else None,
        )
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        raise InfrastructureUnavailable(
            f"cannot reach PostgreSQL at {describe_dsn(url)}: {exc}"
        ) from exc
    assert pool is not None
    return pool


async def _keep_session(conn: asyncpg.Connection) -> None:
    """Nothing to reset (asyncpg rolls back an open transaction before it calls this)."""


CONNECTION_FAILURES: tuple[type[BaseException], ...] = (
    asyncpg.PostgresConnectionError,  # the connection broke (SQLSTATE class 08)
    asyncpg.exceptions.CannotConnectNowError,  # starting up or shutting down
    asyncpg.exceptions.AdminShutdownError,
    asyncpg.exceptions.TooManyConnectionsError,
    ConnectionRefusedError,  # nothing listens: the server is down
    InfrastructureUnavailable,
)


def is_connection_failure(exc: BaseException) -> bool:
    """The database is (briefly) out of reach: the work itself is fine and must wait for it,
    not count as a failed attempt. A closed connection shows up as asyncpg's InterfaceError."""
    if isinstance(exc, CONNECTION_FAILURES):
        return True
    return isinstance(exc, asyncpg.InterfaceError) and "connection" in str(exc)


def migration_files(package: str) -> list[tuple[str, Traversable]]:
    """``(version, file)`` pairs of a migrations package, in order."""
    found = []
    for entry in resources.files(package).iterdir():
        match = _MIGRATION_FILE.match(entry.name)
        if match:
            found.append((f"{package}:{entry.name}", entry))
    return sorted(found, key=lambda pair: pair[1].name)


async def migrate(url: str, schema: str, packages: list[str]) -> list[str]:
    """Apply the not yet applied migrations of ``packages`` (in that order) to ``schema``.

    Returns the versions applied now.
    """
    _check_schema(schema)
    conn = await connect(url)
    applied_now: list[str] = []
    try:
        await conn.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
        await conn.execute(f"SET search_path TO {schema}")
        await conn.execute("SELECT pg_advisory_lock(hashtext($1))", f"dorp-migrate-{schema}")
        try:
            await conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                " version text PRIMARY KEY, checksum text NOT NULL,"
                " applied_at timestamptz NOT NULL DEFAULT now())"
            )
            done = {
                row["version"]: row["checksum"]
                for row in await conn.fetch("SELECT version, checksum FROM schema_migrations")
            }
            for package in dict.fromkeys(packages):
                for version, entry in migration_files(package):
                    sql = entry.read_text(encoding="utf-8")
                    checksum = hashlib.sha256(sql.encode()).hexdigest()
                    if version in done:
                        if done[version] != checksum:
                            raise RuntimeError(
                                f"migration {version} changed after it was applied; "
                                "add a new migration instead"
                            )
                        continue
                    async with conn.transaction():
                        await conn.execute(sql)
                        await conn.execute(
                            "INSERT INTO schema_migrations (version, checksum) VALUES ($1, $2)",
                            version,
                            checksum,
                        )
                    applied_now.append(version)
        finally:
            await conn.execute("SELECT pg_advisory_unlock(hashtext($1))", f"dorp-migrate-{schema}")
    finally:
        await conn.close()
    return applied_now


def _check_schema(schema: str) -> None:
    if not _SCHEMA_NAME.match(schema):
        raise ValueError(f"invalid schema name {schema!r}")
