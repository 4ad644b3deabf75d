"""Where a benchmark runs: NATS and PostgreSQL (configured by ``DORP_NATS_URL`` /
``DORP_DATABASE_URL``, else embedded in a scratch folder), and the services under test as
their own processes, as in ``dorp demo``, so their memory can be read from /proc."""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

from nats.aio.client import Client

from dorp_cli.console import Steps
from dorp_cli.processes import ServiceProcess
from dorp_cli.region_stack import RegionStack
from dorp_shared.messaging import declare_region


@contextlib.contextmanager
def servers(data_dir: Path | None, steps: Steps) -> Iterator[RegionStack]:
    """NATS and PostgreSQL; a scratch folder of our own is removed afterwards, unless the
    run failed (its logs tell why)."""
    scratch = data_dir is None
    folder = Path(tempfile.mkdtemp(prefix="dorp-bench-")) if data_dir is None else data_dir
    stack = RegionStack(folder)
    failed = True
    try:
        steps.start("Starting NATS and PostgreSQL")
        steps.done(stack.start_nats())
        steps.done(stack.start_postgres())
        yield stack
        failed = False
    finally:
        stack.stop()
        if scratch and not failed:
            shutil.rmtree(folder, ignore_errors=True)
        elif scratch:
            steps.info(f"kept {folder} (logs in {stack.log_dir})")


@contextlib.asynccontextmanager
async def running_service(
    stack: RegionStack, region: str, service: str, nc: Client, steps: Steps
) -> AsyncIterator[ServiceProcess]:
    """One service as its own process (its HTTP API on a free port), ready when it answers."""
    await declare_region(stack.nats_url, region)
    env = {**stack.service_env(region), f"DORP_{service.upper()}_HTTP_PORT": "0"}
    process = ServiceProcess(service, region, env, stack.log_dir)
    steps.start(f"Starting {service} as its own process")
    process.start()
    try:
        await process.wait_ready(nc)
        assert process.process is not None
        steps.done(f"pid {process.process.pid}, log {process.log_path}")
        yield process
    finally:
        process.terminate()
        process.wait_stopped(30.0)
