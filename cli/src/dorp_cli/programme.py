"""The demo's second act: the region's programme registered through registration's commands
(NATS request/reply, the same commands as the HTTP API): its partner organisations and
initiatives from the region file, a session of each, a parent group with a dialogue table that
decides with the minority's view, a quote, a self-check, and the learning communities.

Every command carries an idempotency key derived from the region file, so running the demo
again on the same data registers nothing twice.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from nats.aio.client import Client

from dorp_shared.commands import IDEMPOTENCY_HEADER
from dorp_shared.contracts.subjects import command_subject
from dorp_shared.errors import DorpError
from dorp_shared.regions import Initiative, Region
from dorp_shared.service import STATUS_HEADER

SERVICE = "registration"
SESSION_CAPACITY = {"coffee_dates": 12, "workshop": 15, "language_group": 10}


class CommandFailed(DorpError):
    pass


@dataclass
class Registrar:
    """Sends registration commands for one region, each with an idempotency key."""

    nc: Client
    region: str
    sent: int = 0
    service: str = SERVICE

    async def send(self, command: str, body: dict[str, Any], key: str) -> dict[str, Any]:
        subject = command_subject(self.region, self.service, command)
        headers = {IDEMPOTENCY_HEADER: f"demo:{self.region}:{key}"}
        reply = await self.nc.request(
            subject, json.dumps(body, default=str).encode(), timeout=10, headers=headers
        )
        status = int((reply.headers or {}).get(STATUS_HEADER, "0"))
        answer: dict[str, Any] = json.loads(reply.data or b"{}")
        if status != 200:
            raise CommandFailed(
                f"{command}: {status} {answer.get('reason')}: {answer.get('detail')}"
            )
        self.sent += 1
        return answer


@dataclass
class Programme:
    """What was registered, for the demo's progress lines."""

    organisations: dict[str, str] = field(default_factory=dict)
    initiatives: dict[str, str] = field(default_factory=dict)
    sessions: list[str] = field(default_factory=list)
    decision: dict[str, Any] = field(default_factory=dict)
    communities: list[str] = field(default_factory=list)


Report = Callable[[str], None]


async def register_programme(
    registrar: Registrar,
    region: Region,
    parents: tuple[uuid.UUID, uuid.UUID],
    today: dt.date,
    report: Report,
) -> Programme:
    programme = Programme()
    for partner in region.partners:
        answer = await registrar.send(
            "register_organisation",
            {
                "name": partner.name,
                "type": partner.type,
                "home_area": partner.area,
                "is_partner": True,
                "partner_id": partner.id,
            },
            f"organisation:{partner.id}",
        )
        programme.organisations[partner.id] = answer["organisation_id"]
    report(f"{len(programme.organisations)} partner organisations registered")

    first_session = _first_day_of_next_month(today)
    for initiative in region.initiatives:
        initiative_id = await _initiative(registrar, region, initiative, programme)
        programme.initiatives[initiative.id] = initiative_id
        programme.sessions.append(
            await _session(registrar, region, initiative, initiative_id, first_session)
        )
    report(
        f"{len(programme.initiatives)} initiatives with a session on {first_session.isoformat()}"
    )
    await _voices(registrar, region, parents[0])
    report("a quote (with consent, shown without a name) and a four-buffer self-check")
    programme.decision = await _dialogue(registrar, region, parents, today, programme)
    report(
        f"dialogue table: proposal {'adopted' if programme.decision['adopted'] else 'rejected'} "
        f"({programme.decision['votes_for']} for, {programme.decision['votes_against']} against),"
        " with the minority's view recorded"
    )
    for area in region.areas:
        if area.core_theme:
            await registrar.send(
                "update_learning_community",
                {"home_area": area.id, "core_theme": area.core_theme, "phase": "define"},
                f"community:{area.id}",
            )
            programme.communities.append(area.name)
    if programme.communities:
        report(f"learning communities: {', '.join(programme.communities)}")
    return programme


async def _initiative(
    registrar: Registrar, region: Region, initiative: Initiative, programme: Programme
) -> str:
    partners_here = [
        org_id
        for partner_id, org_id in programme.organisations.items()
        if any(p.id == partner_id and p.area == initiative.area for p in region.partners)
    ]
    answer = await registrar.send(
        "register_initiative",
        {
            "name": initiative.name,
            "kind": initiative.kind,
            "home_area": initiative.area,
            "organisation_ids": partners_here[:1],
            "languages": [region.default_language],
            "description": initiative.description or "",
        },
        f"initiative:{initiative.id}",
    )
    return str(answer["initiative_id"])


