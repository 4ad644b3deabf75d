-- Reporting projections: ids, categories and times only. No names, contact details or
-- free text ever reach this schema. Primary keys make a replayed event change nothing.
CREATE TABLE members (
    member_id     uuid        PRIMARY KEY,
    role          text        NOT NULL,
    home_area     text        NOT NULL,
    registered_at timestamptz NOT NULL
);

CREATE TABLE requests (
    request_id   uuid        PRIMARY KEY,
    kind         text        NOT NULL,
    home_area    text        NOT NULL,
    requested_at timestamptz NOT NULL
);

CREATE TABLE offers (
    offer_id   uuid        PRIMARY KEY,
    kind       text        NOT NULL,
    home_area  text        NOT NULL,
    offered_at timestamptz NOT NULL
);

CREATE TABLE matches (
    proposal_id uuid        PRIMARY KEY,
    kind        text        NOT NULL,
    home_area   text        NOT NULL,
    proposed_at timestamptz NOT NULL
);

CREATE TABLE notifications (
    notification_id uuid        PRIMARY KEY,
    channel         text        NOT NULL,
    sent_at         timestamptz NOT NULL
);
