"""The servers and processes a fault test may kill: its own NATS (restarted on the same port and
store) and PostgreSQL (restarted on the same data), never the shared test infrastructure."""

from __future__ import annotations

import random
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path

from dorp_cli.processes import ServiceGroup, ServiceProcess
from dorp_cli.stack import EmbeddedNats, EmbeddedPostgres


@dataclass
class OwnServers:
    """NATS with JetStream on file storage and PostgreSQL, both restartable in place."""

    base: Path
    nats: EmbeddedNats = field(init=False)
    postgres: EmbeddedPostgres = field(init=False)
    postgres_url: str = ""

    def __post_init__(self) -> None:
        self.nats = EmbeddedNats(self.base / "nats")
        self.postgres = EmbeddedPostgres(self.base / "pg")

    def start(self) -> None:
        self.nats.start()
        self.postgres_url = self.postgres.start()

    def kill_nats(self) -> None:
        """SIGKILL: no clean shutdown; JetStream recovers its file store at the next start."""
        process = self.nats._process
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGKILL)
            process.wait(10)
        self.nats._process = None

    def restart_nats(self) -> None:
        self.kill_nats()
        self.nats.start()

    def restart_postgres(self) -> None:
        """A stop (fast: open connections are closed) and start on the same data."""
        self.postgres.stop()
        url = self.postgres.start()
        assert url == self.postgres_url, "PostgreSQL came back on another address"

    def stop(self) -> None:
        self.nats.stop()
        self.postgres.stop()


@dataclass
class Chaos:
    """Kills services at random moments and starts them again; counts what it did."""

    group: ServiceGroup
    rng: random.Random
    kills: dict[str, int] = field(default_factory=dict)
    killed_at: list[tuple[str, float]] = field(default_factory=list)
    """Each kill: the service and ``time.monotonic()`` at the moment."""
    _order: list[ServiceProcess] = field(default_factory=list)

    def victim(self) -> ServiceProcess:
        """Every service once, in a random order, before any twice; then at random."""
        if len(self.kills) < len(self.group.members):
            if not self._order:
                self._order = self.rng.sample(self.group.members, len(self.group.members))
            return self._order.pop()
        return self.rng.choice(self.group.members)

    def kill(self, member: ServiceProcess) -> None:
        process = member.process
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGKILL)
            self.killed_at.append((member.service, time.monotonic()))
            process.wait(10)
        self.kills[member.service] = self.kills.get(member.service, 0) + 1

    def restart(self, member: ServiceProcess) -> None:
        member.start()
