"""The dispatcher on real PostgreSQL: replicas claim with FOR UPDATE SKIP LOCKED and never
send a row twice; scheduled rows survive a restart; a crashed sender's rows come back
after the lease with the same Message-ID, while a slow sender keeps its rows by renewing it."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections.abc import AsyncIterator, Sequence

import asyncpg
import pytest

from dorp_notifications.adapters.uow import PgNotificationsUnitOfWork
from dorp_notifications.dispatch import Dispatcher, DispatchSettings
from dorp_notifications.domain.deliveries import plan_delivery
from dorp_notifications.domain.letters import head_for
from dorp_notifications.domain.member_letters import retention_warning
from dorp_notifications.domain.model import OutgoingMail
from dorp_notifications.handlers import recipient_from
from dorp_notifications.ports import Planned
from dorp_shared import db
from dorp_shared.regions import Region, load_region
from tests.unit.notifications.builders import member

pytestmark = pytest.mark.integration
MIGRATIONS = ["dorp_shared.migrations", "dorp_notifications.migrations"]


class SlowMailer:
    """Records every mail; each send takes a moment, so replicas overlap."""

    def __init__(self, seconds: float = 0.002) -> None:
        self.sent: list[OutgoingMail] = []
        self.seconds = seconds

    async def send(self, mail: OutgoingMail) -> None:
        await asyncio.sleep(self.seconds)
        self.sent.append(mail)

    async def send_many(self, mails: Sequence[OutgoingMail]) -> list[Exception | None]:
        for mail in mails:
            await self.send(mail)
        return [None] * len(mails)


@pytest.fixture
async def pools(database_url: str) -> AsyncIterator[tuple[asyncpg.Pool, asyncpg.Pool]]:
    await db.migrate(database_url, "notifications", MIGRATIONS)
    first = await db.create_pool(database_url, "notifications", max_size=4)
    second = await db.create_pool(database_url, "notifications", max_size=4)
    try:
        yield first, second
    finally:
        await first.close()
        await second.close()


def factory(pool: asyncpg.Pool, region: Region) -> object:
    return lambda: PgNotificationsUnitOfWork(pool, region=region.id, source="notifications")


async def plan(pool: asyncpg.Pool, region: Region, count: int, due_at: dt.datetime) -> None:
    uow = factory(pool, region)
    async with uow() as work:  # type: ignore[operator]
        for i in range(count):
            recipient = recipient_from(member(f"Ouder{i}", f"ouder{i}@example.org"))
            await work.recipients.save(recipient)
            delivery = plan_delivery(uuid.uuid4(), recipient, "retention_warning", "nl")
            letter = retention_warning(head_for(region, recipient, "nl"), dt.date(2026, 12, 19))
            await work.deliveries.record(Planned(delivery, letter, due_at))


def dispatcher(
    pool: asyncpg.Pool, region: Region, mailer: SlowMailer, lease: float = 300, batch: int = 40
) -> Dispatcher:
    return Dispatcher(
        factory(pool, region),  # type: ignore[arg-type]
        region,
        mailer=mailer,
        sms=None,
        settings=DispatchSettings(batch=batch, lease=dt.timedelta(seconds=lease)),
    )


async def count(pool: asyncpg.Pool, sql: str) -> int:
    return int(await pool.fetchval(sql))


async def test_two_replicas_send_every_message_exactly_once(
    pools: tuple[asyncpg.Pool, asyncpg.Pool],
) -> None:
    region = load_region("lochem")
    first, second = pools
    await plan(first, region, 300, dt.datetime.now(dt.UTC))
    mailer = SlowMailer()
    done = await asyncio.gather(
        dispatcher(first, region, mailer).drain(), dispatcher(second, region, mailer).drain()
    )
    ids = [mail.message_id for mail in mailer.sent]
    assert sum(done) == 300 and all(done)  # both replicas took part
    assert len(ids) == 300 and len(set(ids)) == 300
    assert await count(first, "SELECT count(*) FROM deliveries WHERE status = 'sent'") == 300
    assert await count(first, "SELECT count(*) FROM deliveries WHERE letter IS NOT NULL") == 0
    assert await count(first, "SELECT count(*) FROM outbox") == 300  # NotificationSent each


async def test_scheduled_messages_survive_a_restart_and_go_once_when_due(
    pools: tuple[asyncpg.Pool, asyncpg.Pool],
) -> None:
    region = load_region("lochem")
    first, second = pools
    soon = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)
    await plan(first, region, 5, soon)
    mailer = SlowMailer()
    assert await dispatcher(first, region, mailer).drain() == 0  # not yet due
    await asyncio.sleep(1.2)
    restarted = dispatcher(second, region, mailer)  # a new process, nothing in memory
    assert await restarted.drain() == 5
    assert await restarted.drain() == 0
    assert len({mail.message_id for mail in mailer.sent}) == len(mailer.sent) == 5


async def test_a_crashed_senders_rows_come_back_after_the_lease(
    pools: tuple[asyncpg.Pool, asyncpg.Pool],
) -> None:
    region = load_region("lochem")
    first, second = pools
    await plan(first, region, 3, dt.datetime.now(dt.UTC))
    uow = factory(first, region)
    async with uow() as work:  # type: ignore[operator]
        crashed = await work.deliveries.claim_due(
            dt.datetime.now(dt.UTC), 10, dt.timedelta(seconds=1)
        )
    mailer = SlowMailer()
    assert await dispatcher(second, region, mailer).drain() == 0  # the lease holds them
    await asyncio.sleep(1.2)
    assert await dispatcher(second, region, mailer).drain() == 3
    expected = {f"<{row.delivery.notification_id}@dorp>" for row in crashed}
    assert {mail.message_id for mail in mailer.sent} == expected
    assert await count(first, "SELECT max(attempts) FROM deliveries") == 2


async def test_a_slow_sender_keeps_its_rows_past_the_lease_and_nothing_goes_twice(
    pools: tuple[asyncpg.Pool, asyncpg.Pool],
) -> None:
    region = load_region("lochem")
    first, second = pools
    await plan(first, region, 4, dt.datetime.now(dt.UTC))
    slow, quick = SlowMailer(seconds=2.0), SlowMailer()
    sending = asyncio.create_task(dispatcher(first, region, slow, lease=0.6).drain())
    await asyncio.sleep(1.2)  # two leases on: renewed, the rows are still the first's
    assert await dispatcher(second, region, quick, lease=0.6).drain() == 0
    assert await sending == 4
    assert quick.sent == []
    assert len({mail.message_id for mail in slow.sent}) == len(slow.sent) == 4
    assert await count(first, "SELECT count(*) FROM deliveries WHERE status = 'sent'") == 4
