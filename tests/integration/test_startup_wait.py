"""A service started while NATS is not there yet waits for it instead of exiting."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import nats
import pytest

from dorp_cli.stack import EmbeddedNats, free_port
from dorp_shared.contracts.subjects import command_subject
from tests.support.infra import REPO

pytestmark = pytest.mark.integration


def serve(service: str, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DORP_")}
    with log.open("wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "dorp_cli", "serve", service],
            env={**clean, **env},
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=REPO,
        )


def wait_for_line(log: Path, text: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while text not in log.read_text(encoding="utf-8", errors="replace"):
        assert process.poll() is None, log.read_text(encoding="utf-8", errors="replace")
        assert time.monotonic() < deadline, f"no {text!r} in: {log.read_text()[-3000:]}"
        time.sleep(0.1)


async def test_a_service_started_before_nats_waits_for_it_then_serves(
    database_url: str, regions_dir: Path, region_id: str, tmp_path: Path
) -> None:
    nats_server = EmbeddedNats(tmp_path / "nats", port=free_port())
    log = tmp_path / "reporting.log"
    service = serve(
        "reporting",
        {
            "DORP_REGION": region_id,
            "DORP_REGIONS_DIR": str(regions_dir),
            "DORP_NATS_URL": nats_server.url,
            "DORP_DATABASE_URL": database_url,
            "DORP_REPORTING_HTTP_PORT": "0",
            "DORP_LOG_FORMAT": "json",
        },
        log,
    )
    try:
        wait_for_line(log, "service.waiting_for_servers", service)
        assert f"cannot reach NATS at {nats_server.url}" in log.read_text(encoding="utf-8")
        nats_server.start()
        nc = await nats.connect(nats_server.url)
        try:
            subject = command_subject(region_id, "reporting", "health")
            deadline = time.monotonic() + 60
            while True:
                assert service.poll() is None, log.read_text(encoding="utf-8")
                try:
                    reply = await nc.request(subject, b"", timeout=1)
                    break
                except (nats.errors.NoRespondersError, nats.errors.TimeoutError):
                    assert time.monotonic() < deadline, log.read_text(encoding="utf-8")[-3000:]
            assert json.loads(reply.data)["status"] == "ok"
        finally:
            await nc.close()
    finally:
        service.terminate()
        service.wait(30)
        nats_server.stop()
    assert service.returncode == 0, log.read_text(encoding="utf-8")[-3000:]
