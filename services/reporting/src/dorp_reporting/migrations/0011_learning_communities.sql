-- Learning communities (seeds 001, 002): every state an area's community was in, so a report
-- shows the state at the end of its period; the core theme is programme text, not personal.
-- Leads are kept as bare ids only to count them, and go at erasure. Resident survey
-- responses are anonymous at the source (no member id): the area, the respondent's role and
-- the answers (1 to 5) per question.
CREATE TABLE learning_communities (
    event_id   uuid        PRIMARY KEY,
    home_area  text        NOT NULL,
    core_theme text        NOT NULL,
    phase      text        NOT NULL,
    updated_at timestamptz NOT NULL
);

CREATE TABLE community_leads (
    event_id  uuid NOT NULL,
    member_id uuid NOT NULL,
    PRIMARY KEY (event_id, member_id)
);

CREATE TABLE survey_responses (
    response_id     uuid        PRIMARY KEY,
    survey_id       text        NOT NULL,
    home_area       text        NOT NULL,
    respondent_role text,
    recorded_at     timestamptz NOT NULL
);

CREATE TABLE survey_answers (
    response_id uuid     NOT NULL,
    question    text     NOT NULL,
    answer      smallint NOT NULL,
    PRIMARY KEY (response_id, question)
);

CREATE INDEX learning_communities_area ON learning_communities (home_area, updated_at DESC);
CREATE INDEX community_leads_member ON community_leads (member_id);
CREATE INDEX survey_responses_recorded ON survey_responses (recorded_at);
