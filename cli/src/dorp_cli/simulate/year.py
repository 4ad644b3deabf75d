"""A synthetic year of one region, planned month by month from a seed.

Scale 1 is a small town like Lochem (about 500 members); scale 50 is Antwerp-sized. The plan
only decides what is sent; :mod:`dorp_cli.simulate.runner` sends it. Partner events go on the
partner subjects of the region's partners, everything else through the HTTP API, as a web form
or a connector's screen would.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from dorp_cli.simulate.invalid import invalid_partner_event
from dorp_cli.simulate.people import (
    OFFER_TEXTS,
    QUOTE_TEXTS,
    REQUEST_TEXTS,
    SIM_PARTNER,
    Person,
    make_person,
)
from dorp_cli.simulate.plan import Action, Plan, Ref, Wave
from dorp_shared.contracts.events.common import Role
from dorp_shared.regions import Region

PER_SCALE: dict[Role, int] = {"parent": 400, "volunteer": 60, "professional": 25, "connector": 4}
YEARLY_PER_SCALE = {
    "requests": 250,
    "offers": 150,
    "organisations": 20,
    "initiatives": 4,
    "quotes": 20,
    "self_checks": 80,
    "dialogue_tables": 3,
}
INVALID_EVERY = 33
"""After every 33rd registration an invalid partner event: 3% of registrations."""
CONSENT_WITHDRAWAL_SHARE = 0.02
ERASURE_SHARE = 0.01
SIGN_UPS_PER_SESSION = (3, 10)
CAPACITY = {"coffee_dates": 12, "workshop": 15, "language_group": 10, "reading_group": 12}
ORGANISATION_TYPES = ("school", "daycare", "gp_practice", "library", "sports_club", "ggd")
SYNTHETIC_KINDS = ("parent_cafe", "walk", "workshop", "language_group")
DAY_PARTS = ("morning", "afternoon", "evening")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def scaled(base: int, scale: float, minimum: int = 1) -> int:
    return max(minimum, round(base * scale))


@dataclass
class _Month:
    """The waves of one month: people arrive, act, sign up, come (or not), and some leave."""

    people: Wave
    activity: Wave
    sign_ups: Wave
    closing: Wave
    leaving: Wave


@dataclass
class YearPlanner:
    region: Region
    year: int
    scale: float
    seed: int
    today: dt.date
    rng: random.Random = field(init=False)
    members: list[Person] = field(default_factory=list)
    active: list[Person] = field(default_factory=list)
    initiatives: list[tuple[str, str]] = field(default_factory=list)  # (ref, kind)
    organisations: list[str] = field(default_factory=list)  # refs
    counter: int = 0

    def __post_init__(self) -> None:
        self.rng = random.Random(f"{self.region.id}:{self.year}:{self.seed}")

    # --- the whole year -------------------------------------------------------------------

    def plan(self) -> Plan:
        plan = Plan(self.region.id, self.year, self.scale, self.seed)
        arrivals = self._arrivals()
        setup = Wave(f"{self.year} organisations")
        self._organisations(setup)
        plan.waves.append(setup)
        for month in range(1, 13):
            waves = _Month(*(Wave(f"{self.year}-{month:02d} {part}") for part in _PARTS))
            if month == 1:
                self._initiatives(waves.people)
            self._register(waves.people, arrivals[month])
            self._month_activity(waves, month)
            plan.waves.extend(
                [waves.people, waves.activity, waves.sign_ups, waves.closing, waves.leaving]
            )
        return plan

    def _arrivals(self) -> dict[int, list[Person]]:
        """Who registers in which month: 40% are there in January, the rest join over time."""
        people = [
            make_person(self.rng, self.region, self._next(), role)
            for role, base in PER_SCALE.items()
            for _ in range(scaled(base, self.scale))
        ]
        self.rng.shuffle(people)
        by_month: dict[int, list[Person]] = {month: [] for month in range(1, 13)}
        for person in people:
            month = 1 if self.rng.random() < 0.4 else self.rng.randint(1, 12)
            by_month[month].append(person)
        return by_month

    def _month_activity(self, waves: _Month, month: int) -> None:
        twelfth = self.scale / 12
        for _ in range(self._spread(YEARLY_PER_SCALE["requests"] * twelfth)):
            self._help(waves.activity, "request")
        for _ in range(self._spread(YEARLY_PER_SCALE["offers"] * twelfth)):
            self._help(waves.activity, "offer")
        for _ in range(self._spread(YEARLY_PER_SCALE["quotes"] * twelfth)):
            self._quote(waves.activity)
        for _ in range(self._spread(YEARLY_PER_SCALE["self_checks"] * twelfth)):
            self._self_check(waves.activity)
        if month in (3, 6, 10):
            for _ in range(self._spread(YEARLY_PER_SCALE["dialogue_tables"] * self.scale / 3)):
                self._dialogue_table(waves.activity, month)
        for initiative_ref, kind in self.initiatives:
            self._session(waves, initiative_ref, kind, month)
        self._consent_withdrawals(waves.closing)
        self._erasures(waves.leaving)

    def _spread(self, expected: float) -> int:
        """A whole number with ``expected`` as its mean: 2.4 is 2 or 3, 3 more often."""
        whole = int(expected)
        return whole + (1 if self.rng.random() < expected - whole else 0)

    def _next(self) -> int:
        self.counter += 1
        return self.counter

    def _key(self, what: str) -> str:
        return f"sim:{self.region.id}:{self.year}:{self.seed}:{what}"

    def _pick(self, role: Role | None = None) -> Person | None:
        pool = [p for p in self.active if role is None or p.role == role]
        return self.rng.choice(pool) if pool else None

    # --- organisations, initiatives and sessions ------------------------------------------

    def _organisations(self, wave: Wave) -> None:
        partner = self._partner()
        known: list[tuple[str, str, str, str | None, bool]] = [
            (p.id, p.name, p.type, p.area, True) for p in self.region.partners
        ]
        for n in range(scaled(YEARLY_PER_SCALE["organisations"], self.scale)):
            kind = ORGANISATION_TYPES[n % len(ORGANISATION_TYPES)]
            place = self.rng.choice(self.region.areas).id
            known.append((f"sim-org-{n}", f"Organisatie {n + 1} ({kind})", kind, place, False))
        for external_id, name, kind, area, is_partner in known:
            ref = f"organisation:{external_id}"
            body: dict[str, Any] = {"external_id": external_id, "name": name, "type": kind}
            body["is_partner"] = is_partner
            if area:
                body["home_area"] = area
            wave.add(self._partner_action("organisation", body, partner, binds=ref))
            self.organisations.append(ref)

    def _initiatives(self, wave: Wave) -> None:
        chosen: list[tuple[str, str, str, str | None]] = [
            (i.id, i.name, i.kind, i.area) for i in self.region.initiatives
        ]
        for n in range(scaled(YEARLY_PER_SCALE["initiatives"], self.scale)):
            kind = SYNTHETIC_KINDS[n % len(SYNTHETIC_KINDS)]
            chosen.append((f"sim-{n}", f"Initiatief {n + 1}", kind, None))
        for ident, name, kind, area in chosen:
            body: dict[str, Any] = {
                "name": name,
                "kind": kind,
                "home_area": area or self.rng.choice(self.region.areas).id,
                "languages": [self.region.default_language],
                "themes": [self.rng.choice(("opvoeden", "ontmoeten", "taal", "gezondheid"))],
            }
            if self.organisations:
                body["organisation_ids"] = [Ref(self.rng.choice(self.organisations))]
            ref = f"initiative:{ident}"
            wave.add(self._http("register_initiative", body, ref, binds=(ref, "initiative_id")))
            self.initiatives.append((ref, kind))

    def _session(self, waves: _Month, initiative_ref: str, kind: str, month: int) -> None:
        zone = ZoneInfo(self.region.time_zone)
        day = self.rng.randint(1, 28)
        starts = dt.datetime(self.year, month, day, self.rng.choice((10, 14, 19)), tzinfo=zone)
        capacity = CAPACITY.get(kind)
        ref = f"session:{initiative_ref}:{month}"
        body: dict[str, Any] = {
            "initiative_id": Ref(initiative_ref),
            "starts_at": starts.isoformat(),
            "ends_at": (starts + dt.timedelta(hours=2)).isoformat(),
            "place": f"Buurthuis {self.rng.choice(self.region.areas).name}",
            "capacity": capacity,
            "child_friendly": self.rng.random() < 0.5,
        }
        waves.activity.add(self._http("schedule_session", body, ref, binds=(ref, "session_id")))
        if starts.date() > self.today + dt.timedelta(days=1):
            self._sign_ups(waves.sign_ups, ref, capacity)
        elif starts.date() < self.today:
            # Sign-ups close when a session starts, so a past session gets only its headcount.
            attendance = {"session_id": Ref(ref), "headcount": self.rng.randint(3, 40)}
            waves.closing.add(self._http("record_attendance", attendance, f"{ref}:attendance"))

    def _sign_ups(self, wave: Wave, session_ref: str, capacity: int | None) -> None:
        """Sign-ups for a coming session with places; more than fit go on its waiting list."""
        if capacity is None:
            return
        parents = [p for p in self.active if p.role == "parent"]
        wanted = min(len(parents), self.rng.randint(*SIGN_UPS_PER_SESSION))
        signed = self.rng.sample(parents, wanted)
        for person in signed:
            body = {"session_id": Ref(session_ref), "member_id": Ref(person.ref)}
            wave.add(self._http("sign_up", body, f"{session_ref}:sign-up:{person.number}"))

    # --- people ---------------------------------------------------------------------------

    def _register(self, wave: Wave, people: list[Person]) -> None:
        for person in people:
            if person.via == "partner":
                wave.add(self._partner_member(person, person.partner))
            else:
                wave.add(self._http_member(person))
            self.members.append(person)
            self.active.append(person)
            if len(self.members) % INVALID_EVERY == 0:  # a steady few per cent, at any scale
                partner = self._partner()
                wave.add(invalid_partner_event(self.rng, self.region, partner, self._next()))

    def _partner_member(self, person: Person, partner: str) -> Action:
        body = {
            "external_id": person.external_id,
            "role": person.role,
            "display_name": person.display_name(),
            "email": person.email(self.region.id),
            "home_area": person.area,
            "languages": list(person.languages),
            "preferred_language": person.languages[-1],
            "age_bands": list(person.age_bands),
            "interests": list(person.interests),
            "consents": {"matching": True, "notifications": True},
        }
        return self._partner_action("member_registration", body, partner, binds=person.ref)

    def _http_member(self, person: Person) -> Action:
        body = {
            "role": person.role,
            "display_name": person.display_name(),
            "email": person.email(self.region.id),
            "home_area": person.area,
            "languages": list(person.languages),
            "age_bands": list(person.age_bands),
            "interests": list(person.interests),
            "consents": {"matching": True, "notifications": True},
        }
        return self._http("register_member", body, person.ref, binds=(person.ref, "member_id"))

    def _help(self, wave: Wave, side: str) -> None:
        person = self._pick("parent" if side == "request" else None)
        if person is None:
            return
        number = self._next()
        kind = self.rng.choice(self.region.help_kinds)
        windows = [
            {"day": self.rng.choice(WEEKDAYS), "part": self.rng.choice(DAY_PARTS)}
            for _ in range(self.rng.randint(1, 3))
        ]
        texts = REQUEST_TEXTS if side == "request" else OFFER_TEXTS
        body: dict[str, Any] = {"kind": kind, "text": self.rng.choice(texts)}
        body["time_windows"] = [dict(w) for w in {tuple(w.items()): w for w in windows}.values()]
        if side == "request" and person.age_bands:
            body["age_band"] = self.rng.choice(person.age_bands)
        if side == "offer":
            body["age_bands"] = ["1-4", "4-12"]
            body["capacity"] = self.rng.randint(1, 3)
        if person.via == "partner":
            body["external_id"] = f"sim-{side}-{number}"
            body["member_external_id"] = person.external_id
            event = "help_request" if side == "request" else "help_offer"
            wave.add(self._partner_action(event, body, person.partner))
        else:
            command = "request_help" if side == "request" else "offer_help"
            wave.add(self._http(command, body | {"member_id": Ref(person.ref)}, f"{side}-{number}"))

    def _quote(self, wave: Wave) -> None:
        person = self._pick("parent")
        if person is None:
            return
        number = self._next()
        consent = {"member_id": Ref(person.ref), "purpose": "quotes", "granted": True}
        quote = {
            "member_id": Ref(person.ref),
            "text": self.rng.choice(QUOTE_TEXTS),
            "publish_anonymously": True,
        }
        wave.add(
            self._http("set_consent", consent, f"quote-consent-{number}"),
            self._http("record_quote", quote, f"quote-{number}"),
        )

    def _self_check(self, wave: Wave) -> None:
        person = self._pick("parent")
        if person is None:
            return
        buffers = ("solidarity", "division_of_tasks", "meta_position", "positive_experiences")
        scores = {name: self.rng.randint(1, 5) for name in buffers}
        body = {"member_id": Ref(person.ref), "scores": scores}
        wave.add(self._http("record_self_check", body, f"self-check-{self._next()}"))

    def _dialogue_table(self, wave: Wave, month: int) -> None:
        parents = [p for p in self.active if p.role == "parent"]
        if len(parents) < 3:
            return
        number = self._next()
        area = self.rng.choice(self.region.areas)
        group, table = f"group:{number}", f"table:{number}"
        concern, proposal = f"concern:{number}", f"proposal:{number}"
        members = self.rng.sample(parents, min(len(parents), self.rng.randint(3, 7)))
        choices = ["for" if self.rng.random() < 0.65 else "against" for _ in members]
        held_on = dt.date(self.year, month, self.rng.randint(1, 28))
        chain = [
            self._http(
                "form_parent_group",
                {"name": f"Oudergroep {area.name} {number}", "home_area": area.id},
                group,
                binds=(group, "group_id"),
            ),
            *(
                self._http(
                    "join_parent_group",
                    {"group_id": Ref(group), "member_id": Ref(p.ref)},
                    f"{group}:join:{p.number}",
                )
                for p in members
            ),
            self._http(
                "open_dialogue_table",
                {
                    "topic": "Ontmoeten bij de school",
                    "group_ids": [Ref(group)],
                    "home_area": area.id,
                    "held_on": held_on.isoformat(),
                },
                table,
                binds=(table, "table_id"),
            ),
            self._http(
                "name_concern",
                {"table_id": Ref(table), "text": "Nieuwe ouders kennen niemand op het plein."},
                concern,
                binds=(concern, "concern_id"),
            ),
            self._http(
                "make_proposal",
                {
                    "table_id": Ref(table),
                    "concern_id": Ref(concern),
                    "text": "Een maandelijkse koffieochtend voor nieuwe ouders.",
                },
                proposal,
                binds=(proposal, "proposal_id"),
            ),
            *(
                self._http(
                    "cast_vote",
                    {"proposal_id": Ref(proposal), "member_id": Ref(p.ref), "choice": choice},
                    f"{proposal}:vote:{p.number}",
                )
                for p, choice in zip(members, choices, strict=True)
            ),
        ]
        against = choices.count("against")
        decision: dict[str, Any] = {
            "proposal_id": Ref(proposal),
            "adopted": choices.count("for") > against,
            "majority_view": "De meerderheid wil het proberen met hulp van de school.",
        }
        if against:
            decision["minority_view"] = "Een deel van de ouders kan alleen 's middags."
        chain.append(self._http("record_decision", decision, f"{proposal}:decision"))
        wave.add(*chain)

    def _consent_withdrawals(self, wave: Wave) -> None:
        for person in list(self.active):
            if self.rng.random() < CONSENT_WITHDRAWAL_SHARE / 12:
                body = {"member_id": Ref(person.ref), "purpose": "matching", "granted": False}
                wave.add(self._http("set_consent", body, f"withdraw:{person.number}"))

    def _erasures(self, wave: Wave) -> None:
        """Last in the month: an erased member is never referred to again."""
        for person in list(self.active):
            if self.rng.random() < ERASURE_SHARE / 12:
                self.active.remove(person)
                body = {"member_id": Ref(person.ref)}
                wave.add(self._http("erase_member", body, f"erase:{person.number}"))

    # --- building actions -----------------------------------------------------------------

    def _partner(self) -> str:
        partners = self.region.partners
        return self.rng.choice(partners).id if partners else SIM_PARTNER

    def _partner_action(
        self, event: str, body: dict[str, Any], partner: str, binds: str | None = None
    ) -> Action:
        return Action(
            via="partner",
            name=event,
            body=body,
            key=self._key(f"{event}:{body['external_id']}"),
            partner_id=partner,
            binds=(binds, "dorp_id") if binds else None,
        )

    def _http(
        self, command: str, body: dict[str, Any], what: str, binds: tuple[str, str] | None = None
    ) -> Action:
        return Action(via="http", name=command, body=body, key=self._key(what), binds=binds)


_PARTS = ("people", "activity", "sign-ups", "closing", "leaving")


def plan_year(
    region: Region, year: int, scale: float = 1.0, seed: int = 1, today: dt.date | None = None
) -> Plan:
    """The same region, year, scale, seed and day always give the same plan.

    The services stamp what they receive with the real time, so ``today`` decides which of
    the year's sessions are still to come (members sign up) and which are over (partners
    record how many came).
    """
    if scale <= 0:
        raise ValueError("scale must be more than 0")
    return YearPlanner(region, year, scale, seed, today or dt.date.today()).plan()
