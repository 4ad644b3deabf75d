-- Initiatives (recurring collective activities), their sessions, sign-ups with a waiting
-- list, and attendance recorded by partners.
CREATE TABLE initiatives (
    initiative_id    uuid        PRIMARY KEY,
    name             text        NOT NULL,
    kind             text        NOT NULL,
    home_area        text,
    organisation_ids uuid[]      NOT NULL DEFAULT '{}',
    themes           text[]      NOT NULL DEFAULT '{}',
    age_bands        text[]      NOT NULL DEFAULT '{}',
    languages        text[]      NOT NULL DEFAULT '{}',
    description      text        NOT NULL DEFAULT '',
    registered_at    timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL
);

-- capacity NULL: an open event, without sign-up.
CREATE TABLE activity_sessions (
    session_id     uuid        PRIMARY KEY,
    initiative_id  uuid        NOT NULL REFERENCES initiatives (initiative_id),
    starts_at      timestamptz NOT NULL,
    ends_at        timestamptz NOT NULL CHECK (ends_at > starts_at),
    place          text        NOT NULL,
    home_area      text        NOT NULL,
    theme          text,
    capacity       integer     CHECK (capacity >= 1),
    child_friendly boolean     NOT NULL DEFAULT false,
    languages      text[]      NOT NULL DEFAULT '{}',
    age_bands      text[]      NOT NULL DEFAULT '{}',
    scheduled_at   timestamptz NOT NULL,
    cancelled_at   timestamptz,
    cancel_reason  text        NOT NULL DEFAULT ''
);

CREATE INDEX activity_sessions_starts ON activity_sessions (starts_at);
CREATE INDEX activity_sessions_initiative ON activity_sessions (initiative_id, starts_at);

-- One row per member and session; signing up again after cancelling reuses it, last in
-- line. ``arrival`` orders sign-ups first come, first served.
CREATE SEQUENCE sign_up_arrival;

CREATE TABLE sign_ups (
    session_id   uuid        NOT NULL REFERENCES activity_sessions (session_id),
    member_id    uuid        NOT NULL REFERENCES members (member_id),
    status       text        NOT NULL CHECK (status IN ('confirmed', 'waitlisted', 'cancelled')),
    arrival      bigint      NOT NULL,
    signed_up_at timestamptz NOT NULL,
    promoted_at  timestamptz,
    cancelled_at timestamptz,
    PRIMARY KEY (session_id, member_id)
);

CREATE INDEX sign_ups_member ON sign_ups (member_id);
CREATE INDEX sign_ups_roster ON sign_ups (session_id, arrival) WHERE status <> 'cancelled';

-- The latest attendance record of a session: everyone present, and the signed-up members
-- among them.
CREATE TABLE session_attendance (
    session_id  uuid        PRIMARY KEY REFERENCES activity_sessions (session_id),
    headcount   integer     NOT NULL CHECK (headcount >= 0),
    member_ids  uuid[]      NOT NULL DEFAULT '{}',
    recorded_by text        NOT NULL,
    recorded_at timestamptz NOT NULL
);

CREATE INDEX session_attendance_members ON session_attendance USING gin (member_ids);
