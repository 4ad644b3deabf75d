-- Dialogue tables and their decisions, with the minority's view (the decision texts are
-- kept: they are the table's, not a person's). Topics, concerns and votes are not kept.
CREATE TABLE parent_groups (
    group_id  uuid        PRIMARY KEY,
    home_area text        NOT NULL,
    formed_at timestamptz NOT NULL
);

CREATE TABLE dialogue_tables (
    table_id    uuid PRIMARY KEY,
    home_area   text NOT NULL,
    held_on     date NOT NULL,
    group_count integer NOT NULL
);

CREATE TABLE decisions (
    decision_id   uuid        PRIMARY KEY,
    table_id      uuid        NOT NULL,
    adopted       boolean     NOT NULL,
    majority_view text        NOT NULL,
    minority_view text        NOT NULL,
    votes_for     integer     NOT NULL,
    votes_against integer     NOT NULL,
    votes_abstain integer     NOT NULL,
    recorded_at   timestamptz NOT NULL
);

CREATE TABLE decision_uptakes (
    decision_id     uuid        NOT NULL,
    organisation_id uuid        NOT NULL,
    taken_up_at     timestamptz NOT NULL,
    PRIMARY KEY (decision_id, organisation_id)
);
