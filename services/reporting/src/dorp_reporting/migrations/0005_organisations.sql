-- Organisations by type and partner status; their names are not kept.
CREATE TABLE organisations (
    organisation_id uuid        PRIMARY KEY,
    type            text        NOT NULL,
    home_area       text,
    is_partner      boolean     NOT NULL,
    registered_at   timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL
);