async def _session(
    registrar: Registrar,
    region: Region,
    initiative: Initiative,
    initiative_id: str,
    day: dt.date,
) -> str:
    zone = _zone(region)
    starts = dt.datetime.combine(day, dt.time(9, 30), tzinfo=zone)
    answer = await registrar.send(
        "schedule_session",
        {
            "initiative_id": initiative_id,
            "starts_at": starts.isoformat(),
            "ends_at": (starts + dt.timedelta(hours=2)).isoformat(),
            "place": initiative.name,
            "home_area": initiative.area or region.areas[0].id,
            "capacity": SESSION_CAPACITY.get(initiative.kind),
            "child_friendly": True,
        },
        f"session:{initiative.id}:{day.isoformat()}",
    )
    return str(answer["session_id"])


async def _voices(registrar: Registrar, region: Region, parent: uuid.UUID) -> None:
    member = str(parent)
    await registrar.send(
        "set_consent",
        {"member_id": member, "purpose": "quotes", "granted": True},
        f"consent:{member}:quotes",
    )
    await registrar.send(
        "record_quote",
        {
            "member_id": member,
            "text": "Door de koffiedates ken ik nu ouders uit mijn straat.",
            "language": "nl" if "nl" in region.languages else region.default_language,
            "publish_anonymously": True,
        },
        f"quote:{member}",
    )
    await registrar.send(
        "record_self_check",
        {
            "member_id": member,
            "scores": {
                "solidarity": 4,
                "division_of_tasks": 3,
                "meta_position": 3,
                "positive_experiences": 5,
            },
        },
        f"self-check:{member}",
    )


async def _dialogue(
    registrar: Registrar,
    region: Region,
    parents: tuple[uuid.UUID, uuid.UUID],
    today: dt.date,
    programme: Programme,
) -> dict[str, Any]:
    area = region.areas[0]
    group = await registrar.send(
        "form_parent_group",
        {
            "name": f"Oudergroep {area.name}",
            "home_area": area.id,
            "languages": list(region.languages[:2]),
        },
        "group:1",
    )
    for parent in parents:
        await registrar.send(
            "join_parent_group",
            {"group_id": group["group_id"], "member_id": str(parent)},
            f"group:1:join:{parent}",
        )
    table = await registrar.send(
        "open_dialogue_table",
        {
            "topic": "Wachten bij de schoolpoort",
            "group_ids": [group["group_id"]],
            "home_area": area.id,
            "held_on": today.isoformat(),
        },
        "table:1",
    )
    concern = await registrar.send(
        "name_concern",
        {
            "table_id": table["table_id"],
            "group_id": group["group_id"],
            "text": "Ouders kennen elkaar niet, ook al staan ze elke dag samen te wachten.",
        },
        "table:1:concern:1",
    )
    organisations = list(programme.organisations.values())[:1]
    proposal = await registrar.send(
        "make_proposal",
        {
            "table_id": table["table_id"],
            "concern_id": concern["concern_id"],
            "text": "Eén keer per maand koffie op het schoolplein, door ouders georganiseerd.",
            "addressed_to": organisations,
        },
        "table:1:proposal:1",
    )
    for parent, choice in zip(parents, ("for", "against"), strict=True):
        await registrar.send(
            "cast_vote",
            {"proposal_id": proposal["proposal_id"], "member_id": str(parent), "choice": choice},
            f"table:1:vote:{parent}",
        )
    decision = await registrar.send(
        "record_decision",
        {
            "proposal_id": proposal["proposal_id"],
            "adopted": True,
            "majority_view": "We beginnen na de herfstvakantie, met de school erbij.",
            "minority_view": (
                "Niet iedereen kan 's ochtends blijven: zorg ook voor een middagmoment."
            ),
        },
        "table:1:decision",
    )
    for organisation_id in organisations:
        await registrar.send(
            "take_up_decision",
            {
                "decision_id": decision["decision_id"],
                "organisation_id": organisation_id,
                "note": "De school stelt de aula beschikbaar.",
            },
            f"table:1:taken-up:{organisation_id}",
        )
    return decision


def _first_day_of_next_month(today: dt.date) -> dt.date:
    return (today.replace(day=1) + dt.timedelta(days=32)).replace(day=1)


def _zone(region: Region) -> dt.tzinfo:
    from zoneinfo import ZoneInfo

    return ZoneInfo(region.time_zone)
