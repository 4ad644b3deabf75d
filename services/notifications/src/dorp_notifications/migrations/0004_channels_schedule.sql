-- Channels, scheduled messages and retries (issue 5).
--
-- A delivery in status 'sending' is pending: the dispatcher sends it once
-- next_attempt_at has passed (now for most, the morning for an SMS held back at night,
-- the digest hour, the day before a session for a reminder). Claiming a row moves
-- next_attempt_at one lease ahead, so a crashed sender's rows come back after the lease.
-- The letter (the message with every sentence written out) is kept only while it is pending, and deleted once it is sent,
-- failed or suppressed: the in-app inbox (member_messages) is the only stored copy.
ALTER TABLE deliveries
    ADD COLUMN channel_reason  text,
    ADD COLUMN held            text,
    ADD COLUMN attempts        integer     NOT NULL DEFAULT 0,
    ADD COLUMN next_attempt_at timestamptz NOT NULL DEFAULT now(),
    ADD COLUMN last_error      text,
    ADD COLUMN letter          jsonb,
    ADD COLUMN topic_id        uuid,  -- what a held message is about (a reminder's session)
    ADD COLUMN correlation_id  text;

CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE status = 'sending';
CREATE INDEX deliveries_pending_recipient ON deliveries (recipient_id) WHERE status = 'sending';
CREATE INDEX deliveries_pending_topic ON deliveries (topic_id) WHERE status = 'sending';

-- The in-app inbox: one row per message delivered on channel 'app'.
CREATE TABLE member_messages (
    message_id uuid        PRIMARY KEY,
    member_id  uuid        NOT NULL,
    template   text        NOT NULL,
    language   text        NOT NULL,
    subject    text        NOT NULL,
    body_text  text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    read_at    timestamptz
);
CREATE INDEX member_messages_member ON member_messages (member_id, created_at DESC);

-- Preferences and what a connector's task needs (the role).
ALTER TABLE recipients
    ADD COLUMN role   text    NOT NULL DEFAULT 'parent',
    ADD COLUMN digest boolean NOT NULL DEFAULT false;

-- Proposals: what asking the parents after a connector's approval needs, and who said yes.
ALTER TABLE proposals
    ADD COLUMN explanation     text    NOT NULL DEFAULT '',
    ADD COLUMN explanation_en  text    NOT NULL DEFAULT '',
    ADD COLUMN awaiting_review boolean NOT NULL DEFAULT false,
    ADD COLUMN accepted_sides  text[]  NOT NULL DEFAULT '{}';

-- Who is signed up for a session (for reminders and cancellations).
CREATE TABLE session_members (
    session_id uuid NOT NULL,
    member_id  uuid NOT NULL,
    PRIMARY KEY (session_id, member_id)
);
CREATE INDEX session_members_member ON session_members (member_id);

-- Dialogue tables: which groups sit at a table, and who belongs to a group.
CREATE TABLE dialogue_tables (
    table_id  uuid   PRIMARY KEY,
    topic     text   NOT NULL,
    group_ids uuid[] NOT NULL
);

CREATE TABLE group_members (
    group_id  uuid NOT NULL,
    member_id uuid NOT NULL,
    PRIMARY KEY (group_id, member_id)
);
CREATE INDEX group_members_member ON group_members (member_id);

-- A delivery left pending by the first version (a crash between send and outcome) has no
-- letter to send again: it is closed, not guessed at.
UPDATE deliveries SET status = 'failed', reason = 'pending_at_upgrade', finished_at = now()
WHERE status = 'sending';
