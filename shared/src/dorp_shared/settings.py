"""Settings from the environment (prefix ``DORP_``), built in a factory at start-up."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class DorpSettings(BaseSettings):
    """Everything a service process needs; one region per process."""

    model_config = SettingsConfigDict(env_prefix="DORP_", extra="ignore")

    region: str = "lochem"
    regions_dir: Path | None = None
    nats_url: str | None = Field(default=None, description="e.g. nats://127.0.0.1:4222")
    database_url: str | None = Field(default=None, description="postgresql://user@host/db")
    log_format: Literal["auto", "json", "console"] = "auto"
    log_level: str = "INFO"
    max_deliver: int = Field(default=5, ge=1, description="deliveries before a dead letter")
    db_pool_max: int = Field(default=10, ge=1)
    outbox_keep_days: float = Field(
        default=7.0, gt=0, description="how long published events and command results stay"
    )
    startup_wait_seconds: float = Field(
        default=60.0, ge=0, description="how long a starting service waits for NATS and PostgreSQL"
    )
    stream_replicas: int = Field(
        default=1, ge=1, le=5, description="JetStream stream replicas: 3 on a 3-node cluster"
    )
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 1025
    smtp_from: str = "Dorp <noreply@dorp.invalid>"
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = False
    http_host: str = "127.0.0.1"
    registration_http_port: int = Field(default=8401, ge=0, le=65535, description="0: any free")
    matching_http_port: int = Field(default=8402, ge=0, le=65535)
    notifications_http_port: int = Field(default=8403, ge=0, le=65535)
    reporting_http_port: int = Field(default=8404, ge=0, le=65535)
    portal_session_idle_minutes: int = Field(default=30, ge=1, description="staff portal")
    portal_session_max_hours: int = Field(default=10, ge=1, description="from log-in")
    portal_lockout_attempts: int = Field(default=5, ge=1, description="failed log-ins")
    portal_lockout_minutes: int = Field(default=15, ge=1)
    portal_schedule_minutes: int = Field(default=60, ge=0, description="0: no schedule")

    def http_port_for(self, service: str) -> int:
        return int(getattr(self, f"{service}_http_port", 0))


def load_settings(**overrides: object) -> DorpSettings:
    """Build settings now (never at import): environment, then explicit overrides."""
    values = {key: value for key, value in overrides.items() if value is not None}
    return DorpSettings(**values)  # type: ignore[arg-type]
