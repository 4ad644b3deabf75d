-- Organisations of a region: schools, daycare, GGD and the other partners. No member data.
-- partner_id is the id the organisation's own system uses on partner subjects (one
-- organisation per partner id); source_partner_id and external_id say which partner system
-- sent the record, so a partner's record sent again maps to the same organisation.
CREATE TABLE organisations (
    organisation_id   uuid        PRIMARY KEY,
    name              text        NOT NULL,
    type              text        NOT NULL,
    home_area         text,
    is_partner        boolean     NOT NULL DEFAULT false,
    partner_id        text        UNIQUE,
    source_partner_id text,
    external_id       text,
    registered_at     timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL,
    UNIQUE (source_partner_id, external_id)
);

CREATE INDEX organisations_name ON organisations (lower(name));
