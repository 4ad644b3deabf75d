-- Learning communities (seeds 001, 002): per neighbourhood a core theme, the phase of
-- appreciative inquiry and its leads; and resident survey responses, anonymous on purpose.
CREATE TABLE learning_communities (
    home_area       text        PRIMARY KEY,
    core_theme      text        NOT NULL,
    phase           text        NOT NULL,
    lead_member_ids uuid[]      NOT NULL DEFAULT '{}',
    updated_at      timestamptz NOT NULL
);

-- answers: {"<question id>": 1..5, ...}
CREATE TABLE survey_responses (
    response_id     uuid        PRIMARY KEY,
    survey_id       text        NOT NULL,
    home_area       text        NOT NULL,
    respondent_role text,
    answers         jsonb       NOT NULL,
    recorded_at     timestamptz NOT NULL
);

CREATE INDEX survey_responses_survey ON survey_responses (survey_id, home_area);
