"""Fault test: under a partner's load, SIGKILL each service at random moments and start it
again, restart NATS, restart PostgreSQL; then prove nothing was lost or done twice.

The test runs its own NATS and PostgreSQL (it kills them), the four services as processes and
a real SMTP server. ``DORP_FAULT_EVENTS`` sets the load (1,000 in CI, 20,000 with
``--profile deep``); ``DORP_FAULT_SEED`` the random moments.
"""

from __future__ import annotations

import asyncio
import os
import random
import time
from pathlib import Path

import asyncpg
import pytest

from dorp_cli.processes import SERVICES, ServiceGroup
from dorp_shared.messaging import declare_region
from dorp_shared.regions import load_region
from tests.faults.chaos import Chaos, OwnServers
from tests.faults.checker import Mails, check, settled, table_counts
from tests.faults.load import Load, Sender, build_load
from tests.support.infra import fresh_database, write_test_region
from tests.support.mail import Inbox, smtp_server
from tests.support.services import nats_client

EVENTS = int(os.environ.get("DORP_FAULT_EVENTS", "1000"))  # --profile deep: 20,000
SEED = int(os.environ.get("DORP_FAULT_SEED", "20261121"))
LEASE_SECONDS = 15
"""Claimed mails of a killed notifications process come back after this (default 60)."""
POOL_SIZE = 8
SETTLE_SECONDS = 240
"""How long the stores may stand still, short of settled, before the checks are made anyway
(the region may need longer than this to catch up, as long as it is still catching up)."""

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.faults,
    pytest.mark.timeout(300 + EVENTS // 5 + SETTLE_SECONDS),
]


def _region(folder: Path) -> str:
    """A region where proposals go straight to the parents (no connector review)."""
    region_id = write_test_region(folder)
    path = folder / f"{region_id}.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("connector_reviews_proposals = true", "connector_reviews_proposals = false"),
        encoding="utf-8",
    )
    return region_id


async def _storm(
    chaos: Chaos, servers: OwnServers, progress: list[int], total: int, sending: asyncio.Task[None]
) -> list[str]:
    """While the load is sent: at a random moment in each tenth of it a service is killed
    (SIGKILL; each of the four at least once) and started again a moment later; in the
    fourth tenth NATS is killed and restarted, in the seventh PostgreSQL restarted."""
    done: list[str] = []
    for step in range(1, 10):
        moment = total * (step - 1 + chaos.rng.random()) / 10
        while progress[0] < moment and not sending.done():  # noqa: ASYNC110
            await asyncio.sleep(0.05)
        if step in (4, 7):
            restart = servers.restart_nats if step == 4 else servers.restart_postgres
            await asyncio.to_thread(restart)
            done.append("nats restarted" if step == 4 else "postgres restarted")
        victim = chaos.victim()
        chaos.kill(victim)
        await asyncio.sleep(chaos.rng.uniform(0.2, 1.5))
        chaos.restart(victim)
        done.append(f"{victim.service} killed")
    return done


async def _settle(db: asyncpg.Connection, load: Load, inbox: Inbox) -> float:
    """Wait until every store has caught up, or until nothing has moved for
    ``SETTLE_SECONDS``; returns the seconds waited. A store that is still catching up is
    given the time it needs (within the test's timeout): slow is not lost."""
    started = moved = time.monotonic()
    last: tuple[dict[str, int], int] | None = None
    while time.monotonic() - moved < SETTLE_SECONDS:
        counts, mails = await table_counts(db), len({m["Message-ID"] for m in inbox.messages})
        if settled(counts, load, mails):
            break
        if (counts, mails) != last:
            last, moved = (counts, mails), time.monotonic()
        await asyncio.sleep(1)
    return time.monotonic() - started


async def test_kills_and_restarts_lose_nothing_and_do_nothing_twice(tmp_path: Path) -> None:
    servers = OwnServers(tmp_path / "servers")
    servers.start()
    regions_dir = tmp_path / "regions"
    region_id = _region(regions_dir)
    region = load_region(region_id, regions_dir)
    load: Load = build_load(EVENTS, region.areas[0].id, region.default_language, SEED)
    database_url = await fresh_database(servers.postgres_url)
    try:
        with smtp_server() as (inbox, smtp_port):
            env = {
                "DORP_REGION": region_id,
                "DORP_REGIONS_DIR": str(regions_dir),
                "DORP_NATS_URL": servers.nats.url,
                "DORP_DATABASE_URL": database_url,
                "DORP_SMTP_HOST": "127.0.0.1",
                "DORP_SMTP_PORT": str(smtp_port),
                "DORP_SMTP_POOL_SIZE": str(POOL_SIZE),
                "DORP_NOTIFY_LEASE_SECONDS": str(LEASE_SECONDS),
                "DORP_LOG_FORMAT": "json",
                **{f"DORP_{name.upper()}_HTTP_PORT": "0" for name in SERVICES},
            }
            await declare_region(servers.nats.url, region_id)
            group = ServiceGroup(region_id, env, tmp_path / "logs")
            group.start()
            try:
                async with nats_client(servers.nats.url) as nc:
                    await group.wait_ready(nc)
                    sender = Sender(nc, region_id)
                    progress = [0]
                    sending = asyncio.create_task(sender.send_all(load, 32, progress))
                    chaos = Chaos(group, random.Random(SEED))
                    faults = await _storm(chaos, servers, progress, len(load.messages), sending)
                    await sending
                    for member in group.exited():  # a service that died on its own
                        faults.append(f"{member.service} had exited; started again")
                        member.start()
                    await group.wait_ready(nc)

                    db = await asyncpg.connect(database_url)
                    try:
                        settle_seconds = await _settle(db, load, inbox)
                        await asyncio.sleep(2)  # a late duplicate would show up now
                        received = len(inbox.arrived)  # the server appends the message first
                        mails = Mails(
                            inbox.messages[:received],
                            inbox.arrived[:received],
                            [at for name, at in chaos.killed_at if name == "notifications"],
                            POOL_SIZE,
                        )
                        findings = await check(load, db, nc.jetstream(), region_id, mails)
                    finally:
                        await db.close()
            finally:
                group.stop()
    finally:
        servers.stop()

    print(
        f"faults: {faults}; retries: {sender.retries}; settled after {settle_seconds:.0f} s; "
        f"counts: {findings.counts}"
    )
    assert findings.problems == []
    assert "nats restarted" in faults and "postgres restarted" in faults
    assert set(chaos.kills) == set(SERVICES), f"every service was killed: {chaos.kills}"
    assert sender.answers["accepted"] == len(load.messages) - len(load.invalid)
    assert sorted(sender.rejected) == sorted(m.external_id for m in load.invalid)
