"""A seeded synthetic programme year of N events, as the services would have published
them, for ``dorp bench reporting``: members, requests and offers with their proposals and
outcomes, sessions with sign-ups and attendance, coffee dates, notifications, quotes,
self-checks, dialogue tables, consent changes and erasures.

Generated day by day, so only one day's messages are held at a time; the tally counts what
the annual report must show. Synthetic ids and names only.
"""

from __future__ import annotations

import random
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from dorp_shared.contracts import events as ev
from dorp_shared.contracts.envelope import Event, wrap
from dorp_shared.contracts.subjects import payload_subject
from dorp_shared.regions import Region

FIRST_DAY, LAST_DAY = (1, 3), (12, 27)
"""Days of the year events fall on: clear of the year's edges in any time zone."""
SESSION_LEAD_DAYS = 7
ROLES: tuple[ev.Role, ...] = (
    "parent",
    "parent",
    "parent",
    "volunteer",
    "volunteer",
    "professional",
)
ENDINGS: tuple[type[ev.ProposalDeclined | ev.ProposalExpired | ev.ProposalCancelled], ...] = (
    ev.ProposalDeclined,
    ev.ProposalExpired,
    ev.ProposalCancelled,
)
CHANNELS: tuple[ev.Channel, ...] = ("email", "email", "email", "sms", "app")
KINDS: tuple[ev.InitiativeKind, ...] = ("parent_cafe", "child_cafe", "walk", "workshop", "iftar")

# How a day's events are made up: (chain, weight). A chain is a few related events.
CHAINS: tuple[tuple[str, float], ...] = (
    ("member", 3.0),
    ("request", 2.0),
    ("offer", 1.5),
    ("coffee_date", 0.6),
    ("sign_up", 9.0),
    ("self_check", 0.8),
    ("reminder", 8.0),
    ("member_update", 0.3),
    ("consent", 0.03),
    ("erasure", 0.02),
    ("quote", 0.01),
    ("dialogue", 0.002),
    ("retention_warning", 0.2),
)


@dataclass(frozen=True)
class Message:
    """One stream message: subject, body and headers, as the outbox relay publishes it."""

    area: str
    subject: str
    body: bytes
    headers: dict[str, str]


@dataclass
class Tally:
    """What was generated, counted the way the annual report counts it."""

    events: int = 0
    kept: int = 0
    """Events of a type reporting projects."""
    members: int = 0
    requests: int = 0
    offers: int = 0
    proposed: int = 0
    confirmed: int = 0
    coffee_dates: int = 0
    self_checks: int = 0
    quotes: int = 0
    decisions: int = 0
    organisations: int = 0
    notifications: Counter[str] = field(default_factory=Counter)
    sessions: dict[uuid.UUID, bool] = field(default_factory=dict)
    """Session id: cancelled."""
    headcounts: dict[uuid.UUID, int] = field(default_factory=dict)
    sign_ups: dict[tuple[uuid.UUID, uuid.UUID], str] = field(default_factory=dict)

    def figures(self) -> dict[str, int]:
        """The totals the report's facts must equal."""
        held = {s for s, cancelled in self.sessions.items() if not cancelled}
        return {
            "new members": self.members,
            "requests": self.requests,
            "offers": self.offers,
            "matches proposed": self.proposed,
            "matches confirmed": self.confirmed,
            "sessions held": len(held),
            "attendance (head count)": sum(n for s, n in self.headcounts.items() if s in held),
            "sign-ups": sum(
                1 for (s, _), st in self.sign_ups.items() if s in held and st != "cancelled"
            ),
            "coffee dates": self.coffee_dates,
            "self-checks": self.self_checks,
            "quotes": self.quotes,
            "decisions": self.decisions,
            "organisations": self.organisations,
            **{f"messages ({c})": n for c, n in sorted(self.notifications.items())},
        }


@dataclass
class _Member:
    member_id: uuid.UUID
    role: ev.Role
    area: str
    quiet: bool
    """Will be erased or change consent: never signs up, attends, quotes or checks in
    (what erasure removes would make the expected figures depend on timing)."""


@dataclass
class _Session:
    session_id: uuid.UUID
    initiative_id: uuid.UUID
    starts_at: datetime
    confirmed: list[uuid.UUID] = field(default_factory=list)
    waitlisted: list[uuid.UUID] = field(default_factory=list)
    cancelled: bool = False


