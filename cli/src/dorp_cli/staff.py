"""``dorp staff``: accounts of the staff portal, and its audit log.

Works on the database of a running region (``DORP_DATABASE_URL``), reporting's schema,
migrating it first so accounts can be made before the service first starts.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Awaitable, Callable
from types import ModuleType
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from dorp_shared.errors import DorpError
from dorp_shared.regions import RegionError, load_region
from dorp_shared.settings import load_settings

if TYPE_CHECKING:
    from dorp_reporting.portal.store import PortalStore

PASSWORD_ENV = "DORP_STAFF_PASSWORD"
T = TypeVar("T")

staff = typer.Typer(
    help="Staff portal accounts (argon2-hashed passwords) and the audit log. Uses the "
    "region's database: DORP_DATABASE_URL.",
    no_args_is_help=True,
)
console = Console(soft_wrap=True)
errors = Console(stderr=True, soft_wrap=True)

RegionOption = Annotated[
    str, typer.Option("--region", "-r", help="Region id (a file in deploy/regions).")
]
EmailOption = Annotated[str, typer.Option("--email", "-e", help="The staff member's e-mail.")]
StdinOption = Annotated[
    bool, typer.Option("--password-stdin", help="Read the password from standard input.")
]


def _fail(message: str) -> typer.Exit:
    errors.print(f"[red]dorp: {message}[/]")
    return typer.Exit(2)


def _run(region: str, work: Callable[[PortalStore], Awaitable[T]]) -> T:
    """Run ``work`` on the region's portal tables; one-line errors, exit 2."""
    try:
        chosen = load_region(region)
    except RegionError as exc:
        raise _fail(str(exc)) from None
    url = load_settings(region=chosen.id).database_url
    if not url:
        raise _fail("DORP_DATABASE_URL is not set: point it at the region's PostgreSQL")
    from dorp_reporting.portal.domain import PortalError
    from dorp_shared import db

    console.print(f"region {chosen.id}, database {db.describe_dsn(url)}", style="dim")

    async def run() -> T:
        async with _accounts().portal_store(url) as store:
            return await work(store)

    try:
        return asyncio.run(run())
    except (PortalError, DorpError) as exc:
        raise _fail(str(exc)) from None


def _accounts() -> ModuleType:
    """The portal's accounts, imported when a command needs them (``dorp`` starts faster)."""
    from dorp_reporting.portal import accounts

    return accounts


def _password(from_stdin: bool) -> str:
    """From stdin, from DORP_STAFF_PASSWORD, or asked twice without echo."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if os.environ.get(PASSWORD_ENV):
        return os.environ[PASSWORD_ENV]
    if not sys.stdin.isatty():
        raise _fail(f"no password: use --password-stdin, set {PASSWORD_ENV}, or run on a terminal")
    answer: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return answer


@staff.command("add")
def add(region: RegionOption, email: EmailOption, password_stdin: StdinOption = False) -> None:
    """Create an account (password: prompted, --password-stdin, or DORP_STAFF_PASSWORD)."""
    password = _password(password_stdin)
    address = _run(region, lambda store: _accounts().add_staff(store, email, password))
    console.print(f"account {address} created; it can log in to the staff portal")


@staff.command("list")
def list_accounts(region: RegionOption) -> None:
    """List the region's accounts."""
    accounts = _run(region, lambda store: store.accounts())
    table = Table("e-mail", "active", "created (UTC)")
    for account in accounts:
        created = account.created_at.strftime("%Y-%m-%d %H:%M")
        table.add_row(account.email, "yes" if account.active else "no", created)
    console.print(table if accounts else "no accounts yet: dorp staff add --email ...")


@staff.command("disable")
def disable(region: RegionOption, email: EmailOption) -> None:
    """Disable an account; its open sessions end at once."""
    address = _run(region, lambda store: _accounts().set_staff_active(store, email, False))
    console.print(f"account {address} disabled")


@staff.command("enable")
def enable(region: RegionOption, email: EmailOption) -> None:
    """Enable a disabled account again."""
    address = _run(region, lambda store: _accounts().set_staff_active(store, email, True))
    console.print(f"account {address} enabled")


@staff.command("password")
def password(region: RegionOption, email: EmailOption, password_stdin: StdinOption = False) -> None:
    """Set a new password; the account's open sessions end."""
    new = _password(password_stdin)
    address = _run(region, lambda store: _accounts().set_staff_password(store, email, new))
    console.print(f"password of {address} changed")


@staff.command("audit")
def audit(
    region: RegionOption,
    limit: Annotated[int, typer.Option(min=1, max=10_000, help="How many, newest first")] = 50,
) -> None:
    """Show the audit log: who read, downloaded, generated or edited which report, when,
    from which address (and log-ins)."""
    entries = _run(region, lambda store: store.audit_entries(limit))
    table = Table("when (UTC)", "who", "what", "period", "format", "address")
    for e in entries:
        when = e.at.strftime("%Y-%m-%d %H:%M:%S")
        table.add_row(when, e.staff_email, e.action, e.period or "", e.format or "", e.address)
    console.print(table if entries else "the audit log is empty")
