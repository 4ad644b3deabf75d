"""The demo's matching act: a connector (aanjager) approves the proposal when the region
wants a review first, registers a parent without internet whose request then waits in the
connector's own queue (in every region) until they approve it, both parents have a coffee
or tea date, and a parent is recommended sessions of the initiatives that already exist.

All through matching's commands over NATS request/reply, with idempotency keys, so a second
run on the same data changes nothing (the parents had their date already: never again).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from dorp_cli.programme import CommandFailed, Registrar
from dorp_shared.regions import Region

MATCHING = "matching"
READY_ATTEMPTS = 40
READY_PAUSE_SECONDS = 0.25
FOUND_ATTEMPTS = 240

Report = Callable[[str], None]


async def register_connector(registrar: Registrar, region: Region) -> uuid.UUID:
    """The region's connector, registered through registration like any member."""
    answer = await registrar.send(
        "register_member",
        {
            "role": "connector",
            "display_name": "Aanjager",
            "email": f"aanjager@{region.id}.example.org",
            "home_area": region.areas[0].id,
            "languages": [region.default_language],
            "consents": {"matching": True, "notifications": True},
        },
        "connector",
    )
    return uuid.UUID(str(answer["member_id"]))


async def approve(
    matching: Registrar, proposal_id: str, connector_id: uuid.UUID, report: Report
) -> None:
    """The connector approves a proposal waiting for review (retried while matching has
    not yet seen the connector's registration)."""
    body = {"proposal_id": proposal_id, "connector_id": str(connector_id), "decision": "approve"}
    await _when_ready(matching, "review_proposal", body, f"review:{proposal_id}")
    report("the connector (aanjager) approved the proposal: now the parents are asked")


async def first_proposal(matching: Registrar, member_id: uuid.UUID) -> dict[str, Any] | None:
    """The member's oldest proposal as matching shows it, once there is one."""
    found = await matching.send("list_proposals", {"member_id": str(member_id)}, "")
    proposals: list[dict[str, Any]] = found["proposals"]
    return proposals[-1] if proposals else None


async def offline_parent(
    registrar: Registrar, region: Region, connector_id: uuid.UUID
) -> uuid.UUID:
    """Parent C has no internet: the connector registers them and their request."""
    answer = await registrar.send(
        "register_member",
        {
            "display_name": "Fatma",
            "phone": "+31 6 1234 5678",
            "channel": "sms",
            "home_area": region.areas[0].id,
            "languages": [region.default_language],
            "age_bands": ["4-12"],
            "registered_by": "connector",
            "connector_id": str(connector_id),
            "consents": {"matching": True, "notifications": True},
        },
        "parent-c",
    )
    parent = uuid.UUID(str(answer["member_id"]))
    body = {"member_id": str(parent), "kind": "babysitting", "age_band": "4-12"}
    await registrar.send("request_help", body, "request-c")
    return parent


async def connector_review(
    matching: Registrar, parent: uuid.UUID, connector_id: uuid.UUID, report: Report
) -> None:
    """The proposal for parent C's request waits in the connector's own queue, whatever
    the region's setting; the connector approves it (once: a second run finds it done)."""
    proposal = await _when_found(lambda: first_proposal(matching, parent))
    if proposal["status"] != "awaiting_review":
        report(f"the connector approved parent C's proposal before ({proposal['status']})")
        return
    body = {"connector_id": str(connector_id)}
    queue = (await matching.send("connector_queue", body, ""))["proposals"]
    mine = [p for p in queue if p["reviewer_id"] == str(connector_id)]
    report(
        f"in the connector's own queue ({len(mine)} of {len(queue)}): "
        f"{proposal['explanation']} / {proposal['explanation_en']}"
    )
    await approve(matching, proposal["proposal_id"], connector_id, report)


async def coffee_round(
    matching: Registrar, region: Region, parents: tuple[uuid.UUID, ...], report: Report
) -> None:
    """Both parents opt in for their kern, and a round pairs them (once: never again)."""
    area = region.areas[0]
    for parent in parents:
        body = {"member_id": str(parent), "home_area": area.id}
        await _when_ready(matching, "coffee_dates_opt_in", body, f"coffee:{parent}")
    today = dt.date.today().isoformat()
    found = await matching.send("pair_coffee_dates", {}, f"coffee-round:{today}")
    if found["dates"]:
        report(
            f"coffee and tea dates in {area.name}: {found['dates']} date(s), "
            f"{found['paired']} parents paired (quality {found['quality']})"
        )
    else:
        report("coffee and tea dates: no new date (these parents had theirs: never twice)")


async def recommend(matching: Registrar, parent: uuid.UUID, report: Report) -> None:
    body = {"member_id": str(parent)}
    found = await _when_ready(matching, "recommend_sessions", body, f"recommend:{parent}")
    sessions = found["sessions"]
    if not sessions:
        report("what already exists: no session fits this parent now")
        return
    names = ", ".join(s["initiative_name"] for s in sessions)
    report(f"what already exists: recommended to a parent: {names}")
    report(f"  {sessions[0]['explanation']} / {sessions[0]['explanation_en']}")


async def _when_found(
    probe: Callable[[], Awaitable[dict[str, Any] | None]],
) -> dict[str, Any]:
    """Wait while matching has not yet consumed what the probe looks for."""
    for _ in range(FOUND_ATTEMPTS):
        found = await probe()
        if found is not None:
            return found
        await asyncio.sleep(READY_PAUSE_SECONDS)
    raise CommandFailed("matching made no proposal in time; see its log")


async def _when_ready(
    matching: Registrar, command: str, body: dict[str, Any], key: str
) -> dict[str, Any]:
    """Send a command, waiting while matching has not yet consumed the members it names
    (it answers 422 on a member it does not know yet)."""
    for attempt in range(READY_ATTEMPTS):
        try:
            return await matching.send(command, body, key)
        except CommandFailed as failed:
            if " 422 " not in f" {failed} " or attempt == READY_ATTEMPTS - 1:
                raise
        await asyncio.sleep(READY_PAUSE_SECONDS)
    raise AssertionError("unreachable")


def matching_client(registrar: Registrar) -> Registrar:
    return Registrar(registrar.nc, registrar.region, service=MATCHING)
