-- Quotes only while they may be published without a name; self-check scores (the member
-- id goes at erasure, the anonymous scores stay for the averages).
CREATE TABLE quotes (
    quote_id      uuid        PRIMARY KEY,
    member_id     uuid        NOT NULL,
    text          text        NOT NULL,
    language      text        NOT NULL,
    initiative_id uuid,
    recorded_at   timestamptz NOT NULL
);

CREATE TABLE self_checks (
    check_id             uuid        PRIMARY KEY,
    member_id            uuid,
    home_area            text        NOT NULL,
    solidarity           smallint    NOT NULL,
    division_of_tasks    smallint    NOT NULL,
    meta_position        smallint    NOT NULL,
    positive_experiences smallint    NOT NULL,
    recorded_at          timestamptz NOT NULL
);

CREATE INDEX quotes_member ON quotes (member_id);
CREATE INDEX self_checks_member ON self_checks (member_id);
