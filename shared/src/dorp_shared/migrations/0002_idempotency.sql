-- Results of commands sent with an idempotency key: a retry gets the stored result and
-- changes nothing. Written in the same transaction as the command's state change.
CREATE TABLE idempotency (
    key          text        PRIMARY KEY,
    command      text        NOT NULL,
    request_hash text        NOT NULL,
    result       jsonb,
    created_at   timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX idempotency_created ON idempotency (created_at);
