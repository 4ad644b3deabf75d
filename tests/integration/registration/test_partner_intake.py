"""Partner intake end to end on real NATS and PostgreSQL: replies, canonical events on
JetStream, duplicates registered once, rejections dead-lettered with nothing stored."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import pytest
from nats.aio.client import Client
from nats.js import JetStreamContext

from dorp_registration.bootstrap import DEFINITION
from dorp_shared.contracts.partner import PartnerReply
from dorp_shared.contracts.subjects import command_subject, partner_subject, stream_name
from dorp_shared.messaging import wait_for_stream_messages
from dorp_shared.settings import DorpSettings
from tests.integration.registration.test_members_api import registration_events
from tests.support.api import service_api
from tests.support.services import eventually, nats_client, running_service

pytestmark = pytest.mark.integration

PARTNER = "bs-de-brink"
PARENT_A = {
    "external_id": "ouder-a",
    "display_name": "Sanne",
    "email": "sanne@example.org",
    "home_area": "lochem",
    "languages": ["nl"],
    "consents": {"matching": True, "notifications": True},
}
PARENT_B = {**PARENT_A, "external_id": "ouder-b", "display_name": "Jeroen", "email": "j@ex.org"}
REQUEST = {"external_id": "vraag-1", "member_external_id": "ouder-a", "kind": "babysitting"}
OFFER = {"external_id": "aanbod-1", "member_external_id": "ouder-b", "kind": "babysitting"}


@dataclass
class Intake:
    nc: Client
    js: JetStreamContext
    db: asyncpg.Connection
    region: str

    async def send(
        self, event: str, body: bytes | dict[str, Any], headers: dict[str, str] | None = None
    ) -> PartnerReply:
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        subject = partner_subject(self.region, PARTNER, event)
        reply = await self.nc.request(subject, raw, timeout=5, headers=headers)
        return PartnerReply.model_validate_json(reply.data)

    async def stream_messages(self, area: str) -> list[dict[str, Any]]:
        info = await self.js.stream_info(stream_name(self.region, area))
        found = []
        for seq in range(info.state.first_seq, info.state.last_seq + 1):
            message = await self.js.get_msg(stream_name(self.region, area), seq)
            found.append(json.loads(message.data or b"{}"))
        return found

    async def rows(self, table: str) -> int:
        return int(await self.db.fetchval(f"SELECT count(*) FROM registration.{table}"))


@pytest.fixture
async def intake(settings: DorpSettings) -> AsyncIterator[Intake]:
    async with (
        running_service(DEFINITION, settings),
        nats_client(settings.nats_url or "") as nc,
    ):
        db = await asyncpg.connect(settings.database_url)
        try:
            yield Intake(nc, nc.jetstream(), db, settings.region)
        finally:
            await db.close()


async def test_parents_request_and_offer_become_canonical_events(intake: Intake) -> None:
    replies = [
        await intake.send("member_registration", PARENT_A),
        await intake.send("member_registration", PARENT_B),
        await intake.send("help_request", REQUEST),
        await intake.send("help_offer", OFFER),
    ]
    assert all(r.status == "accepted" and not r.duplicate for r in replies)

    stream = stream_name(intake.region, "registration")
    assert await wait_for_stream_messages(intake.js, stream, 4, 10) == 4
    events = await intake.stream_messages("registration")
    assert [e["type"] for e in events] == [
        "registration.member_registered",
        "registration.member_registered",
        "registration.help_requested",
        "registration.help_offered",
    ]
    request = events[2]["payload"]
    assert request["request_id"] == replies[2].dorp_id
    assert request["member_id"] == replies[0].dorp_id
    assert (request["home_area"], request["languages"]) == ("lochem", ["nl"])


async def test_record_sent_twice_registers_one_member_and_one_event(intake: Intake) -> None:
    first = await intake.send("member_registration", PARENT_A)
    second = await intake.send("member_registration", PARENT_A)
    assert second.status == "accepted" and second.duplicate and second.dorp_id == first.dorp_id

    stream = stream_name(intake.region, "registration")
    await wait_for_stream_messages(intake.js, stream, 1, 10)
    await eventually(lambda: _outbox_drained(intake))
    assert (await intake.js.stream_info(stream)).state.messages == 1
    assert await intake.rows("members") == 1


async def test_rejection_is_dead_lettered_counted_and_stores_nothing(intake: Intake) -> None:
    reply = await intake.send("member_registration", {**PARENT_A, "home_area": "deventer"})
    assert (reply.status, reply.reason) == ("rejected", "invalid_fields")
    assert reply.errors[0].field == "home_area" and "lochem" in (reply.errors[0].allowed or ())

    letters = stream_name(intake.region, "deadletter")
    assert await wait_for_stream_messages(intake.js, letters, 1, 10) == 1
    [letter] = await intake.stream_messages("deadletter")
    assert (letter["reason"], letter["service"]) == ("invalid_fields", "registration")
    assert json.loads(letter["original_payload"])["home_area"] == "deventer"
    assert letter["errors"][0]["field"] == "home_area"

    assert await intake.rows("members") == 0
    events = await intake.js.stream_info(stream_name(intake.region, "registration"))
    assert events.state.messages == 0
    counts = await intake.db.fetch("SELECT reason, count FROM registration.rejections")
    assert [tuple(row) for row in counts] == [("invalid_fields", 1)]


async def test_bad_payloads_get_a_reason_and_the_service_keeps_answering(intake: Intake) -> None:
    json_header = {"content-type": "application/json"}
    bad = await intake.send("member_registration", b"{oops", headers=json_header)
    assert bad.reason == "invalid_json"
    assert (await intake.send("unsubscribe", PARENT_A)).reason == "unknown_event_type"
    assert (await intake.send("help_request", REQUEST)).reason == "unknown_member"
    assert (await intake.send("member_registration", PARENT_A)).status == "accepted"
    letters = stream_name(intake.region, "deadletter")
    assert await wait_for_stream_messages(intake.js, letters, 3, 10) == 3
    assert await intake.rows("help_requests") == 0


async def test_each_rejected_input_that_is_not_utf8_is_its_own_dead_letter(
    intake: Intake,
) -> None:
    """Two inputs that differ only in bytes that are not UTF-8: two dead letters, each
    showing its own bytes."""
    for body in (b"\x99", b"\xcc"):
        assert (await intake.send("member_registration", body)).status == "rejected"
    letters = stream_name(intake.region, "deadletter")
    assert await wait_for_stream_messages(intake.js, letters, 2, 10) == 2
    payloads = sorted(
        letter["original_payload"] for letter in await intake.stream_messages("deadletter")
    )
    assert payloads == ["\\x99", "\\xcc"]


async def test_a_burst_is_written_together_and_each_message_still_judged_alone(
    intake: Intake,
) -> None:
    """Messages sent without waiting for replies share a lane's batch: a member's request
    right behind their registration is accepted, a rejected one is counted and dead-lettered
    alone, a duplicate stays one record, and every member's events keep their order."""
    parents = [{**PARENT_A, "external_id": f"ouder-{n}"} for n in range(8)]
    sent: list[tuple[str, dict[str, Any]]] = []
    for n, parent in enumerate(parents):
        registration = {**parent, "home_area": "deventer"} if n == 3 else parent
        sent.append(("member_registration", registration))
        if n == 5:
            sent.append(("member_registration", parent))  # sent twice
        sent.append(
            (
                "help_request",
                {**REQUEST, "external_id": f"v-{n}", "member_external_id": parent["external_id"]},
            )
        )
    replies = await asyncio.gather(*(intake.send(event, body) for event, body in sent))

    outcomes = [(r.status, r.reason, r.duplicate) for r in replies]
    accepted, duplicate = ("accepted", None, False), ("accepted", None, True)
    expected = []
    for n in range(8):
        if n == 3:
            expected += [
                ("rejected", "invalid_fields", False),
                ("rejected", "unknown_member", False),
            ]
        else:
            expected += [accepted, duplicate, accepted] if n == 5 else [accepted, accepted]
    assert outcomes == expected

    stream = stream_name(intake.region, "registration")
    assert await wait_for_stream_messages(intake.js, stream, 14, 10) == 14
    by_member: dict[str, list[str]] = {}
    for event in await intake.stream_messages("registration"):
        by_member.setdefault(event["payload"]["member_id"], []).append(event["type"])
    assert len(by_member) == 7
    assert all(
        types == ["registration.member_registered", "registration.help_requested"]
        for types in by_member.values()
    )
    assert (await intake.rows("members"), await intake.rows("help_requests")) == (7, 7)
    assert await intake.rows("consent_log") == 7 * 2  # matching and notifications
    counts = await intake.db.fetch("SELECT reason, count FROM registration.rejections")
    assert sorted(tuple(row) for row in counts) == [("invalid_fields", 1), ("unknown_member", 1)]
    letters = stream_name(intake.region, "deadletter")
    assert await wait_for_stream_messages(intake.js, letters, 2, 10) == 2
    stale = await intake.db.fetchval(
        "SELECT count(*) FROM registration.members WHERE last_active_at < registered_at"
    )
    assert stale == 0


