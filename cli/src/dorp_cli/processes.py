"""The four services as separate processes: start, wait until each answers its health
subject, and stop them gracefully (SIGTERM: FastStream drains NATS, then closes)."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from nats.aio.client import Client
from nats.errors import Error as NatsError

from dorp_shared.contracts.subjects import command_subject
from dorp_shared.errors import InfrastructureUnavailable

SERVICES = ("registration", "matching", "notifications", "reporting")


class ServiceProcess:
    def __init__(self, service: str, region: str, env: Mapping[str, str], log_dir: Path) -> None:
        self.service = service
        self.region = region
        self.env = env
        self.log_path = log_dir / f"{service}.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "dorp_cli", "serve", self.service, "--region", self.region],
                env={**os.environ, **self.env},
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def log_tail(self, lines: int = 15) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    async def wait_ready(self, nc: Client, timeout: float = 60.0) -> dict[str, str]:
        """Wait for the health reply, and return it (it names the HTTP API's URL, if any)."""
        subject = command_subject(self.region, self.service, "health")
        deadline = asyncio.get_running_loop().time() + timeout
        while asyncio.get_running_loop().time() < deadline:
            if self.process is None or self.process.poll() is not None:
                raise InfrastructureUnavailable(
                    f"service {self.service} exited at start; last log lines:\n{self.log_tail()}"
                )
            try:
                reply = await nc.request(subject, b"", timeout=1.0)
                health: dict[str, str] = json.loads(reply.data or b"{}")
                return health
            except (NatsError, TimeoutError):
                await asyncio.sleep(0.2)
        raise InfrastructureUnavailable(
            f"service {self.service} did not become ready; see {self.log_path}"
        )

    def terminate(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)

    def wait_stopped(self, timeout: float) -> int | None:
        if self.process is None:
            return None
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait(5)


class ServiceGroup:
    def __init__(self, region: str, env: Mapping[str, str], log_dir: Path) -> None:
        self.members = [ServiceProcess(name, region, env, log_dir) for name in SERVICES]

    def start(self) -> None:
        for member in self.members:
            member.start()

    async def wait_ready(self, nc: Client) -> dict[str, dict[str, str]]:
        """Every service's health reply, by service."""
        replies = await asyncio.gather(*(member.wait_ready(nc) for member in self.members))
        return {member.service: reply for member, reply in zip(self.members, replies, strict=True)}

    def exited(self) -> list[ServiceProcess]:
        return [m for m in self.members if m.process is not None and m.process.poll() is not None]

    def stop(self, timeout: float = 30.0) -> dict[str, int | None]:
        for member in self.members:
            member.terminate()
        return {member.service: member.wait_stopped(timeout) for member in self.members}
