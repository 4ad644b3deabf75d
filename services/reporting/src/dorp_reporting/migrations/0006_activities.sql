-- Initiatives (their public names are kept: they are activities, not people), sessions,
-- sign-ups and attendance. Attendee and sign-up rows name members and go at erasure.
CREATE TABLE initiatives (
    initiative_id uuid        PRIMARY KEY,
    name          text        NOT NULL,
    kind          text        NOT NULL,
    home_area     text,
    updated_at    timestamptz NOT NULL
);

CREATE TABLE sessions (
    session_id    uuid        PRIMARY KEY,
    initiative_id uuid        NOT NULL,
    starts_at     timestamptz NOT NULL,
    home_area     text        NOT NULL,
    cancelled     boolean     NOT NULL DEFAULT false
);

CREATE TABLE attendance (
    session_id    uuid        PRIMARY KEY,
    initiative_id uuid        NOT NULL,
    headcount     integer     NOT NULL,
    recorded_at   timestamptz NOT NULL
);

CREATE TABLE attendees (
    session_id uuid NOT NULL,
    member_id  uuid NOT NULL,
    PRIMARY KEY (session_id, member_id)
);

CREATE TABLE sign_ups (
    session_id   uuid        NOT NULL,
    member_id    uuid        NOT NULL,
    status       text        NOT NULL,
    signed_up_at timestamptz NOT NULL,
    PRIMARY KEY (session_id, member_id)
);

CREATE INDEX sessions_starts ON sessions (starts_at);
CREATE INDEX attendees_member ON attendees (member_id);
CREATE INDEX sign_ups_member ON sign_ups (member_id);
