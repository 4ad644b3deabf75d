-- Lifecycle of proposals (answers, confirmation, completion, expiry, cancellation) and of
-- what is matched (consent, withdrawal, renewal, erasure).

ALTER TABLE members ADD COLUMN consent_as_of timestamptz;

-- Erased members: only the id, so late events about them are dropped instead of retried.
CREATE TABLE erased_members (
    member_id uuid        PRIMARY KEY,
    erased_at timestamptz NOT NULL
);

ALTER TABLE requests ADD COLUMN time_windows text[] NOT NULL DEFAULT '{}';
ALTER TABLE requests ADD COLUMN prefers_known_people boolean NOT NULL DEFAULT false;
ALTER TABLE requests ADD COLUMN closed_at timestamptz;
ALTER TABLE offers ADD COLUMN time_windows text[] NOT NULL DEFAULT '{}';
ALTER TABLE offers ADD COLUMN closed_at timestamptz;

ALTER TABLE proposals DROP CONSTRAINT proposals_status_check;
ALTER TABLE proposals ADD CONSTRAINT proposals_status_check CHECK (status IN
    ('proposed', 'accepted', 'confirmed', 'completed', 'declined', 'expired', 'cancelled'));
ALTER TABLE proposals ADD COLUMN requester_answer text;
ALTER TABLE proposals ADD COLUMN helper_answer text;
ALTER TABLE proposals ADD COLUMN expires_at timestamptz;
ALTER TABLE proposals ADD COLUMN ended_reason text;
ALTER TABLE proposals ADD COLUMN feedback jsonb NOT NULL DEFAULT '{}';

DROP INDEX proposals_one_active_per_request;
DROP INDEX proposals_active_by_offer;
DROP INDEX proposals_active_by_helper;
CREATE UNIQUE INDEX proposals_one_active_per_request
    ON proposals (request_id) WHERE status IN ('proposed', 'accepted', 'confirmed');
CREATE INDEX proposals_active_by_offer
    ON proposals (offer_id) WHERE status IN ('proposed', 'accepted', 'confirmed');
CREATE INDEX proposals_active_by_helper
    ON proposals (helper_id) WHERE status IN ('proposed', 'accepted', 'confirmed');
CREATE INDEX proposals_pending_expiry
    ON proposals (expires_at) WHERE status IN ('proposed', 'accepted');
CREATE INDEX proposals_by_requester ON proposals (requester_id);
CREATE INDEX proposals_by_helper ON proposals (helper_id);
