"""Notifications' own settings (prefix ``DORP_``), built at start-up like the shared ones."""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class NotificationSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DORP_", extra="ignore")

    sms_gateway_url: str | None = Field(
        default=None, description="where SMS messages are POSTed as JSON; unset: no SMS"
    )
    sms_api_key: SecretStr | None = None
    sms_sender: str = "Dorp"
    smtp_pool_size: int = Field(
        default=32,
        ge=1,
        le=64,
        description="SMTP connections at most, and messages sent but not yet recorded at most "
        "(what can arrive twice after a crash); 32: batches of 16 per write and per commit",
    )
    notify_batch: int = Field(default=200, ge=1, le=5000)
    notify_lease_seconds: float = Field(
        default=60.0,
        gt=0,
        description="a sender holds the rows it claimed this long, renewed every third of it "
        "while it sends: a killed sender's rows go out again after at most this",
    )
    notify_max_attempts: int = Field(default=8, ge=1)
    notify_poll_seconds: float = Field(default=1.0, gt=0)
    notify_clock_offset_seconds: float = Field(
        default=0.0,
        ge=-172_800,
        le=172_800,
        description="demo only: the service's clock runs this many seconds ahead (or "
        "behind, negative) of the real one, for quiet hours, reminders and what is due",
    )


def load_notification_settings() -> NotificationSettings:
    return NotificationSettings()
