-- Matching keeps only what it needs to match: no names, contact details or free text.

CREATE TABLE members (
    member_id         uuid        PRIMARY KEY,
    home_area         text        NOT NULL,
    languages         text[]      NOT NULL DEFAULT '{}',
    age_bands         text[]      NOT NULL DEFAULT '{}',
    consents_matching boolean     NOT NULL DEFAULT false,
    as_of             timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE requests (
    request_id   uuid        PRIMARY KEY,
    member_id    uuid        NOT NULL,
    kind         text        NOT NULL,
    home_area    text        NOT NULL,
    languages    text[]      NOT NULL DEFAULT '{}',
    age_band     text,
    expires_at   timestamptz,
    requested_at timestamptz NOT NULL
);

CREATE INDEX requests_by_kind ON requests (kind, requested_at);

CREATE TABLE offers (
    offer_id   uuid        PRIMARY KEY,
    member_id  uuid        NOT NULL,
    kind       text        NOT NULL,
    home_area  text        NOT NULL,
    languages  text[]      NOT NULL DEFAULT '{}',
    age_bands  text[]      NOT NULL DEFAULT '{}',
    capacity   integer     NOT NULL CHECK (capacity >= 1),
    expires_at timestamptz,
    offered_at timestamptz NOT NULL
);

CREATE INDEX offers_by_kind ON offers (kind, offered_at);

CREATE TABLE proposals (
    proposal_id    uuid             PRIMARY KEY,
    request_id     uuid             NOT NULL REFERENCES requests (request_id),
    offer_id       uuid             NOT NULL REFERENCES offers (offer_id),
    requester_id   uuid             NOT NULL,
    helper_id      uuid             NOT NULL,
    kind           text             NOT NULL,
    home_area      text             NOT NULL,
    score          double precision NOT NULL,
    reasons        jsonb            NOT NULL,
    explanation    text             NOT NULL,
    explanation_en text             NOT NULL,
    status         text             NOT NULL DEFAULT 'proposed'
        CHECK (status IN ('proposed', 'accepted', 'declined', 'expired')),
    created_at     timestamptz      NOT NULL DEFAULT now(),
    UNIQUE (request_id, offer_id),
    CHECK (requester_id <> helper_id)
);

-- A request holds at most one active proposal, whatever is redelivered or replayed.
CREATE UNIQUE INDEX proposals_one_active_per_request
    ON proposals (request_id) WHERE status IN ('proposed', 'accepted');
CREATE INDEX proposals_active_by_offer
    ON proposals (offer_id) WHERE status IN ('proposed', 'accepted');
CREATE INDEX proposals_active_by_helper
    ON proposals (helper_id) WHERE status IN ('proposed', 'accepted');
