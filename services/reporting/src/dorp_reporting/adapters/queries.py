"""asyncpg reads of the reporting schema: the counts one report is built from."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

import asyncpg

from dorp_reporting.domain.editorial import Editorial
from dorp_reporting.domain.facts import (
    CoffeeDates,
    CommunityFact,
    DecisionFact,
    HelpCounts,
    InitiativeCounts,
    KindArea,
    Membership,
    OrganisationCounts,
    QuoteFact,
    ReportData,
    SelfCheckBucket,
    SurveyCounts,
    SurveyQuestion,
)
from dorp_reporting.domain.period import ALL, Period, Window

Bounds = tuple[datetime | None, datetime | None]


def _in(column: str) -> str:
    """``column`` in the window ``[$1, $2)``; NULL bounds mean open-ended."""
    return (
        f"($1::timestamptz IS NULL OR {column} >= $1)"
        f" AND ($2::timestamptz IS NULL OR {column} < $2)"
    )


class PgReportQueries:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def report_data(
        self, period: Period, window: Window | None, time_zone: str
    ) -> ReportData:
        bounds: Bounds = (window.start, window.end) if window else (None, None)
        return ReportData(
            new_members=await self._counts(
                "SELECT role AS key, count(*) AS n FROM ("
                " SELECT role, registered_at FROM members UNION ALL"
                " SELECT role, registered_at FROM member_departures) m"
                f" WHERE {_in('registered_at')} GROUP BY role",
                bounds,
            ),
            memberships=await self._memberships(),
            active_members=await self._active(bounds),
            help=await self._help(bounds),
            ladder_feedback=await self._ladder(bounds),
            organisations=await self._organisations(bounds),
            initiatives=await self._initiatives(bounds),
            coffee_dates=await self._coffee_dates(bounds),
            parent_groups=int(
                await self.conn.fetchval(
                    f"SELECT count(*) FROM parent_groups WHERE {_in('formed_at')}", *bounds
                )
            ),
            dialogue_tables=int(
                await self.conn.fetchval(
                    "SELECT count(*) FROM dialogue_tables WHERE"
                    f" {_in('(held_on::timestamp AT TIME ZONE $3)')}",
                    *bounds,
                    time_zone,
                )
            ),
            decisions=await self._decisions(bounds),
            self_checks=await self._self_checks(bounds, period, time_zone),
            quotes=await self._quotes(bounds),
            notifications=await self._counts(
                f"SELECT channel AS key, count(*) AS n FROM notifications WHERE {_in('sent_at')}"
                " GROUP BY channel",
                bounds,
            ),
            communities=await self._communities(bounds),
            survey=await self._survey(bounds),
            editorial=await self.editorial(period.key),
        )

    async def _counts(self, sql: str, bounds: Bounds) -> dict[str, int]:
        return {row["key"]: int(row["n"]) for row in await self.conn.fetch(sql, *bounds)}

    async def _memberships(self) -> tuple[Membership, ...]:
        rows = await self.conn.fetch(
            "SELECT role, registered_at, NULL::timestamptz AS left_at FROM members"
            " UNION ALL SELECT role, registered_at, left_at FROM member_departures"
        )
        return tuple(Membership(r["role"], r["registered_at"], r["left_at"]) for r in rows)

    async def _active(self, bounds: Bounds) -> dict[str, int]:
        return await self._counts(
            "SELECT m.role AS key, count(*) AS n FROM members m WHERE m.member_id IN ("
            f" SELECT member_id FROM offers WHERE {_in('offered_at')}"
            f" UNION SELECT helper_id FROM matches WHERE {_in('proposed_at')}"
            " UNION SELECT a.member_id FROM attendees a JOIN sessions s USING (session_id)"
            f" WHERE {_in('s.starts_at')}) GROUP BY m.role",
            bounds,
        )

    async def _help(self, bounds: Bounds) -> HelpCounts:
        async def by_kind_area(sql: str) -> dict[KindArea, int]:
            rows = await self.conn.fetch(sql + " GROUP BY kind, home_area", *bounds)
            return {(r["kind"], r["home_area"]): int(r["n"]) for r in rows}

        match_rows = await self.conn.fetch(
            "SELECT kind, home_area, count(*) AS proposed, count(*) FILTER (WHERE confirmed)"
            " AS confirmed, count(*) FILTER (WHERE helped) AS helped,"
            " count(*) FILTER (WHERE contact) AS contact FROM ("
            " SELECT m.kind, m.home_area, m.confirmed_at IS NOT NULL AS confirmed,"
            " coalesce(bool_or(f.helped), false) AS helped,"
            " coalesce(bool_or(f.became_contact), false) AS contact"
            " FROM matches m LEFT JOIN match_feedback f USING (proposal_id)"
            f" WHERE {_in('m.proposed_at')} GROUP BY m.proposal_id) per_match"
            " GROUP BY kind, home_area",
            *bounds,
        )
        proposed: Counter[KindArea] = Counter()
        confirmed: Counter[KindArea] = Counter()
        helped: Counter[KindArea] = Counter()
        contact: Counter[KindArea] = Counter()
        for r in match_rows:
            key = (r["kind"], r["home_area"])
            proposed[key] += r["proposed"]
            confirmed[key] += r["confirmed"]
            helped[key] += r["helped"]
            contact[key] += r["contact"]
        return HelpCounts(
            requests=await by_kind_area(
                f"SELECT kind, home_area, count(*) AS n FROM requests WHERE {_in('requested_at')}"
            ),
            offers=await by_kind_area(
                f"SELECT kind, home_area, count(*) AS n FROM offers WHERE {_in('offered_at')}"
            ),
            proposed=dict(proposed),
            confirmed=dict(confirmed),
            helped=dict(helped),
            became_contact=dict(contact),
        )

    async def _ladder(self, bounds: Bounds) -> tuple[tuple[str, ...], ...]:
        """Per match with feedback in the window, the steps either side named."""
        rows = await self.conn.fetch(
            "SELECT proposal_id, array_agg(ladder_step ORDER BY side) AS steps"
            f" FROM match_feedback WHERE {_in('completed_at')} GROUP BY proposal_id",
            *bounds,
        )
        return tuple(tuple(r["steps"]) for r in rows)

    async def _organisations(self, bounds: Bounds) -> OrganisationCounts:
        """The organisations known at the end of the period, in their latest state."""
        rows = await self.conn.fetch(
            "SELECT type, is_partner, count(*) AS n FROM organisations"
            " WHERE $1::timestamptz IS NULL OR registered_at < $1 GROUP BY type, is_partner",
            bounds[1],
        )
        partners = {r["type"]: int(r["n"]) for r in rows if r["is_partner"]}
        others = {r["type"]: int(r["n"]) for r in rows if not r["is_partner"]}
        return OrganisationCounts(partners=partners, others=others)

    async def _initiatives(self, bounds: Bounds) -> tuple[InitiativeCounts, ...]:
        rows = await self.conn.fetch(
            "WITH s AS MATERIALIZED (SELECT session_id, initiative_id FROM sessions"
            f" WHERE NOT cancelled AND {_in('starts_at')}),"
            " held AS (SELECT initiative_id, count(*) AS n FROM s GROUP BY 1),"
            " came AS (SELECT s.initiative_id, sum(a.headcount) AS n"
            "   FROM attendance a JOIN s USING (session_id) GROUP BY 1),"
            " people AS (SELECT s.initiative_id, count(DISTINCT t.member_id) AS n"
            "   FROM attendees t JOIN s USING (session_id) GROUP BY 1),"
            " signed AS (SELECT s.initiative_id, count(*) AS n FROM sign_ups u"
            "   JOIN s USING (session_id) WHERE u.status <> 'cancelled' GROUP BY 1)"
            " SELECT i.initiative_id, i.name, i.kind, coalesce(held.n, 0) AS sessions,"
            " coalesce(came.n, 0) AS attendance, coalesce(people.n, 0) AS unique_participants,"
            " coalesce(signed.n, 0) AS sign_ups FROM initiatives i"
            " LEFT JOIN held USING (initiative_id) LEFT JOIN came USING (initiative_id)"
            " LEFT JOIN people USING (initiative_id) LEFT JOIN signed USING (initiative_id)"
            " ORDER BY i.name, i.initiative_id",
            *bounds,
        )
        return tuple(
            InitiativeCounts(
                initiative_id=str(r["initiative_id"]),
                name=r["name"],
                kind=r["kind"],
                sessions=int(r["sessions"]),
                attendance=int(r["attendance"]),
                unique_participants=int(r["unique_participants"]),
                sign_ups=int(r["sign_ups"]),
            )
            for r in rows
        )

    async def _coffee_dates(self, bounds: Bounds) -> CoffeeDates:
        rows = await self.conn.fetch(
            "SELECT place, count(DISTINCT date_id) AS dates, count(*) AS people"
            f" FROM coffee_dates WHERE {_in('paired_at')} GROUP BY place",
            *bounds,
        )
        return CoffeeDates(
            dates={r["place"]: int(r["dates"]) for r in rows},
            participants={r["place"]: int(r["people"]) for r in rows},
        )

    async def _decisions(self, bounds: Bounds) -> tuple[DecisionFact, ...]:
        rows = await self.conn.fetch(
            "SELECT t.held_on, t.home_area, d.*,"
            " (SELECT count(*) FROM decision_uptakes u"
            "  WHERE u.decision_id = d.decision_id) AS uptakes"
            " FROM decisions d JOIN dialogue_tables t USING (table_id)"
            f" WHERE {_in('d.recorded_at')} ORDER BY t.held_on, d.recorded_at, d.decision_id",
            *bounds,
        )
        return tuple(
            DecisionFact(
                held_on=r["held_on"],
                home_area=r["home_area"],
                adopted=r["adopted"],
                majority_view=r["majority_view"],
                minority_view=r["minority_view"],
                votes_for=r["votes_for"],
                votes_against=r["votes_against"],
                votes_abstain=r["votes_abstain"],
                taken_up_by=int(r["uptakes"]),
            )
            for r in rows
        )

    async def _self_checks(
        self, bounds: Bounds, period: Period, time_zone: str
    ) -> tuple[SelfCheckBucket, ...]:
        step = "year" if period.key == ALL else "month"
        pattern = "YYYY" if step == "year" else "YYYY-MM"
        rows = await self.conn.fetch(
            f"SELECT to_char(date_trunc('{step}', recorded_at AT TIME ZONE $3), '{pattern}')"
            " AS label,"
            " count(*) AS n, avg(solidarity) AS solidarity,"
            " avg(division_of_tasks) AS division_of_tasks, avg(meta_position) AS meta_position,"
            " avg(positive_experiences) AS positive_experiences"
            f" FROM self_checks WHERE {_in('recorded_at')} GROUP BY 1 ORDER BY 1",
            *bounds,
            time_zone,
        )
        return tuple(
            SelfCheckBucket(
                label=r["label"],
                checks=int(r["n"]),
                solidarity=float(r["solidarity"]),
                division_of_tasks=float(r["division_of_tasks"]),
                meta_position=float(r["meta_position"]),
                positive_experiences=float(r["positive_experiences"]),
            )
            for r in rows
        )

    async def _quotes(self, bounds: Bounds) -> tuple[QuoteFact, ...]:
        rows = await self.conn.fetch(
            "SELECT q.text, q.language, i.name AS initiative, m.role FROM quotes q"
            " LEFT JOIN initiatives i USING (initiative_id)"
            " LEFT JOIN members m USING (member_id)"
            f" WHERE {_in('q.recorded_at')} ORDER BY q.recorded_at, q.quote_id",
            *bounds,
        )
        return tuple(QuoteFact(r["text"], r["language"], r["initiative"], r["role"]) for r in rows)

    async def _communities(self, bounds: Bounds) -> tuple[CommunityFact, ...]:
        """Each area's learning community in its last state before the end of the period."""
        rows = await self.conn.fetch(
            "SELECT c.home_area, c.core_theme, c.phase,"
            " (SELECT count(*) FROM community_leads l WHERE l.event_id = c.event_id) AS leads"
            " FROM (SELECT DISTINCT ON (home_area) * FROM learning_communities"
            "  WHERE $1::timestamptz IS NULL OR updated_at < $1"
            "  ORDER BY home_area, updated_at DESC, event_id) c ORDER BY c.home_area",
            bounds[1],
        )
        return tuple(
            CommunityFact(r["home_area"], r["core_theme"], r["phase"], int(r["leads"]))
            for r in rows
        )

    async def _survey(self, bounds: Bounds) -> SurveyCounts:
        by_area = await self._counts(
            "SELECT home_area AS key, count(*) AS n FROM survey_responses"
            f" WHERE {_in('recorded_at')} GROUP BY home_area",
            bounds,
        )
        rows = await self.conn.fetch(
            "SELECT r.survey_id, a.question, count(*) AS n, avg(a.answer) AS mean"
            " FROM survey_answers a JOIN survey_responses r USING (response_id)"
            f" WHERE {_in('r.recorded_at')} GROUP BY 1, 2 ORDER BY 1, 2",
            *bounds,
        )
        questions = tuple(
            SurveyQuestion(r["survey_id"], r["question"], int(r["n"]), float(r["mean"]))
            for r in rows
        )
        return SurveyCounts(by_area=by_area, questions=questions)

    async def editorial(self, period_key: str) -> Editorial | None:
        row = await self.conn.fetchrow(
            "SELECT period, highlights, focus_points, updated_by, updated_at"
            " FROM report_editorials WHERE period = $1",
            period_key,
        )
        return Editorial(**dict(row)) if row else None

    async def periods_with_data(self, time_zone: str) -> list[Period]:
        """ "all", then every year and month in which something happened, newest first."""
        rows = await self.conn.fetch(
            "SELECT DISTINCT to_char(at AT TIME ZONE $1, 'YYYY-MM') AS month FROM ("
            " SELECT registered_at AS at FROM members UNION ALL"
            " SELECT registered_at FROM member_departures UNION ALL"
            " SELECT requested_at FROM requests UNION ALL SELECT offered_at FROM offers"
            " UNION ALL SELECT proposed_at FROM matches UNION ALL SELECT starts_at FROM sessions"
            " UNION ALL SELECT paired_at FROM coffee_dates UNION ALL SELECT recorded_at FROM quotes"
            " UNION ALL SELECT recorded_at FROM self_checks"
            " UNION ALL SELECT recorded_at FROM decisions"
            " UNION ALL SELECT recorded_at FROM survey_responses"
            " UNION ALL SELECT sent_at FROM notifications) events",
            time_zone,
        )
        months = {Period.parse(r["month"]) for r in rows if r["month"]}
        years = {Period(p.year) for p in months}
        periods = sorted(months | years, key=lambda p: (p.year or 0, p.month or 13), reverse=True)
        return [Period(), *periods]
