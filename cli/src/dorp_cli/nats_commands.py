"""``dorp nats``: a region's production NATS accounts and partner credentials."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import Annotated

import typer
from rich.console import Console

from dorp_shared.regions import RegionError, load_region

nats_app = typer.Typer(
    help="Production NATS configuration: a region's accounts and partner credentials.",
    no_args_is_help=True,
)
console = Console(soft_wrap=True)
errors = Console(stderr=True, soft_wrap=True)

RegionArg = Annotated[
    str, typer.Option("--region", "-r", help="Region id (a file in deploy/regions).")
]
DirOption = Annotated[
    Path | None,
    typer.Option(help="Folder of the region's NATS files [default: deploy/nats/regions/REGION]"),
]


def _region_dir(region: str, directory: Path | None) -> tuple[str, Path]:
    try:
        region_id = load_region(region).id
    except RegionError as exc:
        errors.print(f"[red]dorp: {exc}[/]")
        raise typer.Exit(2) from None
    if directory is not None:
        return region_id, directory
    for folder in (Path.cwd(), *Path.cwd().parents):
        if (folder / "deploy" / "nats").is_dir():
            return region_id, folder / "deploy" / "nats" / "regions" / region_id
    errors.print("[red]dorp: run this in the Dorp repository, or pass --directory[/]")
    raise typer.Exit(2)


def _config() -> ModuleType:
    """``dorp_cli.nats_config``, imported when a command needs it (``dorp`` starts faster)."""
    from dorp_cli import nats_config

    return nats_config


def _fail(exc: Exception) -> typer.Exit:
    errors.print(f"[red]dorp: {exc}[/]")
    return typer.Exit(2)


@nats_app.command("config")
def config(region: RegionArg, directory: DirOption = None) -> None:
    """Write the region's accounts.conf, and users.conf if it does not exist yet."""
    region_id, folder = _region_dir(region, directory)
    for path in _config().write_region_config(folder, region_id):
        console.print(f"wrote {path}")


@nats_app.command("partner-add")
def partner_add(
    region: RegionArg,
    partner: Annotated[str, typer.Option(help="The partner system's id (its subject token).")],
    directory: DirOption = None,
) -> None:
    """Add a new credential for a partner system and print it once (old ones stay valid).

    Then reload every NATS server (nats-server --signal reload) and hand the credential over.
    """
    region_id, folder = _region_dir(region, directory)
    try:
        credential = _config().add_partner(folder / "users.conf", region_id, partner)
    except _config().NatsConfigError as exc:
        raise _fail(exc) from None
    console.print(f"added to {folder / 'users.conf'}; reload the NATS servers, then hand over:")
    console.print(f"  user:          {credential.user}")
    console.print(f"  password:      {credential.password}")
    console.print(f"  inbox prefix:  {credential.inbox_prefix}")
    console.print(f"  publishes on:  dorp.{region_id}.partner.{partner}.<event>")


@nats_app.command("partner-remove")
def partner_remove(
    region: RegionArg,
    user: Annotated[str, typer.Option(help="The credential (user name) to remove.")],
    directory: DirOption = None,
) -> None:
    """Remove one partner credential; reload the NATS servers afterwards."""
    _, folder = _region_dir(region, directory)
    try:
        _config().remove_user(folder / "users.conf", user)
    except _config().NatsConfigError as exc:
        raise _fail(exc) from None
    console.print(f"removed {user} from {folder / 'users.conf'}; reload the NATS servers")


@nats_app.command("partners")
def partners(region: RegionArg, directory: DirOption = None) -> None:
    """List the partner credentials of a region."""
    _, folder = _region_dir(region, directory)
    try:
        names = _config().partner_users(folder / "users.conf")
    except _config().NatsConfigError as exc:
        raise _fail(exc) from None
    for name in names:
        console.print(name)
