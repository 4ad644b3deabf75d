"""Everything a region needs besides its services: NATS, PostgreSQL and (for the demo)
an SMTP server. Configured URLs win; otherwise embedded servers in the data folder."""

from __future__ import annotations

import asyncio
import contextlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from dorp_cli.sms_sink import SmsLogGateway
from dorp_cli.smtp_sink import MailFolderServer
from dorp_cli.stack import EmbeddedNats, EmbeddedPostgres
from dorp_shared import db

DATABASE = "dorp"


@dataclass
class RegionStack:
    data_dir: Path
    nats_url: str = ""
    database_url: str = ""
    smtp_port: int = 0
    sms_url: str = ""
    clock_offset_seconds: float = 0.0
    """Notifications' demo clock: this far ahead of the real one (0: the real clock)."""
    notes: list[str] = field(default_factory=list)
    _nats: EmbeddedNats | None = None
    _postgres: EmbeddedPostgres | None = None
    _smtp: MailFolderServer | None = None
    _sms: SmsLogGateway | None = None

    @property
    def mail_dir(self) -> Path:
        return self.data_dir / "mail"

    @property
    def sms_log(self) -> Path:
        return self.data_dir / "sms" / "gateway.jsonl"

    @property
    def log_dir(self) -> Path:
        return self.data_dir / "logs"

    def start_nats(self) -> str:
        configured = os.environ.get("DORP_NATS_URL")
        if configured:
            self.nats_url = configured
            return f"configured NATS at {configured}"
        self._nats = EmbeddedNats(self.data_dir / "nats")
        self.nats_url = self._nats.start()
        return f"embedded NATS with JetStream at {self.nats_url}"

    def start_postgres(self) -> str:
        configured = os.environ.get("DORP_DATABASE_URL")
        if configured:
            self.database_url = configured
            asyncio.run(_check_reachable(configured))
            return f"configured PostgreSQL at {db.describe_dsn(configured)}"
        self._postgres = EmbeddedPostgres(self.data_dir / "postgres")
        server_url = self._postgres.start()
        self.database_url = asyncio.run(_ensure_database(server_url, DATABASE))
        return f"embedded PostgreSQL, database {DATABASE!r}"

    def start_smtp(self) -> str:
        self._smtp = MailFolderServer(self.mail_dir)
        self.smtp_port = self._smtp.start()
        return f"SMTP server on 127.0.0.1:{self.smtp_port}, storing mail in {self.mail_dir}"

    def start_sms(self) -> str:
        self._sms = SmsLogGateway(self.sms_log)
        self.sms_url = self._sms.start()
        return f"SMS gateway at {self.sms_url}, logging each text to {self.sms_log}"

    def service_env(self, region: str) -> dict[str, str]:
        from dorp_shared.regions import find_regions_dir

        return {
            "DORP_REGION": region,
            "DORP_REGIONS_DIR": str(find_regions_dir()),
            "DORP_NATS_URL": self.nats_url,
            "DORP_DATABASE_URL": self.database_url,
            "DORP_SMTP_HOST": "127.0.0.1",
            "DORP_SMTP_PORT": str(self.smtp_port),
            "DORP_LOG_FORMAT": "json",
            **({"DORP_SMS_GATEWAY_URL": self.sms_url} if self.sms_url else {}),
            **(
                {"DORP_NOTIFY_CLOCK_OFFSET_SECONDS": str(self.clock_offset_seconds)}
                if self.clock_offset_seconds
                else {}
            ),
        }

    def stop(self) -> None:
        for server in (self._sms, self._smtp, self._nats, self._postgres):
            if server is not None:
                server.stop()
        self._sms = None
        self._smtp = self._nats = self._postgres = None


async def _check_reachable(url: str) -> None:
    conn = await db.connect(url)
    await conn.close()


async def _ensure_database(server_url: str, name: str) -> str:
    conn = await db.connect(server_url)
    try:
        exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if not exists:
            with contextlib.suppress(asyncpg.DuplicateDatabaseError):
                await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    parts = urlsplit(server_url)
    return urlunsplit(parts._replace(path=f"/{name}"))
