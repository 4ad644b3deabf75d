"""A programme year as the projections hand it to the report (synthetic figures)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from dorp_reporting.domain.editorial import Editorial
from dorp_reporting.domain.facts import (
    CoffeeDates,
    CommunityFact,
    DecisionFact,
    HelpCounts,
    InitiativeCounts,
    Membership,
    OrganisationCounts,
    QuoteFact,
    ReportData,
    SelfCheckBucket,
    SurveyCounts,
    SurveyQuestion,
)
from dorp_reporting.domain.period import Period
from dorp_reporting.domain.report import Report, build_report
from dorp_shared.regions import Region, load_region

GENERATED = datetime(2026, 12, 31, 12, 0, tzinfo=UTC)
QUOTE = "Ik voel me minder alleen — echt waar."
TURKISH = "Çok güzel bir gün, teşekkürler."
POLISH = "Było miło, dziękuję: ş ł ğ."
ARABIC = "شكرا على الإفطار"


def at(year: int, month: int) -> datetime:
    return datetime(year, month, 5, tzinfo=UTC)


def year_data(editorial: bool = True) -> ReportData:
    memberships = (
        *(Membership("volunteer", at(2025, 5)) for _ in range(8)),
        *(Membership("volunteer", at(2026, 2), at(2026, 6)) for _ in range(6)),
        *(Membership("parent", at(2026, 1)) for _ in range(12)),
    )
    return ReportData(
        new_members={"parent": 12, "volunteer": 6},
        memberships=memberships,
        active_members={"volunteer": 6},
        help=HelpCounts(
            requests={("babysitting", "lochem"): 7, ("walk_and_talk", "laren"): 2},
            offers={("babysitting", "lochem"): 5},
            proposed={("babysitting", "lochem"): 6},
            confirmed={("babysitting", "lochem"): 5},
            became_contact={("babysitting", "lochem"): 3},
        ),
        ladder_feedback=(("chat", "help_each_other"),) * 6 + (("chat",),) * 2,
        organisations=OrganisationCounts(
            partners={"school": 3, "daycare": 2}, others={"library": 1}
        ),
        initiatives=(
            InitiativeCounts("a", "Ouderkamer Lochem", "parent_cafe", 10, 84, 23, 30),
            InitiativeCounts("b", "Ouder en Kind festival", "festival", 1, 250, 3, 0),
        ),
        coffee_dates=CoffeeDates(
            dates={"lochem": 4, "school": 7}, participants={"lochem": 8, "school": 15}
        ),
        parent_groups=2,
        dialogue_tables=1,
        decisions=(
            DecisionFact(
                date(2026, 4, 2),
                "lochem",
                True,
                "Meer koffieochtenden op school",
                "Liever 's avonds",
                7,
                3,
                1,
                1,
            ),
        ),
        self_checks=(
            SelfCheckBucket("2026-01", 6, 3.2, 2.9, 3.5, 4.0),
            SelfCheckBucket("2026-02", 3, 3.0, 3.0, 3.0, 3.0),
            SelfCheckBucket("2026-03", 8, 3.5, 3.1, 3.6, 4.1),
        ),
        quotes=(
            QuoteFact(QUOTE, "nl", "Ouderkamer Lochem", "parent"),
            QuoteFact(TURKISH, "tr", None),
            QuoteFact(POLISH, "pl", "Iftar Zwolle"),
            QuoteFact(ARABIC, "ar", "Iftar Zwolle"),
        ),
        notifications={"email": 31},
        communities=(
            CommunityFact("lochem", "Samen opvoeden in de wijk", "dream", 3),
            CommunityFact("laren", "Ouders ontmoeten elkaar op school", "define", 2),
        ),
        survey=SurveyCounts(
            by_area={"lochem": 9, "laren": 2},
            questions=(
                SurveyQuestion("start", "more_contact", 11, 4.2),
                SurveyQuestion("start", "knows_activities", 3, 2.0),
            ),
        ),
        editorial=Editorial(
            "2026",
            "- Tweede festival\n- 40 nieuwe gezinnen",
            "- Meer vaders bereiken",
            "staff",
            GENERATED,
        )
        if editorial
        else None,
    )


def lochem() -> Region:
    return load_region("lochem")


def year_report(data: ReportData | None = None, period: str = "2026") -> Report:
    return build_report(lochem(), Period.parse(period), data or year_data(), GENERATED)
