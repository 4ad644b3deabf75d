"""The `dorp` command's promises: help everywhere, one clear line when a server is missing,
and AsyncAPI and OpenAPI documents in the repository that match the code."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from dorp_cli.main import app
from dorp_cli.stack import free_port
from tests.support.infra import REPO, Infra

pytestmark = pytest.mark.integration


def dorp(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DORP_")}
    return subprocess.run(
        [sys.executable, "-m", "dorp_cli", *args],
        env={**clean, **(env or {})},
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO,
        check=False,
    )


def test_the_installed_command_answers_help() -> None:
    result = dorp("--help")
    assert result.returncode == 0
    assert "Usage" in result.stdout and "simulate" in result.stdout


HELPED = [
    [],
    ["demo"],
    ["serve"],
    ["report"],
    ["report", "rebuild"],
    ["report", "overview"],
    ["regions"],
    ["simulate"],
    ["asyncapi"],
    ["openapi"],
    ["bench"],
    ["bench", "registration"],
    ["bench", "matching"],
    ["bench", "notifications"],
    ["bench", "e2e"],
    ["bench", "docs"],
    ["nats"],
    ["staff"],
]


@pytest.mark.parametrize("command", HELPED, ids=lambda c: " ".join(c) or "dorp")
def test_every_command_has_help(command: list[str]) -> None:
    """In process (the same typer app the installed command runs): one process start per
    command would cost two seconds each."""
    result = CliRunner().invoke(app, [*command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output


def test_unreachable_nats_is_one_line_naming_the_url() -> None:
    url = f"nats://127.0.0.1:{free_port()}"
    result = dorp(
        "serve",
        "reporting",
        "--region",
        "lochem",
        env={
            "DORP_NATS_URL": url,
            "DORP_DATABASE_URL": "postgresql://x@127.0.0.1/x",
            "DORP_STARTUP_WAIT_SECONDS": "1",  # a server restarting would be waited for
        },
    )
    assert result.returncode == 2
    assert f"cannot reach NATS at {url}" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_unreachable_postgres_is_one_line_naming_the_url(infra: Infra) -> None:
    port = free_port()
    result = dorp(
        "serve",
        "reporting",
        "--region",
        "lochem",
        env={
            "DORP_NATS_URL": infra.nats_url,
            "DORP_DATABASE_URL": f"postgresql://dorp:secret@127.0.0.1:{port}/dorp",
            "DORP_STARTUP_WAIT_SECONDS": "0",
        },
    )
    assert result.returncode == 2
    assert (
        f"cannot reach PostgreSQL at postgresql://dorp:***@127.0.0.1:{port}/dorp" in result.stderr
    )
    assert "secret" not in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_missing_settings_say_which_variable() -> None:
    result = dorp("serve", "matching", "--region", "lochem")
    assert result.returncode == 2
    assert "DORP_NATS_URL is not set" in result.stderr


def test_unknown_service_lists_the_services() -> None:
    result = dorp("serve", "billing")
    assert result.returncode == 2
    assert "registration, matching, notifications, reporting" in result.stderr


def test_asyncapi_documents_in_the_repository_match_the_code() -> None:
    result = dorp("asyncapi", "--check")
    assert result.returncode == 0, result.stderr


def test_openapi_documents_in_the_repository_match_the_code() -> None:
    result = dorp("openapi", "--check")
    assert result.returncode == 0, result.stderr
    document = json.loads((REPO / "services/registration/openapi.json").read_text())
    assert "/v1/register_member" in document["paths"]