async def test_a_partners_request_is_activity_and_clears_a_retention_warning(
    intake: Intake,
) -> None:
    """Activity moves ``last_active_at`` on in steps of an hour or more, and always clears a
    retention warning: a member warned and then active again is not erased."""
    member_id = (await intake.send("member_registration", PARENT_A)).dorp_id
    long_ago = datetime.now(UTC) - timedelta(days=700)
    await _set_activity(intake, member_id, long_ago, warned=long_ago)
    assert (await intake.send("help_request", REQUEST)).status == "accepted"
    moved, warned = await _activity(intake, member_id)
    assert moved > datetime.now(UTC) - timedelta(minutes=5) and warned is None

    # Warned meanwhile, though active within the hour: the warning goes.
    await _set_activity(intake, member_id, moved, warned=datetime.now(UTC))
    second = {**REQUEST, "external_id": "vraag-2"}
    assert (await intake.send("help_request", second)).status == "accepted"
    latest, warned = await _activity(intake, member_id)
    assert latest >= moved and warned is None
    # Active again within the hour, not warned: nothing to write.
    third = {**REQUEST, "external_id": "vraag-3"}
    assert (await intake.send("help_request", third)).status == "accepted"
    assert await _activity(intake, member_id) == (latest, None)


async def _set_activity(
    intake: Intake, member_id: str | None, at: datetime, *, warned: datetime | None
) -> None:
    await intake.db.execute(
        "UPDATE registration.members SET last_active_at = $2, retention_warned_at = $3"
        " WHERE member_id = $1::text::uuid",
        member_id,
        at,
        warned,
    )


