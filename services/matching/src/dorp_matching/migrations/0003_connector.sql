-- A connector (aanjager) in the loop: proposals that wait for review, rejected ones, and
-- the member's role (only connectors review and introduce).

ALTER TABLE members ADD COLUMN role text NOT NULL DEFAULT 'parent';

ALTER TABLE proposals DROP CONSTRAINT proposals_status_check;
ALTER TABLE proposals ADD CONSTRAINT proposals_status_check CHECK (status IN
    ('awaiting_review', 'proposed', 'accepted', 'confirmed', 'completed', 'declined',
     'expired', 'cancelled', 'rejected'));

DROP INDEX proposals_one_active_per_request;
DROP INDEX proposals_active_by_offer;
DROP INDEX proposals_active_by_helper;
CREATE UNIQUE INDEX proposals_one_active_per_request ON proposals (request_id)
    WHERE status IN ('awaiting_review', 'proposed', 'accepted', 'confirmed');
CREATE INDEX proposals_active_by_offer ON proposals (offer_id)
    WHERE status IN ('awaiting_review', 'proposed', 'accepted', 'confirmed');
CREATE INDEX proposals_active_by_helper ON proposals (helper_id)
    WHERE status IN ('awaiting_review', 'proposed', 'accepted', 'confirmed');
CREATE INDEX proposals_awaiting_review ON proposals (created_at)
    WHERE status = 'awaiting_review';
