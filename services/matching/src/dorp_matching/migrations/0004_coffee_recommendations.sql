-- The candidate search walks open offers of one kind and area oldest first and stops at a
-- limit, so a request costs the same with 100 or 100,000 open offers.
CREATE INDEX offers_open_by_kind_area ON offers (kind, home_area, offered_at, offer_id)
    WHERE closed_at IS NULL;
-- Recent load of a helper: proposals to them since a moment.
CREATE INDEX proposals_by_helper_created ON proposals (helper_id, created_at);

-- Interests (for coffee dates and recommendations; no free text).
ALTER TABLE members ADD COLUMN interests text[] NOT NULL DEFAULT '{}';

-- Review deadline: when the "waiting too long" event was raised (once per proposal).
ALTER TABLE proposals ADD COLUMN review_overdue_at timestamptz;

-- Coffee and tea dates: who opted in where, the dates made, and every pair that had a date
-- (never repeated).
CREATE TABLE coffee_opt_ins (
    member_id              uuid        PRIMARY KEY,
    school_organisation_id uuid,
    home_area              text,
    opted_in_at            timestamptz NOT NULL,
    CHECK (school_organisation_id IS NOT NULL OR home_area IS NOT NULL)
);

CREATE TABLE coffee_rounds (
    round_id   uuid        PRIMARY KEY,
    started_at timestamptz NOT NULL,
    trigger    text        NOT NULL,
    dates      integer     NOT NULL,
    paired     integer     NOT NULL,
    unpaired   integer     NOT NULL,
    quality    double precision NOT NULL
);

CREATE TABLE coffee_dates (
    date_id                uuid             PRIMARY KEY,
    round_id               uuid             NOT NULL,
    school_organisation_id uuid,
    home_area              text,
    member_ids             uuid[]           NOT NULL,
    score                  double precision NOT NULL,
    meet_by                date             NOT NULL
);

CREATE TABLE coffee_pairs (
    member_a uuid NOT NULL,
    member_b uuid NOT NULL,
    date_id  uuid NOT NULL,
    PRIMARY KEY (member_a, member_b),
    CHECK (member_a < member_b)
);
CREATE INDEX coffee_pairs_by_b ON coffee_pairs (member_b);

-- What already exists: registration's initiatives, sessions and sign-ups, projected.
CREATE TABLE initiatives (
    initiative_id uuid        PRIMARY KEY,
    name          text        NOT NULL,
    kind          text        NOT NULL,
    home_area     text,
    themes        text[]      NOT NULL DEFAULT '{}',
    age_bands     text[]      NOT NULL DEFAULT '{}',
    languages     text[]      NOT NULL DEFAULT '{}',
    as_of         timestamptz NOT NULL
);

CREATE TABLE sessions (
    session_id    uuid        PRIMARY KEY,
    initiative_id uuid        NOT NULL,
    starts_at     timestamptz NOT NULL,
    ends_at       timestamptz NOT NULL,
    place         text        NOT NULL,
    home_area     text        NOT NULL,
    theme         text,
    capacity      integer,
    languages     text[]      NOT NULL DEFAULT '{}',
    age_bands     text[]      NOT NULL DEFAULT '{}'
);
CREATE INDEX sessions_by_start ON sessions (starts_at);

-- A cancellation may arrive before the session itself: kept apart, so order does not matter.
CREATE TABLE session_cancellations (
    session_id uuid PRIMARY KEY
);

CREATE TABLE sign_ups (
    session_id uuid NOT NULL,
    member_id  uuid NOT NULL,
    status     text NOT NULL CHECK (status IN ('confirmed', 'waitlisted')),
    PRIMARY KEY (session_id, member_id)
);

CREATE TABLE recommendations (
    recommendation_id uuid        PRIMARY KEY,
    member_id         uuid        NOT NULL,
    request_id        uuid,
    session_ids       uuid[]      NOT NULL,
    created_at        timestamptz NOT NULL
);
CREATE INDEX recommendations_by_member ON recommendations (member_id);
