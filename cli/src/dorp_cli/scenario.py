"""The demo's synthetic scenario, sent the way a partner system would: over the region's
partner subjects, one request/reply per record. Names and addresses are synthetic."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from nats.aio.client import Client

from dorp_shared.contracts.partner import PartnerReply
from dorp_shared.contracts.subjects import partner_subject
from dorp_shared.regions import Region

DEMO_PARTNER = "demo-portal"


@dataclass(frozen=True)
class Step:
    description: str
    event: str
    payload: dict[str, Any]


@dataclass(frozen=True)
class Scenario:
    partner_id: str
    steps: tuple[Step, ...]
    asker_email: str
    helper_email: str
    helper_language: str


def babysitting_scenario(region: Region) -> Scenario:
    """Parent A asks for a babysitter; parent B in the same area offers babysitting."""
    partner = region.partners[0].id if region.partners else DEMO_PARTNER
    area = region.areas[0]
    language = region.default_language
    helper_language = "en" if "en" in region.languages and region.country == "BE" else language
    asker, helper = f"ouder.a.{region.id}@example.org", f"ouder.b.{region.id}@example.org"
    consents = {"matching": True, "notifications": True}
    steps = (
        Step(
            f"Parent A registers in {area.name}",
            "member_registration",
            {
                "external_id": "demo-parent-a",
                "display_name": "Sanne",
                "email": asker,
                "home_area": area.id,
                "languages": [language],
                "preferred_language": language,
                "age_bands": ["1-4"],
                "consents": consents,
            },
        ),
        Step(
            "Parent A asks for a babysitter",
            "help_request",
            {
                "external_id": "demo-request-a",
                "member_external_id": "demo-parent-a",
                "kind": "babysitting",
                "age_band": "1-4",
                "text": "Wie kan donderdagavond op onze peuter passen?",
            },
        ),
        Step(
            f"Parent B registers in {area.name}",
            "member_registration",
            {
                "external_id": "demo-parent-b",
                "display_name": "Noor",
                "email": helper,
                "home_area": area.id,
                "languages": sorted({language, helper_language}),
                "preferred_language": helper_language,
                "age_bands": ["4-12"],
                "consents": consents,
            },
        ),
        Step(
            "Parent B offers babysitting",
            "help_offer",
            {
                "external_id": "demo-offer-b",
                "member_external_id": "demo-parent-b",
                "kind": "babysitting",
                "age_bands": ["0-1", "1-4", "4-12"],
                "capacity": 2,
                "text": "Ik pas graag af en toe op, doordeweeks 's avonds.",
            },
        ),
    )
    return Scenario(partner, steps, asker, helper, helper_language)


async def send_step(nc: Client, region: str, partner_id: str, step: Step) -> PartnerReply:
    subject = partner_subject(region, partner_id, step.event)
    reply = await nc.request(subject, json.dumps(step.payload).encode(), timeout=10)
    return PartnerReply.model_validate_json(reply.data)
