-- The staff portal: accounts per region (argon2 hashes only), server-side sessions (only a
-- hash of the cookie's token is kept), failed log-ins (for the lockout), the audit log of
-- every staff access to a report, and the reports generated on a schedule or on demand.
CREATE TABLE staff_accounts (
    staff_id      bigserial   PRIMARY KEY,
    email         text        NOT NULL UNIQUE,
    password_hash text        NOT NULL,
    active        boolean     NOT NULL DEFAULT true,
    created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE staff_sessions (
    token_hash   bytea       PRIMARY KEY,
    staff_id     bigint      NOT NULL REFERENCES staff_accounts ON DELETE CASCADE,
    csrf_token   text        NOT NULL,
    created_at   timestamptz NOT NULL,
    last_seen_at timestamptz NOT NULL
);

CREATE INDEX staff_sessions_staff ON staff_sessions (staff_id);

CREATE TABLE staff_login_failures (
    email     text        NOT NULL,
    failed_at timestamptz NOT NULL,
    address   text        NOT NULL
);

CREATE INDEX staff_login_failures_email ON staff_login_failures (email, failed_at);

CREATE TABLE staff_audit (
    audit_id    bigserial   PRIMARY KEY,
    at          timestamptz NOT NULL,
    staff_email text        NOT NULL,
    action      text        NOT NULL,
    period      text,
    format      text,
    address     text        NOT NULL
);

CREATE INDEX staff_audit_at ON staff_audit (at);

-- One row per generated report; a scheduled one at most once per period. Files are kept as
-- generated, so a download later shows exactly what was generated then.
CREATE TABLE generated_reports (
    report_id    bigserial   PRIMARY KEY,
    period       text        NOT NULL,
    trigger      text        NOT NULL CHECK (trigger IN ('schedule', 'on_demand')),
    generated_at timestamptz NOT NULL,
    generated_by text        NOT NULL
);

CREATE UNIQUE INDEX generated_reports_scheduled_once
    ON generated_reports (period) WHERE trigger = 'schedule';
CREATE INDEX generated_reports_period ON generated_reports (period, generated_at DESC);

CREATE TABLE generated_report_files (
    report_id  bigint NOT NULL REFERENCES generated_reports ON DELETE CASCADE,
    format     text   NOT NULL,
    name       text   NOT NULL,
    media_type text   NOT NULL,
    content    bytea  NOT NULL,
    PRIMARY KEY (report_id, format, name)
);
