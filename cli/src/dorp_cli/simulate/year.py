"""A synthetic year of one region, planned month by month from a seed.

Scale 1 is a small town like Lochem (about 500 members); scale 50 is Antwerp-sized. The plan
only decides what is sent; :mod:`dorp_cli.simulate.runner` sends it. Partner events go on the
partner subjects of the region's partners, everything else through the HTTP API, as a web form
or a connector's screen would.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Mapping
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
from dorp_shared.contracts.events.communities import INQUIRY_PHASES
from dorp_shared.regions import Region

PER_SCALE: dict[Role, int] = {"parent": 400, "volunteer": 60, "professional": 25, "connector": 4}
YEARLY_PER_SCALE = {
    "requests": 250,
    "offers": 150,
    "organisations": 20,
    "initiatives": 4,
    "quotes": 20,
    "self_checks": 80,
    "coffee_opt_ins": 60,
    "dialogue_tables": 3,
    "survey_responses": 60,
}
INVALID_EVERY = 33
"""After every 33rd valid partner event an invalid one: 3% of what partners send."""
CONSENT_WITHDRAWAL_SHARE = 0.02
ERASURE_SHARE = 0.01
SIGN_UPS_PER_SESSION = (3, 10)
CAPACITY = {"coffee_dates": 12, "workshop": 15, "language_group": 10, "reading_group": 12}
ORGANISATION_TYPES = ("school", "daycare", "gp_practice", "library", "sports_club", "ggd")
SYNTHETIC_KINDS = ("parent_cafe", "walk", "workshop", "language_group")
DAY_PARTS = ("morning", "afternoon", "evening")
SURVEY = "start"
SURVEY_QUESTIONS = ("wants_more_contact", "knows_activities", "knows_where_to_ask")
"""Seed 001's resident survey: do parents want more contact with other parents, and do they
know what is organised for them and where to ask."""
COFFEE_ROUND_MONTHS = 2
"""A round of coffee and tea dates every other month."""
PHASE_MONTHS = (1, 3, 5, 7, 9, 11)
"""A learning community takes the next phase of appreciative inquiry every other month."""
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class Known:
    """What is registered before the year (the demo's programme): region-file ids to the
    ids registration gave them. The year refers to these and registers them not again."""

    organisations: Mapping[str, str] = field(default_factory=dict)
    """partner id (``[[partners]]`` in the region file) -> organisation id"""
    initiatives: Mapping[str, str] = field(default_factory=dict)
    """initiative id (``[[initiatives]]`` in the region file) -> initiative id"""


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
    known: Known = field(default_factory=Known)
    rng: random.Random = field(init=False)
    members: list[Person] = field(default_factory=list)
    active: list[Person] = field(default_factory=list)
    by_role: dict[Role, list[Person]] = field(default_factory=dict)
    """The active members per role, in the order they came: picking one is O(1), not O(n)."""
    without_matching: set[int] = field(default_factory=set)  # withdrew consent to matching
    opted_in: set[int] = field(default_factory=set)  # coffee and tea dates
    kinds_asked: dict[str, int] = field(default_factory=dict)
    partner_events: int = 0
    leads: dict[str, tuple[Person, ...]] = field(default_factory=dict)
    """Per area, the leads of its learning community (they stay the whole year)."""
    initiatives: list[tuple[str, str]] = field(default_factory=list)  # (ref, kind)
    initiative_areas: dict[str, str] = field(default_factory=dict)  # ref -> where it meets
    organisations: list[str] = field(default_factory=list)  # refs
    counter: int = 0

    def __post_init__(self) -> None:
        self.rng = random.Random(f"{self.region.id}:{self.year}:{self.seed}")

    # --- the whole year -------------------------------------------------------------------

    def plan(self) -> Plan:
        plan = Plan(self.region.id, self.year, self.scale, self.seed)
        plan.bindings.update(
            {f"organisation:{k}": v for k, v in self.known.organisations.items()}
            | {f"initiative:{k}": v for k, v in self.known.initiatives.items()}
        )
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
        for _ in range(self._spread(YEARLY_PER_SCALE["coffee_opt_ins"] * twelfth)):
            self._coffee_opt_in(waves.activity)
        if month % COFFEE_ROUND_MONTHS == 0 and self.opted_in:
            # Matching pairs on its own schedule too; the year asks for a round, as the
            # demo does, so the report has this year's dates whenever it is run.
            round_ = self._http(
                "pair_coffee_dates", {}, f"coffee-round:{month}", service="matching"
            )
            waves.closing.add(round_)
        if month in (3, 6, 10):
            for _ in range(self._spread(YEARLY_PER_SCALE["dialogue_tables"] * self.scale / 3)):
                self._dialogue_table(waves.activity, month)
        for initiative_ref, kind in self.initiatives:
            self._session(waves, initiative_ref, kind, month)
        if month in PHASE_MONTHS:
            self._learning_communities(waves.activity, PHASE_MONTHS.index(month))
        for _ in range(self._spread(YEARLY_PER_SCALE["survey_responses"] * twelfth)):
            self._survey_response(waves.activity)
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
        pool = self.active if role is None else self.by_role.get(role, [])
        return self.rng.choice(pool) if pool else None

    def _parents(self) -> list[Person]:
        return self.by_role.get("parent", [])

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
            self.organisations.append(ref)
            if external_id in self.known.organisations:
                continue  # registered before the year: referred to, not sent again
            body: dict[str, Any] = {"external_id": external_id, "name": name, "type": kind}
            body["is_partner"] = is_partner
            if area:
                body["home_area"] = area
            wave.add(self._partner_action("organisation", body, partner, binds=ref))

    def _initiatives(self, wave: Wave) -> None:
        chosen: list[tuple[str, str, str, str | None]] = [
            (i.id, i.name, i.kind, i.area) for i in self.region.initiatives
        ]
        for n in range(scaled(YEARLY_PER_SCALE["initiatives"], self.scale)):
            kind = SYNTHETIC_KINDS[n % len(SYNTHETIC_KINDS)]
            chosen.append((f"sim-{n}", f"Initiatief {n + 1}", kind, None))
        for ident, name, kind, area in chosen:
            ref = f"initiative:{ident}"
            self.initiatives.append((ref, kind))
            self.initiative_areas[ref] = area or self.rng.choice(self.region.areas).id
            if ident in self.known.initiatives:
                continue  # registered before the year: its sessions go on, it is not new
            body: dict[str, Any] = {
                "name": name,
                "kind": kind,
                "home_area": self.initiative_areas[ref],
                "languages": [self.region.default_language],
                "themes": [self.rng.choice(("opvoeden", "ontmoeten", "taal", "gezondheid"))],
            }
            if self.organisations:
                body["organisation_ids"] = [Ref(self.rng.choice(self.organisations))]
            wave.add(self._http("register_initiative", body, ref, binds=(ref, "initiative_id")))

    def _session(self, waves: _Month, initiative_ref: str, kind: str, month: int) -> None:
        zone = ZoneInfo(self.region.time_zone)
        day = self.rng.randint(1, 28)
        starts = dt.datetime(self.year, month, day, self.rng.choice((10, 14, 19)), tzinfo=zone)
        capacity = CAPACITY.get(kind)
        ref = f"session:{initiative_ref}:{month}"
        area = self.initiative_areas[initiative_ref]
        body: dict[str, Any] = {
            "initiative_id": Ref(initiative_ref),
            "starts_at": starts.isoformat(),
            "ends_at": (starts + dt.timedelta(hours=2)).isoformat(),
            "place": f"Buurthuis {self.region.area_name(area)}",
            # Given, not left to the initiative: one of the region file may have no area.
            "home_area": area,
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
        parents = self._parents()
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
            self.by_role.setdefault(person.role, []).append(person)
            if person.via == "partner":
                self._now_and_then_invalid(wave)

    def _now_and_then_invalid(self, wave: Wave) -> None:
        """A steady few per cent of what partners send is invalid, at any scale."""
        self.partner_events += 1
        if self.partner_events % INVALID_EVERY == 0:
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
        kind = self._kind(side)
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
            self._now_and_then_invalid(wave)
        else:
            command = "request_help" if side == "request" else "offer_help"
            wave.add(self._http(command, body | {"member_id": Ref(person.ref)}, f"{side}-{number}"))

    def _kind(self, side: str) -> str:
        """Each kind of help the region knows comes first once, then at random."""
        kinds = self.region.help_kinds
        seen = self.kinds_asked.get(side, 0)
        self.kinds_asked[side] = seen + 1
        return kinds[seen] if seen < len(kinds) else self.rng.choice(kinds)

    def _coffee_opt_in(self, wave: Wave) -> None:
        """A parent opts in to coffee and tea dates in their kern, through matching's API
        (matching refuses parents who withdrew their consent to matching)."""
        person = self._pick("parent")
        if (
            person is None
            or person.number in self.without_matching
            or person.number in self.opted_in
        ):
            return
        self.opted_in.add(person.number)
        body = {"member_id": Ref(person.ref), "home_area": person.area}
        wave.add(
            self._http("coffee_dates_opt_in", body, f"coffee:{person.number}", service="matching")
        )

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
        parents = self._parents()
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

    def _learning_communities(self, wave: Wave, step: int) -> None:
        """Each area with a core theme in the region file: a parent and a professional lead
        it all year (preferably from the area), one phase further every other month."""
        for area in (a for a in self.region.areas if a.core_theme):
            if area.id not in self.leads:
                self.leads[area.id] = self._leads(area.id)
            body = {
                "home_area": area.id,
                "core_theme": area.core_theme,
                "phase": INQUIRY_PHASES[step],
                "lead_member_ids": [Ref(p.ref) for p in self.leads[area.id]],
            }
            wave.add(self._http("update_learning_community", body, f"community:{area.id}:{step}"))

    def _leads(self, area: str) -> tuple[Person, ...]:
        taken = {p.number for leads in self.leads.values() for p in leads}
        chosen = []
        for role in ("parent", "professional"):
            free = [p for p in self.by_role.get(role, []) if p.number not in taken]
            here = [p for p in free if p.area == area] or free
            if here:
                chosen.append(self.rng.choice(here))
        return tuple(chosen)

    def _survey_response(self, wave: Wave) -> None:
        """Anonymous: a resident's area and role, no member id."""
        area = self.rng.choice(self.region.areas).id
        role = "parent" if self.rng.random() < 0.8 else "volunteer"
        answers = {q: min(5, max(1, round(self.rng.gauss(3.4, 1.0)))) for q in SURVEY_QUESTIONS}
        body = {"survey_id": SURVEY, "home_area": area, "respondent_role": role}
        wave.add(
            self._http(
                "record_survey_response", body | {"answers": answers}, f"survey-{self._next()}"
            )
        )

    def _consent_withdrawals(self, wave: Wave) -> None:
        for person in list(self.active):
            if self.rng.random() < CONSENT_WITHDRAWAL_SHARE / 12:
                self.without_matching.add(person.number)
                body = {"member_id": Ref(person.ref), "purpose": "matching", "granted": False}
                wave.add(self._http("set_consent", body, f"withdraw:{person.number}"))

    def _erasures(self, wave: Wave) -> None:
        """Last in the month: an erased member is never referred to again."""
        leads = {p.number for chosen in self.leads.values() for p in chosen}
        for person in list(self.active):
            if person.number in leads:
                continue  # the year's learning-community updates name them
            if self.rng.random() < ERASURE_SHARE / 12:
                self.active.remove(person)
                self.by_role[person.role].remove(person)
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
        self,
        command: str,
        body: dict[str, Any],
        what: str,
        binds: tuple[str, str] | None = None,
        service: str = "registration",
    ) -> Action:
        return Action(
            via="http",
            name=command,
            body=body,
            key=self._key(what),
            binds=binds,
            service=service,
        )


_PARTS = ("people", "activity", "sign-ups", "closing", "leaving")


def plan_year(
    region: Region,
    year: int,
    scale: float = 1.0,
    seed: int = 1,
    today: dt.date | None = None,
    known: Known | None = None,
) -> Plan:
    """The same region, year, scale, seed and day always give the same plan.

    The services stamp what they receive with the real time, so ``today`` decides which of
    the year's sessions are still to come (members sign up) and which are over (partners
    record how many came). ``known``: the region file's partners and initiatives already
    registered (by the demo), which the year uses instead of registering them again.
    """
    if scale <= 0:
        raise ValueError("scale must be more than 0")
    planner = YearPlanner(region, year, scale, seed, today or dt.date.today(), known or Known())
    return planner.plan()
