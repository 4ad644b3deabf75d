"""asyncpg projection of events into the reporting schema (writes).

One method per event type. Each keeps ids, categories and times; never names, contact
details or free text, except quotes that may be published without a name and the
decision texts of dialogue tables. Re-applying an event changes nothing (primary keys,
"latest wins" on time), and the inbox already skips an event handled before.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

import asyncpg

from dorp_shared.contracts import events as ev
from dorp_shared.contracts.envelope import Event

_UNLESS_ERASED = (
    "(SELECT CASE WHEN EXISTS (SELECT 1 FROM erased_members WHERE member_id = {0}::uuid)"
    " THEN NULL ELSE {0}::uuid END)"
)
"""A member id, or NULL once the member is erased (events in other streams keep ids)."""

Projector = Callable[["PgProjector", Any, datetime, uuid.UUID], Awaitable[None]]
PROJECTORS: dict[type[Event], Projector] = {}


def projects(event: type[Event]) -> Callable[[Projector], Projector]:
    def register(method: Projector) -> Projector:
        PROJECTORS[event] = method
        return method

    return register


class PgProjector:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def apply(self, payload: Event, at: datetime, event_id: uuid.UUID) -> bool:
        """Project one event; False if reporting does not keep anything of its type."""
        method = PROJECTORS.get(type(payload))
        if method is None:
            return False
        await method(self, payload, at, event_id)
        return True

    # --- members ------------------------------------------------------------------

    @projects(ev.MemberRegistered)
    async def member_registered(self, p: ev.MemberRegistered, at: datetime, _: uuid.UUID) -> None:
        await self.conn.execute(
            "INSERT INTO members (member_id, role, home_area, registered_at)"
            " VALUES ($1, $2, $3, $4) ON CONFLICT (member_id) DO NOTHING",
            p.member_id, p.role, p.home_area, at,
        )  # fmt: skip

    @projects(ev.MemberUpdated)
    async def member_updated(self, p: ev.MemberUpdated, at: datetime, _: uuid.UUID) -> None:
        await self.conn.execute(
            "UPDATE members SET role = $2, home_area = $3 WHERE member_id = $1",
            p.member_id, p.role, p.home_area,
        )  # fmt: skip

    @projects(ev.ConsentChanged)
    async def consent_changed(self, p: ev.ConsentChanged, at: datetime, _: uuid.UUID) -> None:
        """Without consent for quotes, the member's quotes leave the report."""
        if not p.consents.quotes:
            await self.conn.execute("DELETE FROM quotes WHERE member_id = $1", p.member_id)

    @projects(ev.MemberErased)
    async def member_erased(self, p: ev.MemberErased, at: datetime, event_id: uuid.UUID) -> None:
        """Personal rows go; an anonymous departure (role, area, times) stays."""
        member = p.member_id
        await self.conn.execute(
            "INSERT INTO erased_members (member_id, erased_at) VALUES ($1, $2)"
            " ON CONFLICT (member_id) DO NOTHING",
            member,
            p.erased_at,
        )
        await self.conn.execute(
            "INSERT INTO member_departures (event_id, role, home_area, registered_at, left_at,"
            " reason) SELECT $2, role, home_area, registered_at, $3, $4 FROM members"
            " WHERE member_id = $1 ON CONFLICT (event_id) DO NOTHING",
            member, event_id, p.erased_at, p.reason,
        )  # fmt: skip
        statements = (
            "DELETE FROM members WHERE member_id = $1",
            "UPDATE requests SET member_id = NULL WHERE member_id = $1",
            "UPDATE offers SET member_id = NULL WHERE member_id = $1",
            "UPDATE matches SET requester_id = NULL WHERE requester_id = $1",
            "UPDATE matches SET helper_id = NULL WHERE helper_id = $1",
            "UPDATE match_feedback SET member_id = NULL WHERE member_id = $1",
            "UPDATE coffee_dates SET member_id = NULL WHERE member_id = $1",
            "DELETE FROM attendees WHERE member_id = $1",
            "DELETE FROM sign_ups WHERE member_id = $1",
            "DELETE FROM quotes WHERE member_id = $1",
            "UPDATE self_checks SET member_id = NULL WHERE member_id = $1",
            "DELETE FROM community_leads WHERE member_id = $1",
        )
        for statement in statements:
            await self.conn.execute(statement, member)

    # --- organisations --------------------------------------------------------------

    @projects(ev.OrganisationRegistered)
    async def organisation(self, p: ev.OrganisationRegistered, at: datetime, _: uuid.UUID) -> None:
        await self.conn.execute(
            "INSERT INTO organisations (organisation_id, type, home_area, is_partner,"
            " registered_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5)"
            " ON CONFLICT (organisation_id) DO UPDATE SET type = EXCLUDED.type,"
            " home_area = EXCLUDED.home_area, is_partner = EXCLUDED.is_partner,"
            " updated_at = EXCLUDED.updated_at"
            " WHERE organisations.updated_at <= EXCLUDED.updated_at",
            p.organisation_id, p.type, p.home_area, p.is_partner, at,
        )  # fmt: skip

    # --- help and matches -------------------------------------------------------------

    @projects(ev.HelpRequested)
    async def help_requested(self, p: ev.HelpRequested, at: datetime, _: uuid.UUID) -> None:
        await self.conn.execute(
            "INSERT INTO requests (request_id, kind, home_area, requested_at, member_id)"
            f" VALUES ($1, $2, $3, $4, {_UNLESS_ERASED.format('$5')})"
            " ON CONFLICT (request_id) DO NOTHING",
            p.request_id, p.kind, p.home_area, at, p.member_id,
        )  # fmt: skip

    @projects(ev.HelpOffered)
    async def help_offered(self, p: ev.HelpOffered, at: datetime, _: uuid.UUID) -> None:
        await self.conn.execute(
            "INSERT INTO offers (offer_id, kind, home_area, offered_at, member_id)"
            f" VALUES ($1, $2, $3, $4, {_UNLESS_ERASED.format('$5')})"
            " ON CONFLICT (offer_id) DO NOTHING",
            p.offer_id, p.kind, p.home_area, at, p.member_id,
        )  # fmt: skip

    @projects(ev.HelpWithdrawn)
    async def help_withdrawn(self, p: ev.HelpWithdrawn, at: datetime, _: uuid.UUID) -> None:
        table, column = (
            ("requests", "request_id") if p.side == "request" else ("offers", "offer_id")
        )
        await self.conn.execute(
            f"UPDATE {table} SET withdrawn_at = $2 WHERE {column} = $1 AND withdrawn_at IS NULL",
            p.help_id, at,
        )  # fmt: skip

    @projects(ev.MatchProposed)
    async def match_proposed(self, p: ev.MatchProposed, at: datetime, _: uuid.UUID) -> None:
        await self.conn.execute(
            "INSERT INTO matches (proposal_id, kind, home_area, proposed_at, request_id,"
            " offer_id, requester_id, helper_id) VALUES ($1, $2, $3, $4, $5, $6,"
            f" {_UNLESS_ERASED.format('$7')}, {_UNLESS_ERASED.format('$8')})"
            " ON CONFLICT (proposal_id) DO NOTHING",
            p.proposal_id, p.kind, p.home_area, at, p.request_id, p.offer_id,
            p.requester_id, p.helper_id,
        )  # fmt: skip

    @projects(ev.MatchConfirmed)
    async def match_confirmed(self, p: ev.MatchConfirmed, at: datetime, _: uuid.UUID) -> None:
        await self.conn.execute(
            "UPDATE matches SET status = 'confirmed', confirmed_at = $2"
            " WHERE proposal_id = $1 AND confirmed_at IS NULL",
            p.proposal_id, at,
        )  # fmt: skip

    async def _end(self, proposal_id: uuid.UUID, status: str, at: datetime) -> None:
        await self.conn.execute(
            "UPDATE matches SET status = $2, ended_at = $3"
            " WHERE proposal_id = $1 AND status = 'proposed'",
            proposal_id, status, at,
        )  # fmt: skip

    @projects(ev.ProposalDeclined)
    async def declined(self, p: ev.ProposalDeclined, at: datetime, _: uuid.UUID) -> None:
        await self._end(p.proposal_id, "declined", at)

    @projects(ev.ProposalCancelled)
    async def cancelled(self, p: ev.ProposalCancelled, at: datetime, _: uuid.UUID) -> None:
        await self._end(p.proposal_id, "cancelled", at)

    @projects(ev.ProposalExpired)
    async def expired(self, p: ev.ProposalExpired, at: datetime, _: uuid.UUID) -> None:
        await self._end(p.proposal_id, "expired", at)

    @projects(ev.ProposalRejected)
    async def rejected(self, p: ev.ProposalRejected, at: datetime, _: uuid.UUID) -> None:
        await self._end(p.proposal_id, "rejected", at)

    @projects(ev.ProposalChanged)
    async def changed(self, p: ev.ProposalChanged, at: datetime, _: uuid.UUID) -> None:
        await self._end(p.proposal_id, "changed", at)

    @projects(ev.MatchCompleted)
    async def completed(self, p: ev.MatchCompleted, at: datetime, _: uuid.UUID) -> None:
        await self.conn.execute(
            "INSERT INTO match_feedback (proposal_id, side, member_id, helped, became_contact,"
            " ladder_step, completed_at) VALUES ($1, $2,"
            f" {_UNLESS_ERASED.format('$3')}, $4, $5, $6, $7)"
            " ON CONFLICT (proposal_id, side) DO UPDATE SET helped = EXCLUDED.helped,"
            " became_contact = EXCLUDED.became_contact, ladder_step = EXCLUDED.ladder_step,"
            " completed_at = EXCLUDED.completed_at"
            " WHERE match_feedback.completed_at <= EXCLUDED.completed_at",
            p.proposal_id, p.side, p.member_id, p.helped, p.became_contact, p.ladder_step, at,
        )  # fmt: skip

    @projects(ev.CoffeeDatePaired)
    async def coffee_date(self, p: ev.CoffeeDatePaired, at: datetime, _: uuid.UUID) -> None:
        place = "school" if p.school_organisation_id else (p.home_area or "")
        for participant in (p.member_id, *p.partner_ids):
            await self.conn.execute(
                "INSERT INTO coffee_dates (date_id, participant, member_id, place, paired_at)"
                f" VALUES ($1, $2, {_UNLESS_ERASED.format('$3')}, $4, $5)"
                " ON CONFLICT (date_id, participant) DO NOTHING",
                p.date_id, participant_key(p.date_id, participant), participant, place, at,
            )  # fmt: skip

    # --- initiatives, sessions, sign-ups and attendance ---------------------------------

    @projects(ev.InitiativeRegistered)
    async def initiative(self, p: ev.InitiativeRegistered, at: datetime, _: uuid.UUID) -> None:
        await self.conn.execute(
            "INSERT INTO initiatives (initiative_id, name, kind, home_area, updated_at)"
            " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (initiative_id) DO UPDATE SET"
            " name = EXCLUDED.name, kind = EXCLUDED.kind, home_area = EXCLUDED.home_area,"
            " updated_at = EXCLUDED.updated_at WHERE initiatives.updated_at <= EXCLUDED.updated_at",
            p.initiative_id, p.initiative_name, p.kind, p.home_area, at,
        )  # fmt: skip

    @projects(ev.SessionScheduled)
    async def session(self, p: ev.SessionScheduled, at: datetime, _: uuid.UUID) -> None:
        await self.conn.execute(
            "INSERT INTO sessions (session_id, initiative_id, starts_at, home_area)"
            " VALUES ($1, $2, $3, $4) ON CONFLICT (session_id) DO UPDATE SET"
            " starts_at = EXCLUDED.starts_at, home_area = EXCLUDED.home_area",
            p.session_id, p.initiative_id, p.starts_at, p.home_area,
        )  # fmt: skip

    @projects(ev.SessionCancelled)
    async def session_cancelled(self, p: ev.SessionCancelled, at: datetime, _: uuid.UUID) -> None:
        await self.conn.execute(
            "UPDATE sessions SET cancelled = true WHERE session_id = $1", p.session_id
        )

    @projects(ev.SignedUp)
    async def signed_up(self, p: ev.SignedUp, at: datetime, _: uuid.UUID) -> None:
        await self._sign_up(p.session_id, p.member_id, p.status, at)

    @projects(ev.WaitlistPromoted)
    async def promoted(self, p: ev.WaitlistPromoted, at: datetime, _: uuid.UUID) -> None:
        await self._sign_up(p.session_id, p.member_id, "confirmed", at)

    @projects(ev.SignUpCancelled)
    async def sign_up_cancelled(self, p: ev.SignUpCancelled, at: datetime, _: uuid.UUID) -> None:
        await self._sign_up(p.session_id, p.member_id, "cancelled", at)

    async def _sign_up(
        self, session_id: uuid.UUID, member_id: uuid.UUID, status: str, at: datetime
    ) -> None:
        await self.conn.execute(
            "INSERT INTO sign_ups (session_id, member_id, status, signed_up_at)"
            " VALUES ($1, $2, $3, $4) ON CONFLICT (session_id, member_id) DO UPDATE SET"
            " status = EXCLUDED.status, signed_up_at = EXCLUDED.signed_up_at"
            " WHERE sign_ups.signed_up_at <= EXCLUDED.signed_up_at",
            session_id, member_id, status, at,
        )  # fmt: skip

    @projects(ev.AttendanceRecorded)
    async def attendance(self, p: ev.AttendanceRecorded, at: datetime, _: uuid.UUID) -> None:
        """Recording again replaces the earlier record (head count and who came)."""
        replaced = await self.conn.fetchval(
            "INSERT INTO attendance (session_id, initiative_id, headcount, recorded_at)"
            " VALUES ($1, $2, $3, $4) ON CONFLICT (session_id) DO UPDATE SET"
            " headcount = EXCLUDED.headcount, recorded_at = EXCLUDED.recorded_at"
            " WHERE attendance.recorded_at <= EXCLUDED.recorded_at RETURNING true",
            p.session_id, p.initiative_id, p.headcount, at,
        )  # fmt: skip
        if not replaced:
            return
        await self.conn.execute("DELETE FROM attendees WHERE session_id = $1", p.session_id)
        await self.conn.executemany(
            "INSERT INTO attendees (session_id, member_id) SELECT $1, $2"
            " WHERE NOT EXISTS (SELECT 1 FROM erased_members WHERE member_id = $2)"
            " ON CONFLICT DO NOTHING",
            [(p.session_id, member) for member in p.member_ids],
        )

    # --- voices --------------------------------------------------------------------------

    @projects(ev.QuoteRecorded)
    async def quote(self, p: ev.QuoteRecorded, at: datetime, _: uuid.UUID) -> None:
        """Kept only while it may be published without a name; else (also) removed."""
        if p.withdrawn or not p.publish_anonymously or not p.text.strip():
            await self.conn.execute("DELETE FROM quotes WHERE quote_id = $1", p.quote_id)
            return
        await self.conn.execute(
            "INSERT INTO quotes (quote_id, member_id, text, language, initiative_id, recorded_at)"
            " VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (quote_id) DO UPDATE SET"
            " text = EXCLUDED.text, language = EXCLUDED.language,"
            " initiative_id = EXCLUDED.initiative_id",
            p.quote_id, p.member_id, p.text.strip(), p.language, p.initiative_id, at,
        )  # fmt: skip

    @projects(ev.SelfCheckRecorded)
    async def self_check(self, p: ev.SelfCheckRecorded, at: datetime, _: uuid.UUID) -> None:
        s = p.scores
        await self.conn.execute(
            "INSERT INTO self_checks (check_id, member_id, home_area, solidarity,"
            " division_of_tasks, meta_position, positive_experiences, recorded_at)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (check_id) DO NOTHING",
            p.check_id, p.member_id, p.home_area, s.solidarity, s.division_of_tasks,
            s.meta_position, s.positive_experiences, at,
        )  # fmt: skip

    # --- dialogue tables ------------------------------------------------------------------

    @projects(ev.ParentGroupFormed)
    async def parent_group(self, p: ev.ParentGroupFormed, at: datetime, _: uuid.UUID) -> None:
        await self.conn.execute(
            "INSERT INTO parent_groups (group_id, home_area, formed_at) VALUES ($1, $2, $3)"
            " ON CONFLICT (group_id) DO NOTHING",
            p.group_id, p.home_area, at,
        )  # fmt: skip

    @projects(ev.DialogueTableOpened)
    async def table_opened(self, p: ev.DialogueTableOpened, at: datetime, _: uuid.UUID) -> None:
        await self.conn.execute(
            "INSERT INTO dialogue_tables (table_id, home_area, held_on, group_count)"
            " VALUES ($1, $2, $3, $4) ON CONFLICT (table_id) DO NOTHING",
            p.table_id, p.home_area, p.held_on, len(p.group_ids),
        )  # fmt: skip

    @projects(ev.DecisionRecorded)
    async def decision(self, p: ev.DecisionRecorded, at: datetime, _: uuid.UUID) -> None:
        await self.conn.execute(
            "INSERT INTO decisions (decision_id, table_id, adopted, majority_view, minority_view,"
            " votes_for, votes_against, votes_abstain, recorded_at)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (decision_id) DO NOTHING",
            p.decision_id, p.table_id, p.adopted, p.majority_view, p.minority_view,
            p.votes_for, p.votes_against, p.votes_abstain, at,
        )  # fmt: skip

    @projects(ev.DecisionTakenUp)
    async def taken_up(self, p: ev.DecisionTakenUp, at: datetime, _: uuid.UUID) -> None:
        await self.conn.execute(
            "INSERT INTO decision_uptakes (decision_id, organisation_id, taken_up_at)"
            " VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            p.decision_id, p.organisation_id, at,
        )  # fmt: skip

    # --- learning communities and the resident survey --------------------------------------

    @projects(ev.LearningCommunityUpdated)
    async def learning_community(
        self, p: ev.LearningCommunityUpdated, at: datetime, event_id: uuid.UUID
    ) -> None:
        """Each state is kept (the report shows the one at the end of its period); leads
        are counted, and an erased lead is not linked again."""
        await self.conn.execute(
            "INSERT INTO learning_communities (event_id, home_area, core_theme, phase,"
            " updated_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (event_id) DO NOTHING",
            event_id, p.home_area, p.core_theme, p.phase, at,
        )  # fmt: skip
        await self.conn.executemany(
            "INSERT INTO community_leads (event_id, member_id) SELECT $1, $2"
            " WHERE NOT EXISTS (SELECT 1 FROM erased_members WHERE member_id = $2)"
            " ON CONFLICT DO NOTHING",
            [(event_id, lead) for lead in p.lead_member_ids],
        )

    @projects(ev.SurveyResponseRecorded)
    async def survey_response(
        self, p: ev.SurveyResponseRecorded, at: datetime, _: uuid.UUID
    ) -> None:
        inserted = await self.conn.fetchval(
            "INSERT INTO survey_responses (response_id, survey_id, home_area, respondent_role,"
            " recorded_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (response_id) DO NOTHING"
            " RETURNING true",
            p.response_id, p.survey_id, p.home_area, p.respondent_role, at,
        )  # fmt: skip
        if inserted:
            await self.conn.executemany(
                "INSERT INTO survey_answers (response_id, question, answer) VALUES ($1, $2, $3)"
                " ON CONFLICT DO NOTHING",
                [(p.response_id, question, answer) for question, answer in p.answers.items()],
            )

    # --- notifications ------------------------------------------------------------------------

    @projects(ev.NotificationSent)
    async def notification(self, p: ev.NotificationSent, at: datetime, _: uuid.UUID) -> None:
        """Only messages really sent count; failed and suppressed outcomes are not messages."""
        if p.status != "sent":
            return
        await self.conn.execute(
            "INSERT INTO notifications (notification_id, channel, sent_at)"
            " VALUES ($1, $2, $3) ON CONFLICT (notification_id) DO NOTHING",
            p.notification_id, p.channel, at,
        )  # fmt: skip


PROJECTION_TABLES = (
    "erased_members",
    "members", "member_departures", "requests", "offers", "matches", "match_feedback",
    "coffee_dates", "organisations", "initiatives", "sessions", "attendance", "attendees",
    "sign_ups", "quotes", "self_checks", "parent_groups", "dialogue_tables", "decisions",
    "decision_uptakes", "notifications", "learning_communities", "community_leads",
    "survey_responses", "survey_answers",
)  # fmt: skip
"""Everything a rebuild empties (not the editorial text staff wrote)."""


def participant_key(date_id: uuid.UUID, member_id: uuid.UUID) -> uuid.UUID:
    """A per-date participant key that does not reveal the member id once it is erased."""
    return uuid.uuid5(date_id, str(member_id))
