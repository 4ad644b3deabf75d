-- Members, requests and offers registered through partner systems, and rejection counts.
-- Ids are derived from (region, partner, kind of record, external id): the primary keys
-- are what make a record sent twice register once.
CREATE TABLE members (
    member_id          uuid        PRIMARY KEY,
    partner_id         text,
    external_id        text,
    role               text        NOT NULL,
    home_area          text        NOT NULL,
    languages          text[]      NOT NULL,
    preferred_language text        NOT NULL,
    age_bands          text[]      NOT NULL DEFAULT '{}',
    interests          text[]      NOT NULL DEFAULT '{}',
    consents           jsonb       NOT NULL,
    display_name       text        NOT NULL,
    email              text,
    phone              text,
    channel            text        NOT NULL,
    registered_by      text        NOT NULL,
    registered_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (partner_id, external_id)
);

CREATE TABLE help_requests (
    request_id  uuid        PRIMARY KEY,
    member_id   uuid        NOT NULL REFERENCES members (member_id),
    partner_id  text,
    external_id text,
    kind        text        NOT NULL,
    home_area   text        NOT NULL,
    languages   text[]      NOT NULL,
    age_band    text,
    text        text        NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (partner_id, external_id)
);

CREATE TABLE help_offers (
    offer_id    uuid        PRIMARY KEY,
    member_id   uuid        NOT NULL REFERENCES members (member_id),
    partner_id  text,
    external_id text,
    kind        text        NOT NULL,
    home_area   text        NOT NULL,
    languages   text[]      NOT NULL,
    age_bands   text[]      NOT NULL DEFAULT '{}',
    capacity    integer     NOT NULL,
    text        text        NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (partner_id, external_id)
);

CREATE INDEX help_requests_member ON help_requests (member_id);
CREATE INDEX help_offers_member ON help_offers (member_id);

CREATE TABLE rejections (
    reason           text        PRIMARY KEY,
    count            bigint      NOT NULL DEFAULT 0,
    last_rejected_at timestamptz NOT NULL
);