async def _activity(intake: Intake, member_id: str | None) -> tuple[datetime, datetime | None]:
    row = await intake.db.fetchrow(
        "SELECT last_active_at, retention_warned_at FROM registration.members"
        " WHERE member_id = $1::text::uuid",
        member_id,
    )
    assert row is not None
    return row["last_active_at"], row["retention_warned_at"]


async def _outbox_drained(intake: Intake) -> bool:
    pending = await intake.db.fetchval(
        "SELECT count(*) FROM registration.outbox WHERE published_at IS NULL"
    )
    return pending == 0


async def test_partner_organisations_and_help_are_the_records_the_commands_see(
    settings: DorpSettings,
) -> None:
    async with service_api(DEFINITION, settings) as api:

        async def send(event: str, body: dict[str, Any]) -> PartnerReply:
            subject = partner_subject(api.region, PARTNER, event)
            reply = await api.nc.request(subject, json.dumps(body).encode(), timeout=5)
            return PartnerReply.model_validate_json(reply.data)

        school = {"external_id": "school-1", "name": "De Brink", "type": "school"}
        first, again = await send("organisation", school), await send("organisation", school)
        renamed = await send("organisation", {**school, "name": "De Brink (Lochem)"})
        assert (first.duplicate, again.duplicate, renamed.duplicate) == (False, True, False)
        assert first.dorp_id == again.dorp_id == renamed.dorp_id
        stored = await api.ok("get_organisation", {"organisation_id": first.dorp_id})
        assert stored["name"] == "De Brink (Lochem)"

        await send("member_registration", PARENT_A)
        windows = [{"day": "sat", "part": "morning"}]
        request = {**REQUEST, "time_windows": windows, "expires_in_days": 5}
        accepted = await send("help_request", request)
        ref = {"help_id": accepted.dorp_id, "side": "request"}
        item = await api.ok("get_help", ref)
        assert (item["status"], item["time_windows"], item["home_area"]) == (
            "open",
            windows,
            "lochem",
        )
        expires_in = datetime.fromisoformat(item["expires_at"]) - datetime.now(UTC)
        assert timedelta(days=4) < expires_in <= timedelta(days=5)
        assert (await api.ok("withdraw_help", ref))["status"] == "withdrawn"
        resent = await send("help_request", request)
        assert resent.duplicate and (await api.ok("get_help", ref))["status"] == "withdrawn"

        async def published() -> list[str] | None:
            events = await registration_events(api)
            types = [e["type"] for e in events]
            return types if types[-1:] == ["registration.help_withdrawn"] else None

        assert await eventually(published) == [
            "registration.organisation_registered",
            "registration.organisation_registered",
            "registration.member_registered",
            "registration.help_requested",
            "registration.help_withdrawn",
        ]


