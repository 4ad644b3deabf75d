"""Partner events that must be rejected: the few per cent of bad input every real feed has.

Each is rejected by registration with a reason and lands on the dead-letter subject; the
simulation counts them as expected rejections.
"""

from __future__ import annotations

import random
from typing import Any

from dorp_cli.simulate.plan import Action
from dorp_shared.regions import Region


def invalid_partner_event(rng: random.Random, region: Region, partner: str, number: int) -> Action:
    external_id = f"sim-invalid-{number}"
    variant = rng.randrange(5)
    body: dict[str, Any]
    raw: bytes | None = None
    if variant == 0:  # a kind of help the region does not know
        event = "help_request"
        body = {"external_id": external_id, "member_external_id": "sim-member-1", "kind": "unicorn"}
    elif variant == 1:  # an area outside the region
        event = "member_registration"
        body = _member(external_id, region) | {"home_area": "atlantis"}
    elif variant == 2:  # a required field left out
        event = "member_registration"
        body = {"external_id": external_id, "home_area": region.areas[0].id}
    elif variant == 3:  # a member the partner never registered
        event = "help_offer"
        body = {
            "external_id": external_id,
            "member_external_id": f"never-registered-{number}",
            "kind": region.help_kinds[0],
        }
    else:  # not JSON at all
        event = "member_registration"
        body = {"external_id": external_id}
        raw = b'{"external_id": "' + external_id.encode() + b'", truncated'
    return Action(
        via="partner",
        name=event,
        body=body,
        key=f"invalid:{external_id}",
        partner_id=partner,
        expect="rejected",
        raw=raw,
    )


def _member(external_id: str, region: Region) -> dict[str, Any]:
    return {
        "external_id": external_id,
        "display_name": "Test",
        "languages": [region.default_language],
    }
