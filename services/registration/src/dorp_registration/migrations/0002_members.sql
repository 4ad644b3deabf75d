-- Members registered through every channel (API, partner, connector), their consent history,
-- activity for retention, and erasures waiting to be purged from the JetStream stream.
ALTER TABLE members
    ALTER COLUMN display_name DROP NOT NULL,
    ADD COLUMN connector_id        uuid,
    ADD COLUMN organisation_id     uuid,
    ADD COLUMN last_active_at      timestamptz NOT NULL DEFAULT now(),
    ADD COLUMN retention_warned_at timestamptz,
    ADD COLUMN erased_at           timestamptz;

CREATE INDEX members_inactive ON members (last_active_at) WHERE erased_at IS NULL;

CREATE TABLE consent_log (
    id          bigserial   PRIMARY KEY,
    member_id   uuid        NOT NULL REFERENCES members (member_id),
    purpose     text        NOT NULL,
    granted     boolean     NOT NULL,
    source      text        NOT NULL,
    recorded_at timestamptz NOT NULL
);

CREATE INDEX consent_log_member ON consent_log (member_id);

-- One row per erased member: the MemberErased event to wait for, and when the member's
-- other events were purged from the stream (NULL: still to do).
CREATE TABLE erasures (
    member_id uuid        PRIMARY KEY,
    event_id  uuid        NOT NULL,
    purged_at timestamptz
);