async def test_resent_changed_record_updates_the_profile_but_never_undoes_consent(
    intake: Intake,
) -> None:
    member_id = (await intake.send("member_registration", PARENT_A)).dorp_id
    subject = command_subject(intake.region, "registration", "set_consent")
    withdraw = {"member_id": member_id, "purpose": "matching", "granted": False}
    await intake.nc.request(subject, json.dumps(withdraw).encode(), timeout=5)

    moved = await intake.send("member_registration", {**PARENT_A, "home_area": "almen"})
    assert moved.status == "accepted" and not moved.duplicate
    again = await intake.send("member_registration", {**PARENT_A, "home_area": "almen"})
    assert again.duplicate

    get = command_subject(intake.region, "registration", "get_member")
    reply = await intake.nc.request(get, json.dumps({"member_id": member_id}).encode(), timeout=5)
    member = json.loads(reply.data)
    assert member["home_area"] == "almen"
    assert member["consents"]["matching"] is False  # the partner's record still says True


async def test_partner_records_attendance_with_the_same_command_as_the_api(
    intake: Intake,
) -> None:
    initiative = await intake.send(
        "register_initiative", {"name": "Koffie en Koters", "kind": "parent_cafe"}
    )
    assert initiative.status == "accepted" and initiative.result is not None
    now = datetime.now(UTC)
    session = await intake.send(
        "schedule_session",
        {
            "initiative_id": initiative.dorp_id,
            "starts_at": (now - timedelta(hours=1)).isoformat(),
            "ends_at": (now + timedelta(hours=1)).isoformat(),
            "place": "Wijkcentrum",
            "home_area": "lochem",
        },
    )
    assert session.status == "accepted", session
    attendance = {"session_id": session.dorp_id, "headcount": 14}
    key = {"Idempotency-Key": "telling-1"}
    first = await intake.send("record_attendance", attendance, headers=key)
    again = await intake.send("record_attendance", attendance, headers=key)
    assert first.status == again.status == "accepted"
    assert first.result == again.result
    assert first.result is not None and first.result["recorded_by"] == f"partner:{PARTNER}"

    wrong = await intake.send("record_attendance", {**attendance, "headcount": -1})
    assert (wrong.status, wrong.reason) == ("rejected", "invalid_fields")
    assert wrong.errors[0].field == "headcount"
    letters = stream_name(intake.region, "deadletter")
    assert await wait_for_stream_messages(intake.js, letters, 1, 10) == 1

    async def attendance_events() -> list[dict[str, Any]] | None:
        events = await intake.stream_messages("registration")
        found = [e for e in events if e["type"] == "registration.attendance_recorded"]
        return found or None

    assert [e["payload"]["headcount"] for e in await eventually(attendance_events)] == [14]
    unknown = await intake.send("teleport", {})
    assert "record_attendance" in (unknown.errors[0].allowed or ())
