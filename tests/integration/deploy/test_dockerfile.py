"""deploy/docker: the image, checked without a Docker engine, and its health check script."""

from __future__ import annotations

import fnmatch
import http.server
import os
import shlex
import subprocess
import sys
import threading
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from dorp_cli.stack import free_port

REPO = Path(__file__).resolve().parents[3]
DOCKER = REPO / "deploy" / "docker"


@dataclass
class Stage:
    base: str
    name: str
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def all(self, keyword: str) -> list[str]:
        return [args for key, args in self.instructions if key == keyword]


def instructions(text: str) -> list[tuple[str, str]]:
    """Dockerfile lines as (KEYWORD, arguments), continuations joined, comments dropped."""
    joined = text.replace("\\\n", " ")
    parsed = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, args = line.partition(" ")
            parsed.append((keyword.upper(), " ".join(args.split())))
    return parsed


def stages(text: str) -> list[Stage]:
    found: list[Stage] = []
    for keyword, args in instructions(text):
        if keyword == "FROM":
            words = args.split()
            name = words[2] if len(words) == 3 and words[1].upper() == "AS" else ""
            found.append(Stage(words[0], name))
        elif found:
            found[-1].instructions.append((keyword, args))
    return found


def ignored(relative: str, patterns: list[str]) -> bool:
    return any(
        fnmatch.fnmatch(relative, pattern.lstrip("*/"))
        or relative.startswith(pattern.rstrip("/") + "/")
        or relative == pattern
        for pattern in patterns
    )


@pytest.fixture(scope="module")
def dockerfile() -> list[Stage]:
    return stages((DOCKER / "Dockerfile").read_text(encoding="utf-8"))


def test_build_and_runtime_are_separate_stages(dockerfile: list[Stage]) -> None:
    assert [stage.name for stage in dockerfile] == ["build", "runtime"]
    build, runtime = dockerfile
    syncs = [run for run in build.all("RUN") if "uv sync" in run]
    assert syncs and all("--frozen" in run and "--no-dev" in run for run in syncs)
    assert any("--no-editable" in run for run in syncs)
    copied_from = [args for args in runtime.all("COPY") if args.startswith("--from=")]
    assert copied_from == ["--from=build /app/.venv /app/.venv"]
    assert not any("uv" in run for run in runtime.all("RUN"))


def test_the_runtime_runs_as_non_root_with_a_health_check(dockerfile: list[Stage]) -> None:
    runtime = dockerfile[-1]
    (user,) = runtime.all("USER")
    assert user.split(":")[0] not in ("root", "0")
    (check,) = runtime.all("HEALTHCHECK")
    assert "CMD" in check and "/app/healthcheck.py" in check
    assert runtime.all("ENTRYPOINT") == ['["dorp"]']
    env = " ".join(runtime.all("ENV"))
    assert "DORP_REGIONS_DIR=/etc/dorp/regions" in env
    assert "DORP_HTTP_HOST=0.0.0.0" in env
    assert "COPY deploy/regions /etc/dorp/regions" in [f"COPY {a}" for a in runtime.all("COPY")]
    exposed = {int(port) for args in runtime.all("EXPOSE") for port in args.split()}
    assert exposed == {8401, 8402, 8403, 8404}


def test_every_copy_source_exists_and_is_in_the_build_context(dockerfile: list[Stage]) -> None:
    patterns = [
        line.strip()
        for line in (DOCKER / "Dockerfile.dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    for stage in dockerfile:
        for args in stage.all("COPY"):
            words = [word for word in shlex.split(args) if not word.startswith("--")]
            if args.startswith("--from="):
                continue
            for source in words[:-1]:
                assert (REPO / source).exists(), source
                assert not ignored(source, patterns), f"{source} is excluded by .dockerignore"


def test_every_workspace_member_is_installed_in_the_dependency_layer(
    dockerfile: list[Stage],
) -> None:
    workspace = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    members = [
        member.relative_to(REPO).as_posix()
        for pattern in workspace["tool"]["uv"]["workspace"]["members"]
        for member in sorted(REPO.glob(pattern))
        if (member / "pyproject.toml").is_file()
    ]
    copied = {shlex.split(args)[0] for args in dockerfile[0].all("COPY")}
    for member in members:
        assert f"{member}/pyproject.toml" in copied, member


class Health(http.server.BaseHTTPRequestHandler):
    status = 200

    def do_GET(self) -> None:
        self.send_response(self.status if self.path == "/health/ready" else 404)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        """Quiet."""


@pytest.fixture
def service_port() -> Iterator[tuple[int, type[Health]]]:
    handler = type("Handler", (Health,), {})
    server = http.server.HTTPServer(("127.0.0.1", free_port()), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], handler
    server.shutdown()


def run_health_check(**env: str) -> int:
    clean = {key: value for key, value in os.environ.items() if not key.startswith("DORP_")}
    return subprocess.run(
        [sys.executable, str(DOCKER / "healthcheck.py")], env={**clean, **env}, timeout=30
    ).returncode


def test_the_health_check_follows_the_services_readiness(
    service_port: tuple[int, type[Health]],
) -> None:
    port, handler = service_port
    idle = str(free_port())
    ports = {f"DORP_{name}_HTTP_PORT": idle for name in ("REGISTRATION", "NOTIFICATIONS")}
    ports |= {"DORP_REPORTING_HTTP_PORT": idle}
    assert run_health_check(DORP_MATCHING_HTTP_PORT=str(port), **ports) == 0
    assert run_health_check(DORP_SERVICE="registration", DORP_REGISTRATION_HTTP_PORT=idle) == 1
    handler.status = 503
    assert run_health_check(DORP_MATCHING_HTTP_PORT=str(port), **ports) == 1
