-- Dialogue tables (seed 004, Ouderklap): parent groups and their members, tables between
-- groups, concerns, proposals, votes, decisions (with the minority's view) and the
-- organisations that take decisions up. Concerns and proposals are the group's words, not
-- one member's; only memberships and votes are personal.
CREATE TABLE parent_groups (
    group_id        uuid        PRIMARY KEY,
    name            text        NOT NULL,
    home_area       text        NOT NULL,
    organisation_id uuid,
    languages       text[]      NOT NULL DEFAULT '{}',
    formed_at       timestamptz NOT NULL
);

CREATE TABLE parent_group_members (
    group_id  uuid        NOT NULL REFERENCES parent_groups (group_id),
    member_id uuid        NOT NULL REFERENCES members (member_id),
    joined_at timestamptz NOT NULL,
    PRIMARY KEY (group_id, member_id)
);

CREATE INDEX parent_group_members_member ON parent_group_members (member_id);

CREATE TABLE dialogue_tables (
    table_id  uuid        PRIMARY KEY,
    topic     text        NOT NULL,
    home_area text        NOT NULL,
    held_on   date        NOT NULL,
    opened_at timestamptz NOT NULL
);

CREATE TABLE dialogue_table_groups (
    table_id uuid     NOT NULL REFERENCES dialogue_tables (table_id),
    group_id uuid     NOT NULL REFERENCES parent_groups (group_id),
    position smallint NOT NULL,
    PRIMARY KEY (table_id, group_id)
);

CREATE INDEX dialogue_table_groups_group ON dialogue_table_groups (group_id);

CREATE TABLE concerns (
    concern_id uuid        PRIMARY KEY,
    table_id   uuid        NOT NULL REFERENCES dialogue_tables (table_id),
    group_id   uuid        REFERENCES parent_groups (group_id),
    text       text        NOT NULL,
    named_at   timestamptz NOT NULL
);

CREATE INDEX concerns_table ON concerns (table_id);

CREATE TABLE proposals (
    proposal_id  uuid        PRIMARY KEY,
    table_id     uuid        NOT NULL REFERENCES dialogue_tables (table_id),
    concern_id   uuid        REFERENCES concerns (concern_id),
    text         text        NOT NULL,
    addressed_to uuid[]      NOT NULL DEFAULT '{}',
    made_at      timestamptz NOT NULL
);

CREATE INDEX proposals_table ON proposals (table_id);

CREATE TABLE votes (
    proposal_id uuid        NOT NULL REFERENCES proposals (proposal_id),
    member_id   uuid        NOT NULL REFERENCES members (member_id),
    choice      text        NOT NULL CHECK (choice IN ('for', 'against', 'abstain')),
    cast_at     timestamptz NOT NULL,
    PRIMARY KEY (proposal_id, member_id)
);

CREATE INDEX votes_member ON votes (member_id);

-- One decision per proposal; its counts are kept when voters are erased later.
CREATE TABLE decisions (
    decision_id   uuid        PRIMARY KEY,
    proposal_id   uuid        NOT NULL UNIQUE REFERENCES proposals (proposal_id),
    table_id      uuid        NOT NULL REFERENCES dialogue_tables (table_id),
    adopted       boolean     NOT NULL,
    majority_view text        NOT NULL,
    minority_view text        NOT NULL DEFAULT '',
    votes_for     integer     NOT NULL,
    votes_against integer     NOT NULL,
    votes_abstain integer     NOT NULL,
    decided_at    timestamptz NOT NULL
);

CREATE INDEX decisions_table ON decisions (table_id);

CREATE TABLE decision_uptakes (
    decision_id     uuid        NOT NULL REFERENCES decisions (decision_id),
    organisation_id uuid        NOT NULL,
    note            text        NOT NULL DEFAULT '',
    taken_up_at     timestamptz NOT NULL,
    PRIMARY KEY (decision_id, organisation_id)
);
