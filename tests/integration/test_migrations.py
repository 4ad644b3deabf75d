"""Forward-only migrations: applied once, in order, and never silently edited."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from dorp_shared import db

pytestmark = pytest.mark.integration


@pytest.fixture
def migrations_package(tmp_path: Path) -> Iterator[Path]:
    package = tmp_path / "mig_pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "0001_things.sql").write_text("CREATE TABLE things (id int PRIMARY KEY);")
    (package / "0002_more.sql").write_text("ALTER TABLE things ADD COLUMN label text;")
    sys.path.insert(0, str(tmp_path))
    yield package
    sys.path.remove(str(tmp_path))
    sys.modules.pop("mig_pkg", None)


async def test_applies_in_order_once(database_url: str, migrations_package: Path) -> None:
    first = await db.migrate(database_url, "svc", ["dorp_shared.migrations", "mig_pkg"])
    assert first == [
        "dorp_shared.migrations:0001_inbox_outbox.sql",
        "dorp_shared.migrations:0002_idempotency.sql",
        "mig_pkg:0001_things.sql",
        "mig_pkg:0002_more.sql",
    ]
    assert await db.migrate(database_url, "svc", ["dorp_shared.migrations", "mig_pkg"]) == []
    conn = await db.connect(database_url, schema="svc")
    try:
        await conn.execute("INSERT INTO things (id, label) VALUES (1, 'x')")
        assert await conn.fetchval("SELECT count(*) FROM outbox") == 0
    finally:
        await conn.close()


async def test_editing_an_applied_migration_is_an_error(
    database_url: str, migrations_package: Path
) -> None:
    await db.migrate(database_url, "svc", ["mig_pkg"])
    (migrations_package / "0001_things.sql").write_text("CREATE TABLE things (id bigint);")
    with pytest.raises(RuntimeError, match=r"0001_things\.sql changed after it was applied"):
        await db.migrate(database_url, "svc", ["mig_pkg"])
