"""What the command framework promises for every registration command, on real NATS and
PostgreSQL: HTTP and NATS give the same error for the same bad body; a command that fails
after it wrote leaves nothing behind; a database outage is a 503 to retry, not a 500."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import asyncpg
import pytest

from dorp_cli.stack import free_port
from dorp_registration.adapters.uow import RegistrationPgUnitOfWork
from dorp_registration.bootstrap import DEFINITION
from dorp_registration.commands import COMMANDS
from dorp_registration.commands.members import (
    MemberAccepted,
    RegisterMember,
    register_member,
)
from dorp_registration.ports import RegistrationUnitOfWork
from dorp_shared.command_runner import run_command
from dorp_shared.commands import (
    MAX_COMMAND_BYTES,
    Command,
    CommandContext,
    CommandRejected,
    execute,
    invalid,
    parse_input,
)
from dorp_shared.settings import DorpSettings
from tests.integration.registration.test_members_api import SANNE
from tests.support.api import ApiClient, service_api

pytestmark = pytest.mark.integration


@pytest.fixture
async def api(settings: DorpSettings) -> AsyncIterator[ApiClient]:
    async with service_api(DEFINITION, settings) as client:
        yield client


def bad_bodies(command: Command[Any, Any, Any]) -> dict[str, bytes]:
    """Bodies every command must refuse, whatever its fields."""
    junk = {name: {"junk": [1, None]} for name in command.input.model_fields}
    return {
        "not json": b'{"member_id": ',
        "not an object": b"[1, 2, 3]",
        "wrong types and an unknown field": json.dumps({**junk, "surplus": 1}).encode(),
        "too large": json.dumps({"surplus": "x" * MAX_COMMAND_BYTES}).encode(),
    }


async def test_every_command_gives_the_same_error_over_http_and_nats(api: ApiClient) -> None:
    for command in COMMANDS:
        for what, body in bad_bodies(command).items():
            response = await api.post(command.name, body)
            status, reply = await api.request(command.name, body)
            assert response.status_code in (413, 422), (command.name, what, response.text)
            assert (status, reply) == (response.status_code, response.json()), (command.name, what)


async def register_then_fail(
    uow: RegistrationUnitOfWork, ctx: CommandContext, item: RegisterMember
) -> MemberAccepted:
    """Writes a member, its consents and its event, then finds a reason to refuse."""
    await register_member(uow, ctx, item)
    raise invalid("home_area", "refused late, after writing")


async def register_then_crash(
    uow: RegistrationUnitOfWork, ctx: CommandContext, item: RegisterMember
) -> MemberAccepted:
    await register_member(uow, ctx, item)
    raise RuntimeError("a bug after writing")


def failing_register(handle: Any) -> Command[Any, RegisterMember, MemberAccepted]:
    return Command(
        name="register_member",
        input=RegisterMember,
        output=MemberAccepted,
        handle=handle,
        summary="A test double of register_member that fails after writing.",
        tag="test",
    )


async def stored_rows(database_url: str) -> dict[str, int]:
    conn = await asyncpg.connect(database_url)
    try:
        return {
            table: await conn.fetchval(f"SELECT count(*) FROM registration.{table}")
            for table in ("members", "consent_log", "outbox", "idempotency")
        }
    finally:
        await conn.close()


async def test_a_command_failing_after_it_wrote_leaves_nothing_behind(
    api: ApiClient, settings: DorpSettings
) -> None:
    runtime = api.runtime
    body = json.dumps(SANNE).encode()
    ctx = CommandContext(region=runtime.region, now=datetime.now(UTC), idempotency_key="form-7")

    def new_uow() -> RegistrationPgUnitOfWork:
        return runtime.uow(RegistrationPgUnitOfWork)

    late = failing_register(register_then_fail)
    with pytest.raises(CommandRejected, match="refused late"):
        await execute(late, new_uow(), ctx, parse_input(late, body))
    crashed = await run_command(failing_register(register_then_crash), body, ctx, new_uow)
    assert (crashed.status, json.loads(crashed.body)["reason"]) == (500, "internal_error")
    assert await stored_rows(settings.database_url or "") == {
        "members": 0,
        "consent_log": 0,
        "outbox": 0,
        "idempotency": 0,
    }
    response = await api.post("register_member", SANNE, key="form-7")  # the key is still free
    assert response.status_code == 200, response.text


async def test_a_database_outage_is_503_over_http_and_nats_and_a_retry_then_works(
    api: ApiClient,
) -> None:
    runtime = api.runtime
    healthy = runtime._pool
    nowhere = await asyncpg.create_pool(
        f"postgresql://dorp@127.0.0.1:{free_port()}/dorp", min_size=0
    )
    lookup = {"member_id": str(uuid.uuid4())}
    runtime._pool = nowhere
    try:
        response = await api.post("register_member", SANNE, key="form-8")
        over_nats = await api.request("get_member", lookup)
    finally:
        runtime._pool = healthy
        await nowhere.close()
    assert response.status_code == 503
    assert response.json()["reason"] == "temporarily_unavailable"
    assert over_nats == (503, response.json())
    retried = await api.post("register_member", SANNE, key="form-8")
    assert retried.status_code == 200, retried.text
    assert (await api.post("get_member", lookup)).status_code == 404