class YearGenerator:
    """Yields one day's messages at a time until ``events`` were made."""

    def __init__(self, region: Region, year: int, events: int, seed: int = 1) -> None:
        self.region = region
        self.year = year
        self.target = events
        self.rng = random.Random(seed)
        self.tally = Tally()
        self.areas = [a.id for a in region.areas]
        self.members: list[_Member] = []
        self.voices: list[_Member] = []
        self.sessions: list[_Session] = []
        self.initiatives: list[uuid.UUID] = []
        self.organisations: list[uuid.UUID] = []
        self.day: list[tuple[datetime, Message]] = []
        self.clock = datetime(year, *FIRST_DAY, 8, tzinfo=UTC)

    def days(self) -> Iterator[list[Message]]:
        first = date(self.year, *FIRST_DAY)
        count = (date(self.year, *LAST_DAY) - first).days + 1
        self._start()
        for n in range(count):
            today = first + timedelta(days=n)
            quota = (self.target - self.tally.events) // (count - n)
            self._day(today, quota)
            self.day.sort(key=lambda pair: pair[0])
            yield [message for _, message in self.day]
            self.day = []

    # --- helpers -----------------------------------------------------------------------

    def _id(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def _emit(self, payload: Event, at: datetime, source: str = "registration") -> None:
        envelope = wrap(
            payload, region=self.region.id, source=source, occurred_at=at, event_id=self._id()
        )
        area = payload.area
        self.day.append(
            (
                at,
                Message(
                    area,
                    payload_subject(self.region.id, payload),
                    envelope.model_dump_json().encode(),
                    envelope.headers(),
                ),
            )
        )
        self.tally.events += 1
        if type(payload) in KEPT:
            self.tally.kept += 1

    def _tick(self, seconds: float = 1.0) -> datetime:
        self.clock += timedelta(seconds=seconds)
        return self.clock

    def _notify(self, at: datetime, recipient: uuid.UUID, template: str) -> None:
        roll = self.rng.random()
        status: Any = "sent" if roll < 0.95 else ("failed" if roll < 0.98 else "suppressed")
        channel = self.rng.choice(CHANNELS)
        if status == "sent":
            self.tally.notifications[channel] += 1
        self._emit(
            ev.NotificationSent(
                notification_id=self._id(),
                cause_event_id=self._id(),
                recipient_id=recipient,
                channel=channel,
                template=template,
                language="nl",
                status=status,
            ),
            at + timedelta(seconds=2),
            "notifications",
        )

    # --- the year ------------------------------------------------------------------------

    def _start(self) -> None:
        """The programme's organisations, initiatives and first members."""
        at = self._tick()
        types: tuple[ev.OrganisationType, ...] = ("school", "daycare", "library", "ggd", "other")
        for n in range(max(5, self.target // 5000)):
            self.organisations.append(self._id())
            self.tally.organisations += 1
            self._emit(
                ev.OrganisationRegistered(
                    organisation_id=self.organisations[-1],
                    organisation_name=f"Organisatie {n + 1}",
                    type=types[n % len(types)],
                    home_area=self.rng.choice(self.areas),
                    is_partner=n % 3 != 2,
                ),
                at,
            )
        for n in range(max(3, self.target // 10_000)):
            self.initiatives.append(self._id())
            self._emit(
                ev.InitiativeRegistered(
                    initiative_id=self.initiatives[-1],
                    initiative_name=f"Initiatief {n + 1:03d}",
                    kind=KINDS[n % len(KINDS)],
                    home_area=self.rng.choice(self.areas),
                ),
                at,
            )
        for _ in range(max(20, self.target // 1000)):
            self._register(at)

    def _day(self, today: date, quota: int) -> None:
        self.clock = datetime(today.year, today.month, today.day, 7, tzinfo=UTC)
        start = self.tally.events
        self._sessions_of(today)
        chains, weights = zip(*CHAINS, strict=True)
        while self.tally.events - start < quota:
            chain = self.rng.choices(chains, weights)[0]
            getattr(self, f"_{chain}")(self._tick(self.rng.uniform(0.5, 4.0)))

    def _register(self, at: datetime) -> None:
        member = _Member(
            self._id(),
            self.rng.choice(ROLES),
            self.rng.choice(self.areas),
            quiet=self.rng.random() < 0.05,
        )
        self.members.append(member)
        if not member.quiet:
            self.voices.append(member)
        self.tally.members += 1
        self._emit(
            ev.MemberRegistered(
                member_id=member.member_id,
                role=member.role,
                home_area=member.area,
                languages=("nl",),
                preferred_language="nl",
                registered_by="partner",
                consents=ev.Consents(matching=True, notifications=True, quotes=True),
                contact=ev.ContactDetails(display_name="Testouder", email="ouder@example.org"),
            ),
            at,
        )

    def _member(self, at: datetime) -> None:
        self._register(at)
        self._notify(at, self.members[-1].member_id, "welcome")

    def _pick(self, role: ev.Role | None = None, loud: bool = False) -> _Member:
        pool = self.voices if loud else self.members
        for _ in range(8):
            member = self.rng.choice(pool)
            if role in (None, member.role):
                return member
        return member

    def _request(self, at: datetime) -> None:
        asker, kind = self._pick("parent"), self.rng.choice(self.region.help_kinds)
        request_id = self._id()
        self.tally.requests += 1
        self._emit(
            ev.HelpRequested(
                member_id=asker.member_id,
                request_id=request_id,
                kind=kind,
                home_area=asker.area,
                languages=("nl",),
                text="Wie kan helpen?",
            ),
            at,
        )
        self._notify(at, asker.member_id, "request_received")
        if self.rng.random() < 0.05:
            self._emit(
                ev.HelpWithdrawn(member_id=asker.member_id, help_id=request_id, side="request"),
                at + timedelta(minutes=1),
            )
            return
        if self.rng.random() < 0.8:
            self._proposal(request_id, asker, kind, at + timedelta(seconds=30))

    def _proposal(self, request_id: uuid.UUID, asker: _Member, kind: str, at: datetime) -> None:
        """A proposal, its outcome ten minutes later and feedback an hour after that."""
        helper, proposal_id, offer_id = self._pick("volunteer"), self._id(), self._id()
        self.tally.proposed += 1
        self._emit(
            ev.MatchProposed(
                proposal_id=proposal_id,
                request_id=request_id,
                offer_id=offer_id,
                requester_id=asker.member_id,
                helper_id=helper.member_id,
                kind=kind,
                home_area=asker.area,
                score=0.8,
                reasons=(),
                explanation="Jullie wonen dichtbij.",
                explanation_en="You live close by.",
            ),
            at,
            "matching",
        )
        for member in (asker, helper):
            self._notify(at, member.member_id, "match_proposed")
        roll = self.rng.random()
        at += timedelta(minutes=10)
        if roll >= 0.6:
            ending = ENDINGS[int((roll - 0.6) / 0.4 * len(ENDINGS))]
            extra = {"member_id": asker.member_id, "side": "request"}
            extra = extra if ending is ev.ProposalDeclined else {}
            if ending is ev.ProposalCancelled:
                extra = {"reason": "withdrawn"}
            self._emit(ending(proposal_id=proposal_id, **extra), at, "matching")
            return
        self.tally.confirmed += 1
        for member, side in ((asker, "request"), (helper, "offer")):
            self._emit(
                ev.ProposalAccepted(proposal_id=proposal_id, member_id=member.member_id, side=side),
                at,
                "matching",
            )
        self._emit(
            ev.MatchConfirmed(
                proposal_id=proposal_id,
                request_id=request_id,
                offer_id=offer_id,
                requester_id=asker.member_id,
                helper_id=helper.member_id,
                kind=kind,
            ),
            at + timedelta(seconds=1),
            "matching",
        )
        for member in (asker, helper):
            self._notify(at, member.member_id, "match_confirmed")
        if self.rng.random() < 0.7:
            at += timedelta(hours=1)
            for member, side in ((asker, "request"), (helper, "offer")):
                self._emit(
                    ev.MatchCompleted(
                        proposal_id=proposal_id,
                        member_id=member.member_id,
                        side=side,
                        helped=self.rng.random() < 0.9,
                        became_contact=self.rng.random() < 0.5,
                        ladder_step=self.rng.choice(self.region.contact_ladder),
                    ),
                    at,
                    "matching",
                )

    def _offer(self, at: datetime) -> None:
        helper, offer_id = self._pick("volunteer"), self._id()
        self.tally.offers += 1
        self._emit(
            ev.HelpOffered(
                member_id=helper.member_id,
                offer_id=offer_id,
                kind=self.rng.choice(self.region.help_kinds),
                home_area=helper.area,
                languages=("nl",),
            ),
            at,
        )
        if self.rng.random() < 0.05:
            self._emit(
                ev.HelpWithdrawn(member_id=helper.member_id, help_id=offer_id, side="offer"),
                at + timedelta(minutes=1),
            )

    def _coffee_date(self, at: datetime) -> None:
        one, two, date_id, round_id = (
            self._pick("parent"),
            self._pick("parent"),
            self._id(),
            self._id(),
        )
        self.tally.coffee_dates += 1
        for member, partner in ((one, two), (two, one)):
            self._emit(
                ev.CoffeeDatePaired(
                    member_id=member.member_id,
                    date_id=date_id,
                    round_id=round_id,
                    partner_ids=(partner.member_id,),
                    home_area=one.area,
                    meet_by=at.date() + timedelta(days=14),
                    score=0.7,
                    reasons=(),
                    explanation="Jullie kinderen zijn even oud.",
                    explanation_en="Same age.",
                ),
                at,
                "matching",
            )
            self._notify(at, member.member_id, "coffee_date")

    def _sessions_of(self, today: date) -> None:
        """Schedule a week ahead; record attendance (or cancel) on the day itself."""
        for _ in range(max(1, self.target // 90_000)):
            starts = datetime(today.year, today.month, today.day, 18, tzinfo=UTC) + timedelta(
                days=SESSION_LEAD_DAYS
            )
            if starts.date() > date(self.year, *LAST_DAY):
                break
            session = _Session(self._id(), self.rng.choice(self.initiatives), starts)
            self.sessions.append(session)
            self.tally.sessions[session.session_id] = False
            self._emit(
                ev.SessionScheduled(
                    session_id=session.session_id,
                    initiative_id=session.initiative_id,
                    starts_at=starts,
                    ends_at=starts + timedelta(hours=2),
                    place="Buurthuis",
                    home_area=self.rng.choice(self.areas),
                    capacity=60,
                ),
                self._tick(),
            )
        for session in [s for s in self.sessions if s.starts_at.date() == today]:
            self.sessions.remove(session)
            at = session.starts_at - timedelta(hours=6)
            if self.rng.random() < 0.03:
                session.cancelled = True
                self.tally.sessions[session.session_id] = True
                self._emit(ev.SessionCancelled(session_id=session.session_id), at)
                continue
            came = [m for m in session.confirmed if self.rng.random() < 0.85]
            headcount = len(came) + self.rng.randint(0, 5)
            self.tally.headcounts[session.session_id] = headcount
            self._emit(
                ev.AttendanceRecorded(
                    session_id=session.session_id,
                    initiative_id=session.initiative_id,
                    headcount=headcount,
                    member_ids=tuple(came),
                    recorded_by="staff",
                ),
                session.starts_at + timedelta(hours=3),
            )

    def _sign_up(self, at: datetime) -> None:
        upcoming = [s for s in self.sessions[-40:] if s.starts_at > at]
        if not upcoming:
            self._reminder(at)
            return
        session, member = self.rng.choice(upcoming), self._pick(loud=True)
        key = (session.session_id, member.member_id)
        roll = self.rng.random()
        if member.member_id in session.confirmed and roll < 0.3:
            session.confirmed.remove(member.member_id)
            self.tally.sign_ups[key] = "cancelled"
            self._emit(
                ev.SignUpCancelled(member_id=member.member_id, session_id=session.session_id), at
            )
        elif member.member_id in session.waitlisted:
            session.waitlisted.remove(member.member_id)
            session.confirmed.append(member.member_id)
            self.tally.sign_ups[key] = "confirmed"
            self._emit(
                ev.WaitlistPromoted(member_id=member.member_id, session_id=session.session_id), at
            )
        elif member.member_id not in session.confirmed:
            full = len(session.confirmed) >= 60
            (session.waitlisted if full else session.confirmed).append(member.member_id)
            status: Any = "waitlisted" if full else "confirmed"
            self.tally.sign_ups[key] = status
            self._emit(
                ev.SignedUp(
                    member_id=member.member_id, session_id=session.session_id, status=status
                ),
                at,
            )
        else:
            self._reminder(at)
            return
        self._notify(at, member.member_id, "sign_up")

    def _self_check(self, at: datetime) -> None:
        member = self._pick(loud=True)
        self.tally.self_checks += 1
        scores = [self.rng.randint(1, 5) for _ in range(4)]
        self._emit(
            ev.SelfCheckRecorded(
                member_id=member.member_id,
                check_id=self._id(),
                home_area=member.area,
                scores=ev.BufferScores(
                    solidarity=scores[0],
                    division_of_tasks=scores[1],
                    meta_position=scores[2],
                    positive_experiences=scores[3],
                ),
            ),
            at,
        )

    def _reminder(self, at: datetime) -> None:
        self._notify(at, self._pick().member_id, "session_reminder")

    def _member_update(self, at: datetime) -> None:
        member = self._pick()
        member.area = self.rng.choice(self.areas)
        self._emit(
            ev.MemberUpdated(
                member_id=member.member_id,
                role=member.role,
                home_area=member.area,
                languages=("nl",),
                preferred_language="nl",
                contact=ev.ContactDetails(display_name="Testouder", email="ouder@example.org"),
            ),
            at,
        )

    def _quiet(self) -> _Member | None:
        quiet = [m for m in (self.rng.choice(self.members) for _ in range(20)) if m.quiet]
        return quiet[0] if quiet else None

    def _consent(self, at: datetime) -> None:
        member = self._quiet()
        if member is None:
            return
        granted = self.rng.random() < 0.5
        self._emit(
            ev.ConsentChanged(
                member_id=member.member_id,
                purpose="quotes",
                granted=granted,
                source="self",
                recorded_at=at,
                consents=ev.Consents(matching=True, notifications=True, quotes=granted),
            ),
            at,
        )

    def _erasure(self, at: datetime) -> None:
        member = self._quiet()
        if member is None:
            return
        self.members.remove(member)
        self._emit(ev.MemberErased(member_id=member.member_id, reason="request", erased_at=at), at)

    def _quote(self, at: datetime) -> None:
        member = self._pick(loud=True)
        shared = self.rng.random() < 0.8
        self.tally.quotes += shared
        self._emit(
            ev.QuoteRecorded(
                member_id=member.member_id,
                quote_id=self._id(),
                language="nl",
                text="Sinds de ouderkamer voel ik me minder alleen.",
                home_area=member.area,
                publish_anonymously=shared,
                initiative_id=self.rng.choice(self.initiatives),
            ),
            at,
        )

    def _dialogue(self, at: datetime) -> None:
        group_id, table_id, area = self._id(), self._id(), self.rng.choice(self.areas)
        self._emit(
            ev.ParentGroupFormed(group_id=group_id, group_name="Oudergroep", home_area=area), at
        )
        self._emit(
            ev.DialogueTableOpened(
                table_id=table_id,
                topic="Veilig naar school",
                group_ids=(group_id,),
                home_area=area,
                held_on=at.date(),
            ),
            at + timedelta(seconds=1),
        )
        decision_id = self._id()
        self.tally.decisions += 1
        self._emit(
            ev.DecisionRecorded(
                decision_id=decision_id,
                table_id=table_id,
                proposal_id=self._id(),
                adopted=True,
                majority_view="Een looproute langs de school.",
                minority_view="Liever een looproute langs het park.",
                votes_for=12,
                votes_against=4,
                votes_abstain=1,
            ),
            at + timedelta(seconds=2),
        )
        self._emit(
            ev.DecisionTakenUp(
                decision_id=decision_id, organisation_id=self.rng.choice(self.organisations)
            ),
            at + timedelta(seconds=3),
        )

    def _retention_warning(self, at: datetime) -> None:
        """An event reporting does not keep: read, and skipped."""
        member = self._pick()
        self._emit(
            ev.RetentionWarningIssued(
                member_id=member.member_id,
                last_active_at=at - timedelta(days=700),
                erase_on=at.date() + timedelta(days=28),
            ),
            at,
        )


def _kept() -> frozenset[type[Event]]:
    from dorp_reporting.adapters.projections import PROJECTORS

    return frozenset(PROJECTORS)


KEPT = _kept()
