"""Synthetic partner traffic: parents who register and then ask for help.

Bodies are encoded up front, so the benchmark client spends its time sending, not building
JSON. External ids carry a run id, so a run against configured servers never collides with
an earlier one (every event is new, none a duplicate).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass

from dorp_registration.domain.ids import dorp_id
from dorp_shared.contracts.subjects import partner_subject
from dorp_shared.regions import Region

FIRST_NAMES = ("Sanne", "Noor", "Jeroen", "Fatma", "Kasia", "Ahmed", "Lotte", "Bram")
AGE_BANDS = ("0-1", "1-4", "4-12", "12-18")
BENCH_PARTNER = "bench-portal"


@dataclass(frozen=True)
class Parent:
    """One parent's two partner messages, sent in this order."""

    member_id: uuid.UUID
    registration: bytes
    request: bytes | None


@dataclass(frozen=True)
class Workload:
    partner_id: str
    member_subject: str
    request_subject: str
    parents: tuple[Parent, ...]

    @property
    def events(self) -> int:
        return sum(1 + (parent.request is not None) for parent in self.parents)


def parents_workload(region: Region, events: int, run_id: str | None = None) -> Workload:
    """``events`` partner events: a registration per parent, then (for all but possibly the
    last parent, when ``events`` is odd) one help request."""
    run = run_id or uuid.uuid4().hex[:8]
    partner = region.partners[0].id if region.partners else BENCH_PARTNER
    count = (events + 1) // 2
    parents = tuple(
        _parent(region, partner, f"bench-{run}-{index}", index, with_request=index * 2 + 1 < events)
        for index in range(count)
    )
    return Workload(
        partner_id=partner,
        member_subject=partner_subject(region.id, partner, "member_registration"),
        request_subject=partner_subject(region.id, partner, "help_request"),
        parents=parents,
    )


def _parent(
    region: Region, partner: str, external_id: str, index: int, *, with_request: bool
) -> Parent:
    area = region.areas[index % len(region.areas)].id
    language = region.languages[index % len(region.languages)]
    languages = sorted({region.default_language, language})
    age_band = AGE_BANDS[index % len(AGE_BANDS)]
    registration = {
        "external_id": external_id,
        "display_name": FIRST_NAMES[index % len(FIRST_NAMES)],
        "email": f"ouder.{index}@example.org",
        "home_area": area,
        "languages": languages,
        "age_bands": [age_band],
        "consents": {"matching": True, "notifications": True},
    }
    request = {
        "external_id": f"{external_id}-vraag",
        "member_external_id": external_id,
        "kind": region.help_kinds[index % len(region.help_kinds)],
        "age_band": age_band,
        "text": "Wie kan af en toe op onze kinderen passen? Liefst doordeweeks.",
    }
    return Parent(
        member_id=dorp_id(region.id, partner, "member", external_id),
        registration=json.dumps(registration).encode(),
        request=json.dumps(request).encode() if with_request else None,
    )
