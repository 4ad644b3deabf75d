-- Help requests and offers get their life cycle: time windows, expiry, withdrawal.
-- status is what is stored: 'open', 'withdrawn', or 'erased' (withdrawn by the member's
-- erasure, text cleared, kind and area kept for counting). Expiry is not a status: an
-- open item is expired once expires_at has passed. Items stored before this migration
-- get the default period (30 days) from when they were created.
ALTER TABLE help_requests
    ADD COLUMN time_windows         jsonb       NOT NULL DEFAULT '[]',
    ADD COLUMN prefers_known_people boolean     NOT NULL DEFAULT false,
    ADD COLUMN status               text        NOT NULL DEFAULT 'open'
        CHECK (status IN ('open', 'withdrawn', 'erased')),
    ADD COLUMN expires_at           timestamptz,
    ADD COLUMN withdrawn_at         timestamptz;

ALTER TABLE help_offers
    ADD COLUMN time_windows jsonb       NOT NULL DEFAULT '[]',
    ADD COLUMN status       text        NOT NULL DEFAULT 'open'
        CHECK (status IN ('open', 'withdrawn', 'erased')),
    ADD COLUMN expires_at   timestamptz,
    ADD COLUMN withdrawn_at timestamptz;

UPDATE help_requests SET expires_at = created_at + interval '30 days';
UPDATE help_offers SET expires_at = created_at + interval '30 days';
ALTER TABLE help_requests ALTER COLUMN expires_at SET NOT NULL;
ALTER TABLE help_offers ALTER COLUMN expires_at SET NOT NULL;

-- list_help: newest first, optionally by status, kind or area.
CREATE INDEX help_requests_recent ON help_requests (created_at DESC);
CREATE INDEX help_offers_recent ON help_offers (created_at DESC);
