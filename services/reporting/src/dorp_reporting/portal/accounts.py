"""Managing staff accounts from the command line (``dorp staff``): straight on reporting's
schema, so an account can be made before the service first runs, and no password ever
travels over NATS."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from dorp_reporting.portal.domain import PortalError, check_password, normalise_email
from dorp_reporting.portal.passwords import hash_password
from dorp_reporting.portal.store import DuplicateAccount, PortalStore
from dorp_shared import db
from dorp_shared.service import SHARED_MIGRATIONS

SCHEMA = "reporting"
MIGRATIONS = "dorp_reporting.migrations"


@contextlib.asynccontextmanager
async def portal_store(database_url: str) -> AsyncIterator[PortalStore]:
    """The portal's tables in the region's database, migrated first."""
    await db.migrate(database_url, SCHEMA, [SHARED_MIGRATIONS, MIGRATIONS])
    pool = await db.create_pool(database_url, SCHEMA, max_size=2)
    try:
        yield PortalStore(pool)
    finally:
        await pool.close()


async def add_staff(store: PortalStore, email: str, password: str) -> str:
    address = normalise_email(email)
    try:
        await store.add_account(address, hash_password(check_password(password)))
    except DuplicateAccount:
        raise PortalError(f"an account for {address} exists already") from None
    return address


async def set_staff_active(store: PortalStore, email: str, active: bool) -> str:
    address = normalise_email(email)
    if not await store.set_active(address, active):
        raise PortalError(f"no account for {address}")
    return address


async def set_staff_password(store: PortalStore, email: str, password: str) -> str:
    address = normalise_email(email)
    if not await store.set_password(address, hash_password(check_password(password))):
        raise PortalError(f"no account for {address}")
    return address
