-- What a sign-up mail says about the session: copied from registration's (non-personal)
-- InitiativeRegistered and SessionScheduled events; the latest event per id wins.
CREATE TABLE initiatives (
    initiative_id   uuid PRIMARY KEY,
    initiative_name text NOT NULL
);

CREATE TABLE sessions (
    session_id    uuid        PRIMARY KEY,
    initiative_id uuid        NOT NULL,
    starts_at     timestamptz NOT NULL,
    ends_at       timestamptz NOT NULL,
    place         text        NOT NULL
);
