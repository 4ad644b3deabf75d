"""``dorp staff`` as an operator uses it: accounts on the region's database, passwords only
as argon2 hashes, the audit log, and one clear line for every mistake."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime

import asyncpg
import pytest

from dorp_reporting.portal.accounts import portal_store
from dorp_reporting.portal.domain import AuditEntry
from tests.support.infra import REPO

pytestmark = pytest.mark.integration

EMAIL = "Wethouder@Lochem.example"


def staff(
    *args: str, database_url: str | None, stdin: str = "", extra: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DORP_")}
    if database_url:
        env["DORP_DATABASE_URL"] = database_url
    return subprocess.run(
        [sys.executable, "-m", "dorp_cli", "staff", *args],
        env={**env, **(extra or {}), "COLUMNS": "200"},
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO,
        check=False,
    )


def assert_one_line_error(result: subprocess.CompletedProcess[str], text: str) -> None:
    assert result.returncode == 2, result.stdout + result.stderr
    assert text in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert len(result.stderr.strip().splitlines()) == 1


async def test_accounts_are_created_listed_and_disabled(database_url: str) -> None:
    region = ["--region", "lochem"]
    added = staff(
        "add",
        *region,
        "--email",
        EMAIL,
        "--password-stdin",
        database_url=database_url,
        stdin="een lang genoeg wachtwoord\n",
    )
    assert added.returncode == 0, added.stderr
    assert "account wethouder@lochem.example created" in added.stdout

    conn = await asyncpg.connect(database_url, server_settings={"search_path": "reporting"})
    try:
        stored = await conn.fetchval("SELECT password_hash FROM staff_accounts")
    finally:
        await conn.close()
    assert stored.startswith("$argon2id$") and "wachtwoord" not in stored

    again = staff(
        "add",
        *region,
        "--email",
        EMAIL,
        database_url=database_url,
        extra={"DORP_STAFF_PASSWORD": "nog een lang wachtwoord"},
    )
    assert_one_line_error(again, "an account for wethouder@lochem.example exists already")

    listed = staff("list", *region, database_url=database_url)
    assert "wethouder@lochem.example" in listed.stdout and "yes" in listed.stdout

    assert staff("disable", *region, "--email", EMAIL, database_url=database_url).returncode == 0
    listed = staff("list", *region, database_url=database_url)
    assert "wethouder@lochem.example" in listed.stdout and " no " in listed.stdout
    assert_one_line_error(
        staff("disable", *region, "--email", "x@lochem.example", database_url=database_url),
        "no account for x@lochem.example",
    )


async def test_audit_log_is_printed_newest_first(database_url: str) -> None:
    empty = staff("audit", "--region", "lochem", database_url=database_url)
    assert empty.returncode == 0 and "the audit log is empty" in empty.stdout
    async with portal_store(database_url) as store:
        for action, minute in (("read", 1), ("download", 2)):
            when = datetime(2026, 4, 1, 9, minute, tzinfo=UTC)
            entry = AuditEntry(when, "a@lochem.example", action, "2026", "pdf", "10.0.0.7")
            await store.audit(entry)
    shown = staff("audit", "--region", "lochem", database_url=database_url)
    lines = [line for line in shown.stdout.splitlines() if "a@lochem.example" in line]
    assert len(lines) == 2
    assert "download" in lines[0] and "2026-04-01 09:02:00" in lines[0] and "10.0.0.7" in lines[0]
    assert "read" in lines[1]


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["--email", "geen-adres"], "een lang genoeg wachtwoord\n", "not an e-mail address"),
        (["--email", "a@lochem.example"], "kort\n", "at least 12 characters"),
    ],
)
async def test_bad_input_is_one_line(
    database_url: str, args: list[str], stdin: str, message: str
) -> None:
    result = staff(
        "add",
        "--region",
        "lochem",
        *args,
        "--password-stdin",
        database_url=database_url,
        stdin=stdin,
    )
    assert_one_line_error(result, message)


def test_missing_database_or_region_is_one_line() -> None:
    assert_one_line_error(
        staff("list", "--region", "lochem", database_url=None), "DORP_DATABASE_URL is not set"
    )
    assert_one_line_error(
        staff("list", "--region", "atlantis", database_url="postgresql://x@127.0.0.1/x"),
        "atlantis",
    )


def test_staff_commands_have_help() -> None:
    result = staff("--help", database_url=None)
    assert result.returncode == 0
    for command in ("add", "list", "disable", "enable", "password", "audit"):
        assert command in result.stdout
    add_help = staff("add", "--help", database_url=None)
    assert "--password-stdin" in add_help.stdout and "DORP_STAFF_PASSWORD" in add_help.stdout
