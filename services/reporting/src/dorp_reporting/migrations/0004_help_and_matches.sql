-- The lifecycle of requests, offers and matches. Member ids link a help item to a member
-- only until erasure, which sets them to NULL.
ALTER TABLE requests ADD COLUMN member_id uuid, ADD COLUMN withdrawn_at timestamptz;
ALTER TABLE offers ADD COLUMN member_id uuid, ADD COLUMN withdrawn_at timestamptz;
ALTER TABLE matches
    ADD COLUMN request_id   uuid,
    ADD COLUMN offer_id     uuid,
    ADD COLUMN requester_id uuid,
    ADD COLUMN helper_id    uuid,
    ADD COLUMN status       text NOT NULL DEFAULT 'proposed',
    ADD COLUMN confirmed_at timestamptz,
    ADD COLUMN ended_at     timestamptz;

-- One row per side that gave feedback on a confirmed match.
CREATE TABLE match_feedback (
    proposal_id    uuid        NOT NULL,
    side           text        NOT NULL,
    member_id      uuid,
    helped         boolean     NOT NULL,
    became_contact boolean     NOT NULL,
    ladder_step    text        NOT NULL,
    completed_at   timestamptz NOT NULL,
    PRIMARY KEY (proposal_id, side)
);

-- Coffee and tea dates: one row per participant; the member id goes at erasure.
CREATE TABLE coffee_dates (
    date_id     uuid        NOT NULL,
    participant uuid        NOT NULL,
    member_id   uuid,
    place       text        NOT NULL,
    paired_at   timestamptz NOT NULL,
    PRIMARY KEY (date_id, participant)
);

CREATE INDEX requests_member ON requests (member_id);
CREATE INDEX offers_member ON offers (member_id);
CREATE INDEX matches_requester ON matches (requester_id);
CREATE INDEX matches_helper ON matches (helper_id);
