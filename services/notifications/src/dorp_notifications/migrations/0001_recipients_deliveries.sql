-- Contact details live only here (the notifications schema), and deliveries make each
-- notification happen once per (cause event, recipient, channel).
CREATE TABLE recipients (
    member_id              uuid        PRIMARY KEY,
    display_name           text        NOT NULL,
    email                  text,
    phone                  text,
    channel                text        NOT NULL,
    preferred_language     text        NOT NULL,
    consents_notifications boolean     NOT NULL,
    updated_at             timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE deliveries (
    notification_id uuid        PRIMARY KEY,
    cause_event_id  uuid        NOT NULL,
    recipient_id    uuid        NOT NULL,
    channel         text        NOT NULL,
    template        text        NOT NULL,
    language        text        NOT NULL,
    status          text        NOT NULL
        CHECK (status IN ('sending', 'sent', 'suppressed', 'failed')),
    reason          text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    finished_at     timestamptz,
    UNIQUE (cause_event_id, recipient_id, channel)
);
