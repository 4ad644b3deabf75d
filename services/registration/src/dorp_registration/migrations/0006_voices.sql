-- Voices: quotes of members (published only anonymously and with consent) and the
-- four-buffer self-check of seed 003 (reported only in aggregate).
CREATE TABLE quotes (
    quote_id            uuid        PRIMARY KEY,
    member_id           uuid        NOT NULL REFERENCES members (member_id),
    text                text        NOT NULL,
    language            text        NOT NULL,
    home_area           text        NOT NULL,
    publish_anonymously boolean     NOT NULL,
    initiative_id       uuid,
    recorded_at         timestamptz NOT NULL
);

CREATE INDEX quotes_member ON quotes (member_id);
CREATE INDEX quotes_newest ON quotes (recorded_at DESC) WHERE publish_anonymously;

-- scores: {"solidarity": 1..5, "division_of_tasks": .., "meta_position": ..,
-- "positive_experiences": ..}
CREATE TABLE self_checks (
    check_id    uuid        PRIMARY KEY,
    member_id   uuid        NOT NULL REFERENCES members (member_id),
    home_area   text        NOT NULL,
    scores      jsonb       NOT NULL,
    recorded_at timestamptz NOT NULL
);

CREATE INDEX self_checks_member ON self_checks (member_id, recorded_at DESC);
