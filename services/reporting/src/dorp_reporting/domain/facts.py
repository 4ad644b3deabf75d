"""What the projections hand to the report: counts, categories and times of one period.

Nothing here names a person. Member ids never leave the repository: it counts them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from dorp_reporting.domain.editorial import Editorial

KindArea = tuple[str, str]


@dataclass(frozen=True)
class Membership:
    """One member's stay: when they joined and, if they left (erasure), when."""

    role: str
    registered_at: datetime
    left_at: datetime | None = None


@dataclass(frozen=True)
class HelpCounts:
    """Counts per (kind, area): requests, offers and the lifecycle of matches."""

    requests: Mapping[KindArea, int] = field(default_factory=dict)
    offers: Mapping[KindArea, int] = field(default_factory=dict)
    proposed: Mapping[KindArea, int] = field(default_factory=dict)
    confirmed: Mapping[KindArea, int] = field(default_factory=dict)
    helped: Mapping[KindArea, int] = field(default_factory=dict)
    became_contact: Mapping[KindArea, int] = field(default_factory=dict)


@dataclass(frozen=True)
class InitiativeCounts:
    initiative_id: str
    name: str
    kind: str
    sessions: int
    attendance: int
    unique_participants: int
    sign_ups: int


@dataclass(frozen=True)
class OrganisationCounts:
    """Organisations per type: how many are partners and how many are not."""

    partners: Mapping[str, int] = field(default_factory=dict)
    others: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class DecisionFact:
    held_on: date
    home_area: str
    adopted: bool
    majority_view: str
    minority_view: str
    votes_for: int
    votes_against: int
    votes_abstain: int
    taken_up_by: int


@dataclass(frozen=True)
class SelfCheckBucket:
    """Self-checks of one month (or year): how many, and the average of each buffer."""

    label: str
    checks: int
    solidarity: float
    division_of_tasks: float
    meta_position: float
    positive_experiences: float


@dataclass(frozen=True)
class QuoteFact:
    text: str
    language: str
    initiative: str | None
    role: str | None = None
    """The speaker's role ("ouder / medeopvoeder"), as seed 000 signs its quotes."""


@dataclass(frozen=True)
class CoffeeDates:
    """Coffee and tea dates per place (an area id, or "school"): dates and participants."""

    dates: Mapping[str, int] = field(default_factory=dict)
    participants: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class CommunityFact:
    """An area's learning community as it stood at the end of the period."""

    home_area: str
    core_theme: str
    phase: str
    leads: int


@dataclass(frozen=True)
class SurveyQuestion:
    """The answers (1 to 5) to one question of one survey in the period."""

    survey_id: str
    question: str
    answers: int
    mean: float


@dataclass(frozen=True)
class SurveyCounts:
    """Resident survey responses of the period: respondents per area, answers per question."""

    by_area: Mapping[str, int] = field(default_factory=dict)
    questions: tuple[SurveyQuestion, ...] = ()


@dataclass(frozen=True)
class ReportData:
    """Everything one report of one period is built from."""

    new_members: Mapping[str, int] = field(default_factory=dict)
    memberships: tuple[Membership, ...] = ()
    active_members: Mapping[str, int] = field(default_factory=dict)
    help: HelpCounts = field(default_factory=HelpCounts)
    ladder_feedback: tuple[tuple[str, ...], ...] = ()
    """Per match with feedback: the contact-ladder steps its sides named."""
    organisations: OrganisationCounts = field(default_factory=OrganisationCounts)
    initiatives: tuple[InitiativeCounts, ...] = ()
    coffee_dates: CoffeeDates = field(default_factory=CoffeeDates)
    parent_groups: int = 0
    dialogue_tables: int = 0
    decisions: tuple[DecisionFact, ...] = ()
    self_checks: tuple[SelfCheckBucket, ...] = ()
    quotes: tuple[QuoteFact, ...] = ()
    notifications: Mapping[str, int] = field(default_factory=dict)
    communities: tuple[CommunityFact, ...] = ()
    survey: SurveyCounts = field(default_factory=SurveyCounts)
    editorial: Editorial | None = None
