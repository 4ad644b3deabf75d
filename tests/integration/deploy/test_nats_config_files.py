"""deploy/nats: every file valid for the real nats-server, per-region files up to date, and the
`dorp nats` commands that manage partner credentials."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dorp_cli import nats_config
from dorp_cli.main import app
from dorp_cli.stack import nats_server_binary
from tests.integration.deploy.nats_cluster import NATS_DIR, write_tls

REPO = Path(__file__).resolve().parents[3]
REGIONS = sorted(path.stem for path in (REPO / "deploy" / "regions").glob("*.toml"))
ENV = {
    "NATS_SERVER_NAME": "n1",
    "DORP_NATS_SERVICES_PASSWORD": "x",
    "DORP_HUB_LEAF_URL": "tls://leaf:x@127.0.0.1:7422",
    "HUB_READER_PASSWORD": "x",
    **{f"HUB_LEAF_{region.upper()}_PASSWORD": "x" for region in REGIONS},
}


def check_config(folder: Path, config: str, region: str | None) -> subprocess.CompletedProcess[str]:
    """``nats-server -t`` on a copy of a deploy/nats file, TLS paths pointing at test certs."""
    tls = write_tls(folder / "tls")
    text = (NATS_DIR / config).read_text(encoding="utf-8").replace("/etc/nats/tls/", f"{tls}/")
    (folder / "nats.conf").write_text(text, encoding="utf-8")
    if region:
        # cluster.conf (Kubernetes) has the region's files beside it, single-node.conf in region/
        into = folder / "region" if 'include "region/' in text else folder
        shutil.copytree(NATS_DIR / "regions" / region, into, dirs_exist_ok=True)
    return subprocess.run(
        [str(nats_server_binary()), "-c", str(folder / "nats.conf"), "-t"],
        env={**os.environ, **ENV},
        capture_output=True,
        text=True,
        timeout=30,
    )


@pytest.mark.parametrize("region", REGIONS)
@pytest.mark.parametrize("config", ["cluster.conf", "single-node.conf"])
def test_the_region_configs_are_valid_for_nats_server(
    region: str, config: str, tmp_path: Path
) -> None:
    result = check_config(tmp_path, config, region)
    assert result.returncode == 0, result.stderr + result.stdout


def test_the_hub_config_is_valid_and_knows_every_region(tmp_path: Path) -> None:
    result = check_config(tmp_path, "hub.conf", None)
    assert result.returncode == 0, result.stderr + result.stdout
    hub = (NATS_DIR / "hub.conf").read_text(encoding="utf-8")
    for region in REGIONS:
        assert f"{{user: leaf-{region}, password: $HUB_LEAF_{region.upper()}_PASSWORD" in hub
        assert f'publish: "dorp.{region}.aggregate.>"' in hub


@pytest.mark.parametrize("region", REGIONS)
def test_the_accounts_file_of_each_region_is_up_to_date(region: str) -> None:
    kept = (NATS_DIR / "regions" / region / "accounts.conf").read_text(encoding="utf-8")
    assert kept == nats_config.accounts_conf(region), f"run `dorp nats config --region {region}`"
    users = (NATS_DIR / "regions" / region / "users.conf").read_text(encoding="utf-8")
    assert nats_config.services_user_line(region) in users


def test_partner_credentials_are_added_listed_and_removed(tmp_path: Path) -> None:
    runner = CliRunner()
    folder = ["--directory", str(tmp_path)]
    created = runner.invoke(app, ["nats", "config", "--region", "zutphen", *folder])
    assert created.exit_code == 0, created.output
    added = runner.invoke(
        app, ["nats", "partner-add", "--region", "zutphen", "--partner", "ko-kwikstaart", *folder]
    )
    assert added.exit_code == 0, added.output
    user = next(line.split()[-1] for line in added.output.splitlines() if "user:" in line)
    password = next(line.split()[-1] for line in added.output.splitlines() if "password:" in line)
    assert "inbox prefix:  _INBOX_ko-kwikstaart" in added.output
    users = (tmp_path / "users.conf").read_text(encoding="utf-8")
    assert user in users and password not in users  # only the bcrypt hash is stored
    assert '"dorp.zutphen.partner.ko-kwikstaart.>"' in users
    listed = runner.invoke(app, ["nats", "partners", "--region", "zutphen", *folder])
    assert listed.output.split() == [user]

    removed = runner.invoke(
        app, ["nats", "partner-remove", "--region", "zutphen", "--user", user, *folder]
    )
    assert removed.exit_code == 0, removed.output
    assert user not in (tmp_path / "users.conf").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["partner-add", "--partner", "Bad Name!"], "must be lowercase"),
        (["partner-remove", "--user", "nobody"], "no user 'nobody'"),
        (["partner-remove", "--user", "dorp-services"], "not a partner credential"),
        (["partners", "--region", "atlantis"], "atlantis"),
    ],
)
def test_bad_input_gets_one_clear_error(arguments: list[str], message: str, tmp_path: Path) -> None:
    runner = CliRunner()
    nats_config.write_region_config(tmp_path, "lochem")
    region = [] if "--region" in arguments else ["--region", "lochem"]
    result = runner.invoke(app, ["nats", *arguments, *region, "--directory", str(tmp_path)])
    assert result.exit_code == 2
    assert message in " ".join(result.output.split())
