-- The few lines a programme lead writes for a report: highlights and next year's focus
-- points, per period ("2026" or "2026-03"). Written by the staff portal, read into reports.
CREATE TABLE report_editorials (
    period       text        PRIMARY KEY,
    highlights   text        NOT NULL DEFAULT '',
    focus_points text        NOT NULL DEFAULT '',
    updated_by   text        NOT NULL,
    updated_at   timestamptz NOT NULL
);
