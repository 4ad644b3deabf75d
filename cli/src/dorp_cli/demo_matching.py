"""The demo's matching act: a connector (aanjager) approves the proposal when the region
wants a review first, both parents have a coffee or tea date, and a parent is recommended
sessions of the initiatives that already exist.

All through matching's commands over NATS request/reply, with idempotency keys, so a second
run on the same data changes nothing (the parents had their date already: never again).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

from dorp_cli.programme import CommandFailed, Registrar
from dorp_shared.contracts import MatchProposed
from dorp_shared.regions import Region

MATCHING = "matching"
READY_ATTEMPTS = 40
READY_PAUSE_SECONDS = 0.25

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
    matching: Registrar, proposal: MatchProposed, connector_id: uuid.UUID, report: Report
) -> None:
    """The connector approves a proposal waiting for review (retried while matching has
    not yet seen the connector's registration)."""
    body = {
        "proposal_id": str(proposal.proposal_id),
        "connector_id": str(connector_id),
        "decision": "approve",
    }
    await _when_ready(matching, "review_proposal", body, f"review:{proposal.proposal_id}")
    report("the connector (aanjager) approved the proposal: now the parents are asked")


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
