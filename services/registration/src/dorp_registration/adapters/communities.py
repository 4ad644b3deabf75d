"""asyncpg repository of learning communities and resident survey responses."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

import asyncpg

from dorp_registration.adapters.rows import jsonable_rows
from dorp_registration.adapters.voices import group_tallies
from dorp_registration.domain.communities import LearningCommunity
from dorp_registration.domain.voices import GroupTally
from dorp_shared.contracts.events import SurveyResponseRecorded

COLUMNS = "home_area, core_theme, phase, lead_member_ids, updated_at"


class PgCommunityRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def get(self, home_area: str) -> LearningCommunity | None:
        row = await self.conn.fetchrow(
            f"SELECT {COLUMNS} FROM learning_communities WHERE home_area = $1", home_area
        )
        return None if row is None else _community(row)

    async def save(self, community: LearningCommunity) -> None:
        await self.conn.execute(
            f"INSERT INTO learning_communities ({COLUMNS}) VALUES ($1, $2, $3, $4, $5)"
            " ON CONFLICT (home_area) DO UPDATE SET core_theme = EXCLUDED.core_theme,"
            " phase = EXCLUDED.phase, lead_member_ids = EXCLUDED.lead_member_ids,"
            " updated_at = EXCLUDED.updated_at",
            community.home_area,
            community.core_theme,
            community.phase,
            list(community.lead_member_ids),
            community.updated_at,
        )

    async def all(self) -> list[LearningCommunity]:
        rows = await self.conn.fetch(
            f"SELECT {COLUMNS} FROM learning_communities ORDER BY home_area"
        )
        return [_community(row) for row in rows]

    async def add_survey_response(self, response: SurveyResponseRecorded, at: datetime) -> None:
        await self.conn.execute(
            "INSERT INTO survey_responses (response_id, survey_id, home_area, respondent_role,"
            " answers, recorded_at) VALUES ($1, $2, $3, $4, $5, $6)",
            response.response_id,
            response.survey_id,
            response.home_area,
            response.respondent_role,
            json.dumps(response.answers),
            at,
        )

    async def survey_tallies(self, survey_id: str | None) -> dict[str, dict[str, GroupTally]]:
        wanted = "WHERE $1::text IS NULL OR survey_id = $1"
        respondents = await self.conn.fetch(
            "SELECT survey_id, home_area, count(*) AS n"
            f" FROM survey_responses {wanted} GROUP BY survey_id, home_area",
            survey_id,
        )
        answers = await self.conn.fetch(
            "SELECT survey_id, home_area, key, count(*) AS n, sum(value::int) AS total"
            f" FROM survey_responses, jsonb_each_text(answers) {wanted}"
            " GROUP BY survey_id, home_area, key",
            survey_id,
        )
        found: dict[str, dict[str, GroupTally]] = {}
        for (survey, area), tally in group_tallies(respondents, answers, _survey_area).items():
            found.setdefault(survey, {})[area] = tally
        return found

    async def forget(self, member_id: uuid.UUID, at: datetime) -> None:
        """Survey responses are anonymous; only the leads name members."""
        await self.conn.execute(
            "UPDATE learning_communities SET lead_member_ids = array_remove(lead_member_ids, $1)"
            " WHERE $1 = ANY (lead_member_ids)",
            member_id,
        )

    async def export(self, member_id: uuid.UUID) -> dict[str, list[dict[str, Any]]]:
        led = await self.conn.fetch(
            "SELECT home_area, core_theme, phase FROM learning_communities"
            " WHERE $1 = ANY (lead_member_ids) ORDER BY home_area",
            member_id,
        )
        return {"learning_communities_led": jsonable_rows(led)}


def _survey_area(row: asyncpg.Record) -> tuple[str, str]:
    return row["survey_id"], row["home_area"]


def _community(row: asyncpg.Record) -> LearningCommunity:
    return LearningCommunity(
        home_area=row["home_area"],
        core_theme=row["core_theme"],
        phase=row["phase"],
        lead_member_ids=tuple(row["lead_member_ids"]),
        updated_at=row["updated_at"],
    )
